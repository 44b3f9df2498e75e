import { useCallback, useState } from 'react';
import { getApi, useAppInfo } from '../../api';
import { ActionError } from '../../components/ActionError';
import { Button } from '../../components/Button';
import { Callout } from '../../components/Callout';
import { Card } from '../../components/Card';
import { Field } from '../../components/Field';
import { FileInput } from '../../components/FileInput';
import { FindingList } from '../../components/Findings';
import { SavedSecrets } from '../../components/SavedSecrets';
import { Table } from '../../components/Table';
import { exportStore, withDone } from '../../journeys';
import { describeSecretStore } from '../../secret-store';
import { useStore } from '../../store';
import { useFileDrop } from '../../file-drop';
import { useAction } from '../../use-action';

const PULL_SECRET_NAME = 'pull-secret';

/**
 * Pull secret: paste or open, check (errors with line and column under the field), then save it once
 * to the secret store; the text is dropped from the page as soon as it is saved. Mirror credentials
 * are merged into the stored secret on the privileged side, so no credential comes back.
 */
export function CredentialsStep() {
  const state = useStore(exportStore);
  const { info } = useAppInfo();
  const [text, setText] = useState('');
  const validateFn = useCallback((t: string) => getApi().pullSecret.validate({ text: t }), []);
  const [validate, checked, resetCheck] = useAction(validateFn);
  const saveFn = useCallback(async (t: string) => getApi().secrets.save({ name: PULL_SECRET_NAME, kind: 'pull-secret', value: t }), []);
  const [save, saved] = useAction(saveFn);

  const onSave = async () => {
    const res = await save(text);
    if (!res) return;
    exportStore.update((s) => ({ pullSecretRef: res.name, registries: checked.result?.entries.map((e) => e.registry) ?? [], done: withDone(s.done, 'credentials') }));
    setText('');
    resetCheck();
  };

  // Opened or dropped, the file is read in the page and checked like pasted text; it goes to the host only to be checked and saved.
  const openFile = (f: File) =>
    void f.text().then((t) => {
      setText(t);
      void validate(t);
    });
  const drop = useFileDrop(openFile);

  const errorFindings = checked.result?.findings.filter((f) => f.level === 'error') ?? [];
  const fieldError = checked.result && !checked.result.valid ? <FindingList findings={checked.result.findings} /> : undefined;

  return (
    <>
      <Card title="Pull secret" subtitle="From console.redhat.com, or `oc extract secret/pull-secret -n openshift-config`.">
        {state.pullSecretRef ? (
          <Callout tone="ok" title={`Pull secret saved as “${state.pullSecretRef}”`}>
            {info ? <p>Stored in {describeSecretStore(info.secretStore)}.</p> : null}
            {state.registries.length > 0 ? <p>Credentials for: {state.registries.join(', ')}</p> : null}
          </Callout>
        ) : null}
        <div className={drop.over ? 'drop-zone drop-over' : 'drop-zone'} {...drop.props}>
          <Field label={state.pullSecretRef ? 'Replace the pull secret (JSON)' : 'Pull secret (JSON)'} help="Paste it here, open the file or drop it here. It is checked, then saved once; it is not kept in the page." error={fieldError}>
            <textarea
              value={text}
              spellCheck={false}
              autoComplete="off"
              onChange={(e) => {
                setText(e.target.value);
                resetCheck();
              }}
            />
          </Field>
        </div>
        <div className="actions">
          <FileInput label="Open pull secret file…" accept=".json,.txt,application/json" onFile={openFile} />
          <Button onClick={() => void validate(text)} disabled={text.trim() === ''} busy={checked.busy}>
            Check
          </Button>
          <Button variant="primary" onClick={() => void onSave()} disabled={!checked.result?.valid || text.trim() === ''} busy={saved.busy}>
            Save pull secret
          </Button>
        </div>
        <ActionError error={checked.error} />
        <ActionError error={saved.error} />
        {checked.result?.valid ? (
          <>
            <Callout tone="ok" title="The pull secret is valid JSON with usable credentials." />
            {checked.result.findings.length > 0 ? <FindingList findings={checked.result.findings} /> : null}
            <Table
              caption="Registries in this pull secret"
              rows={checked.result.entries}
              rowKey={(e) => e.registry}
              columns={[
                { header: 'Registry', cell: (e) => <span className="mono">{e.registry}</span> },
                { header: 'User', cell: (e) => e.username ?? '—' },
                { header: 'Email', cell: (e) => e.email ?? '—' },
              ]}
            />
          </>
        ) : null}
        {checked.result && !checked.result.valid ? <p className="muted">{`${errorFindings.length} problem(s) found; fix them and check again.`}</p> : null}
      </Card>
      <MirrorCredentials secretName={state.pullSecretRef} />
      <Card title="Remembered credentials">
        <SavedSecrets
          refreshKey={`${state.pullSecretRef ?? ''}:${state.registries.join()}`}
          onDeleted={(name) => name === state.pullSecretRef && exportStore.update({ pullSecretRef: undefined, registries: [] })}
        />
      </Card>
    </>
  );
}

function MirrorCredentials({ secretName }: { secretName?: string }) {
  const [registry, setRegistry] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const addFn = useCallback(
    (name: string, r: string, u: string, p: string, e: string) =>
      getApi().pullSecret.addCredential({ target: { kind: 'secret', name }, registry: r, username: u, password: p, ...(e ? { email: e } : {}) }),
    [],
  );
  const [add, added] = useAction(addFn);
  const onAdd = async () => {
    if (!secretName) return;
    const res = await add(secretName, registry.trim(), username.trim(), password, email.trim());
    setPassword('');
    if (res) exportStore.update({ registries: res.entries.map((e) => e.registry) });
  };
  return (
    <Card title="Mirror registry credentials" subtitle="Added to the saved pull secret (registry-wide, or for a namespace as host:port/namespace)." headingLevel={2}>
      {!secretName ? <p className="muted">Save a pull secret first; the mirror credentials are merged into it.</p> : null}
      <div className="row">
        <Field label="Registry" help="HOST[:PORT] or HOST[:PORT]/NAMESPACE">
          <input type="text" value={registry} onChange={(e) => setRegistry(e.target.value)} spellCheck={false} autoComplete="off" />
        </Field>
        <Field label="Username">
          <input type="text" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
        </Field>
      </div>
      <div className="row">
        <Field label="Password or token">
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
        </Field>
        <Field label="Email (optional)">
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
        </Field>
      </div>
      <div className="actions">
        <Button onClick={() => void onAdd()} disabled={!secretName || !registry.trim() || !username.trim() || !password} busy={added.busy}>
          Add to pull secret
        </Button>
      </div>
      <ActionError error={added.error} />
      {added.result ? <Callout tone="ok" title={`Credentials for ${registry} added.`} /> : null}
    </Card>
  );
}
