import { useCallback } from 'react';
import { Callout } from '../../components/Callout';
import { Card } from '../../components/Card';
import { JobStarter } from '../../components/JobStarter';
import { importStore, withDone } from '../../journeys';
import { useStore } from '../../store';
import { mirrorConnection } from './connection';
import { trustChoices } from './trust';

/** Push is offered only for media that verified (signature included); a failed or missing check blocks it. */
export function PushStep() {
  const state = useStore(importStore);
  const request = useCallback(
    () => ({
      kind: 'push' as const,
      params: {
        fromDir: state.dir.trim(),
        to: state.mirror.trim(),
        ...(state.receiptPath.trim() ? { receipt: state.receiptPath.trim() } : {}),
        // The choices the media were verified under; the push judges the signature again with them before sending anything.
        ...trustChoices(state),
        ...mirrorConnection(state),
      },
    }),
    [state],
  );
  const blocked = state.mediaVerified !== 'passed';
  return (
    <Card title="Push into the mirror" subtitle={state.mirror ? `${state.dir} → ${state.mirror}` : 'Set the target registry first.'}>
      {state.mediaVerified === 'failed' ? (
        <Callout tone="error" title="The media failed verification; pushing is blocked." hint="Go back to “Verify media” to see what failed: a signature not accepted (see “Who signed these media”), or a damaged volume and blob (bring a good copy and verify again)." />
      ) : blocked ? (
        <Callout tone="warn" title="Verify the media before pushing." hint="The push is enabled once “Verify media” has passed." />
      ) : null}
      {!blocked && (state.allowUnsigned || state.allowUntrusted) ? (
        <Callout tone="warn" title="You chose to push media that no trusted key signed." hint="Change this in “Verify media” (Who signed these media)." />
      ) : null}
      <p className="muted">Blobs already in the mirror are skipped; a stopped push continues where it left off.</p>
      <JobStarter
        jobId={state.pushJob}
        request={request}
        startLabel="Start push"
        disabled={blocked || !state.mirror.trim()}
        onStarted={(id) => importStore.update({ pushJob: id })}
        onFinished={(job) => job.state === 'succeeded' && importStore.update((s) => ({ done: withDone(s.done, 'push') }))}
      />
    </Card>
  );
}
