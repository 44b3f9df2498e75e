import { useCallback, useEffect, useState } from 'react';
import type { RequestOf, ResponseOf } from '../../../../shared/api/contract';
import { CONFIG_KINDS, isNotApplicable } from '../../../../shared/config/kinds';
import { toEnvelope, type FerryErrorEnvelope } from '../../../../shared/errors';
import { getApi, useUnavailable } from '../../api';
import { ActionError, NotAvailable } from '../../components/ActionError';
import { Button } from '../../components/Button';
import { Callout } from '../../components/Callout';
import { Card } from '../../components/Card';
import { CodeBlock } from '../../components/CodeBlock';
import { FindingList } from '../../components/Findings';
import { JobStarter } from '../../components/JobStarter';
import { PathField } from '../../components/PathField';
import { Spinner } from '../../components/Spinner';
import { importStore, withDone } from '../../journeys';
import { useStore } from '../../store';

type Kind = RequestOf<'config.generate'>['kind'];

/** Every kind the table offers (shared/config/kinds.ts), in its order; the pull secret has its own card below. */
const OUTPUTS: Array<{ kind: Kind; title: string }> = [...CONFIG_KINDS.values()].map((k) => ({ kind: k.id, title: k.title }));

type Output = { kind: Kind; title: string; result?: ResponseOf<'config.generate'>; error?: FerryErrorEnvelope };

/**
 * Everything the disconnected cluster needs, generated from the transfer and the mirror, each with
 * Copy and Save. The pull secret (it holds credentials) is generated only when asked for.
 */
export function ConfigStep() {
  const state = useStore(importStore);
  const [outputs, setOutputs] = useState<Output[]>();
  const [pullSecret, setPullSecret] = useState<Output>();
  const base = useCallback(
    (kind: Kind) => ({ kind, fromDir: state.dir.trim(), mirror: state.mirror.trim(), ...(state.ca ? { caPem: state.ca.pem } : {}) }),
    [state.dir, state.mirror, state.ca],
  );
  const generate = useCallback(
    async (kind: Kind, title: string, extra: Partial<RequestOf<'config.generate'>> = {}): Promise<Output> => {
      try {
        return { kind, title, result: await getApi().config.generate({ ...base(kind), ...extra }) };
      } catch (e) {
        return { kind, title, error: toEnvelope(e) };
      }
    },
    [base],
  );
  const absent = useUnavailable('config.generate');
  const ready = state.dir.trim() !== '' && state.mirror.trim() !== '' && !absent;
  useEffect(() => {
    if (!ready) return;
    let live = true;
    setOutputs(undefined);
    void Promise.all(OUTPUTS.map((o) => generate(o.kind, o.title))).then((generated) => {
      if (!live) return;
      // A kind that does not apply to this transfer (e.g. no operator catalogs) is left out, not shown as an error.
      const all = generated.filter((o) => !isNotApplicable(o.error?.details));
      setOutputs(all);
      if (all.some((o) => o.result)) importStore.update((s) => ({ done: withDone(s.done, 'config') }));
    });
    return () => {
      live = false;
    };
  }, [ready, generate]);

  if (absent) return <NotAvailable what={absent} />;
  if (!ready) return <p className="muted">Choose the media and the target registry first.</p>;
  return (
    <>
      {!outputs ? <Spinner label="Generating cluster configuration…" /> : null}
      {outputs?.map((o) => <ConfigOutput key={o.kind} output={o} />)}
      <Card title="Pull secret for the cluster" subtitle="The cluster’s pull secret with the mirror credentials added; apply with oc set data secret/pull-secret -n openshift-config.">
        {pullSecret ? (
          <ConfigOutput output={pullSecret} bare />
        ) : (
          <Button onClick={() => void generate('pull-secret', 'Pull secret').then(setPullSecret)} disabled={!state.credentialRef}>
            Generate the pull secret
          </Button>
        )}
        {!state.credentialRef ? <p className="muted">Save the mirror credentials in “Target registry” first.</p> : null}
      </Card>
      <ClientCard command="openshift-install" />
      <ClientCard command="oc" />
    </>
  );
}

/** The installer comes out of the transfer itself (verified as it is read): the install needs no connected host. */
const CLIENTS = {
  'openshift-install': { job: 'extractJob', subtitle: 'The installer of the release on the media, pinned to the release in your mirror by digest (mode 0755).' },
  oc: { job: 'ocJob', subtitle: 'The oc client that matches the cluster: it reports the release version (mode 0755).' },
} as const;

/** A client binary out of the release on the media, its placeholders pointing at the release in the mirror. */
function ClientCard({ command }: { command: keyof typeof CLIENTS }) {
  const state = useStore(importStore);
  const { job, subtitle } = CLIENTS[command];
  const mirror = state.mirror.trim();
  const request = useCallback(
    () => ({ kind: 'extract' as const, params: { fromDir: state.dir.trim(), toDir: state.installerDir.trim(), command, ...(mirror ? { mirror } : {}) } }),
    [state.dir, state.installerDir, command, mirror],
  );
  return (
    <Card title={`${command} for this release`} subtitle={subtitle}>
      {command === 'openshift-install' ? (
        <PathField label="Extract into" kind="directory" value={state.installerDir} onChange={(v) => importStore.update({ installerDir: v })} />
      ) : null}
      <JobStarter
        jobId={state[job]}
        request={request}
        startLabel={`Extract ${command}`}
        disabled={!state.installerDir.trim()}
        onStarted={(id) => importStore.update({ [job]: id })}
      >
        {(run) => {
          if (run.state !== 'succeeded') return null;
          const report = run.report as { file?: string; releaseImage?: string; releaseVersion?: string } | undefined;
          return (
            <Callout tone="ok" title={`Extracted to ${report?.file ?? state.installerDir}`}>
              {report?.releaseImage ? `Installs ${report.releaseImage} (${report.releaseVersion ?? ''})` : `Reports version ${report?.releaseVersion ?? ''}`}
            </Callout>
          );
        }}
      </JobStarter>
    </Card>
  );
}

function ConfigOutput({ output, bare }: { output: Output; bare?: boolean }) {
  const body = (
    <>
      <ActionError error={output.error} />
      {output.result ? (
        <>
          <FindingList findings={output.result.findings} />
          <CodeBlock name={output.title} fileName={output.result.fileName} text={output.result.text} secret={output.kind === 'pull-secret'} />
        </>
      ) : null}
    </>
  );
  return bare ? body : <Card title={output.title}>{body}</Card>;
}
