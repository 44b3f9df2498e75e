import { useCallback, useEffect, useState } from 'react';
import { parseMirrorTarget } from '../../../../shared/mirror-mapping';
import { getApi, useAppInfo } from '../../api';
import { ActionError } from '../../components/ActionError';
import { Button } from '../../components/Button';
import { CaImport } from '../../components/CaImport';
import { Callout } from '../../components/Callout';
import { Card } from '../../components/Card';
import { ConnectionTest } from '../../components/ConnectionTest';
import { Field } from '../../components/Field';
import { importStore, withDone } from '../../journeys';
import { describeSecretStore } from '../../secret-store';
import { useStore } from '../../store';
import { useAction } from '../../use-action';
import { loadSettings, remember } from '../../settings';
import type { TrustedCa } from '../../journeys';

let prefilled = false;

/** Once per page, empty fields start from the mirror the operator last used (the password is asked again, or taken by name). */
function prefillFromSettings(): void {
  if (prefilled) return;
  prefilled = true;
  void loadSettings().then((s) =>
    importStore.update((cur) => ({
      mirror: cur.mirror || s.mirror || '',
      username: cur.username || s.mirrorUsername || '',
      ca: cur.ca ?? s.mirrorCa,
    })),
  );
}

function rememberMirror(mirror: string, username: string, ca: TrustedCa | undefined): void {
  void remember({ mirror: mirror.trim(), ...(username.trim() ? { mirrorUsername: username.trim() } : {}), ...(ca ? { mirrorCa: ca } : {}) });
}

function mirrorError(mirror: string): string | undefined {
  if (!mirror.trim()) return undefined;
  try {
    parseMirrorTarget(mirror);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * The mirror registry: where, as whom (the password goes once to the secret store and is referred
 * to by name afterwards), which CA, and a connection test with exactly those settings.
 */
export function TargetStep() {
  const state = useStore(importStore);
  const { info } = useAppInfo();
  const [password, setPassword] = useState('');
  const registry = state.mirror.trim() && !mirrorError(state.mirror) ? parseMirrorTarget(state.mirror).registry : '';
  const saveFn = useCallback(
    (reg: string, username: string, value: string) => getApi().secrets.save({ name: `registry:${reg}`, kind: 'registry-password', value, registry: reg, username }),
    [],
  );
  const [save, saved] = useAction(saveFn);
  useEffect(prefillFromSettings, []);
  const onSave = async () => {
    const res = await save(registry, state.username.trim(), password);
    setPassword('');
    if (!res) return;
    importStore.update({ credentialRef: res.name, connectionOk: undefined });
    rememberMirror(state.mirror, state.username, undefined);
  };
  const trustCa = (ca: TrustedCa | undefined) => {
    importStore.update({ ca, connectionOk: undefined });
    void (ca ? remember({ mirrorCa: ca }) : remember({}, ['mirrorCa']));
  };
  return (
    <>
      <Card title="Mirror registry">
        <Field label="Mirror location" help="HOST:PORT/NAMESPACE, e.g. mirror.example.com:5000/ocp4" error={mirrorError(state.mirror)}>
          <input type="text" value={state.mirror} onChange={(e) => importStore.update({ mirror: e.target.value, connectionOk: undefined })} spellCheck={false} autoComplete="off" />
        </Field>
        <div className="row">
          <Field label="Mirror username">
            <input type="text" value={state.username} onChange={(e) => importStore.update({ username: e.target.value, credentialRef: undefined })} autoComplete="off" />
          </Field>
          <Field label="Mirror password or token" help={info ? `Saved in ${describeSecretStore(info.secretStore)}.` : undefined}>
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
          </Field>
        </div>
        <div className="actions">
          <Button onClick={() => void onSave()} disabled={!registry || !state.username.trim() || !password} busy={saved.busy}>
            Save credentials
          </Button>
          {state.credentialRef ? <span className="muted">{`Credentials saved as “${state.credentialRef}”.`}</span> : null}
        </div>
        <ActionError error={saved.error} />
      </Card>
      <Card title="Mirror CA" subtitle="The CA that signed the mirror’s certificate (PEM or DER).">
        {state.ca ? (
          <Callout tone="ok" title={`Trusting ${state.ca.subject}`}>
            <p className="mono">{state.ca.fingerprintSha256}</p>
            <Button small onClick={() => trustCa(undefined)}>
              Remove
            </Button>
          </Callout>
        ) : null}
        <CaImport trustLabel="Use this CA for the mirror" onTrust={(c) => trustCa({ fingerprintSha256: c.fingerprintSha256, subject: c.subject, pem: c.pem })} />
      </Card>
      <Card title="Connection test">
        {registry ? (
          <ConnectionTest
            key={`${registry}:${state.credentialRef ?? ''}`}
            initialRegistry={registry}
            caPem={state.ca?.pem}
            storedRef={state.credentialRef}
            storedLabel={`the saved credentials for ${registry}`}
            onResult={() => {
              importStore.update((s) => ({ connectionOk: true, done: withDone(s.done, 'target') }));
              rememberMirror(state.mirror, state.username, state.ca);
            }}
          />
        ) : (
          <p className="muted">Enter the mirror location first.</p>
        )}
      </Card>
    </>
  );
}
