import { useCallback } from 'react';
import { Card } from '../../components/Card';
import { JobStarter } from '../../components/JobStarter';
import { VerifyReport, verifyJobReport } from '../../components/VerifyReport';
import { importStore, withDone } from '../../journeys';
import { useStore } from '../../store';
import { mirrorConnection } from './connection';
import { trustChoices } from './trust';

/** Every image of the transfer present in the mirror by digest, checked from this side. */
export function CheckStep() {
  const state = useStore(importStore);
  const request = useCallback(() => ({ kind: 'verify' as const, params: { dir: state.dir.trim(), against: state.mirror.trim(), ...trustChoices(state), ...mirrorConnection(state) } }), [state]);
  return (
    <Card title="Verify in the registry" subtitle={state.mirror || 'Set the target registry first.'}>
      <JobStarter
        jobId={state.checkJob}
        request={request}
        startLabel="Verify the mirror"
        disabled={!state.dir.trim() || !state.mirror.trim()}
        onStarted={(id) => importStore.update({ checkJob: id })}
        onFinished={(job) => job.state === 'succeeded' && importStore.update((s) => ({ done: withDone(s.done, 'check') }))}
      >
        {(job) => (verifyJobReport(job) !== undefined ? <VerifyReport report={verifyJobReport(job)} subject="The mirror" /> : null)}
      </JobStarter>
    </Card>
  );
}
