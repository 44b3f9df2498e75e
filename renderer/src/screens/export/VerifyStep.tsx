import { useCallback } from 'react';
import { Card } from '../../components/Card';
import { JobStarter } from '../../components/JobStarter';
import { VerifyReport, verifyJobReport } from '../../components/VerifyReport';
import { exportStore, withDone } from '../../journeys';
import { useStore } from '../../store';

/** Reads the media back (every volume and blob against its digest) before the operator walks away with it. */
export function VerifyStep() {
  const state = useStore(exportStore);
  const request = useCallback(() => ({ kind: 'verify' as const, params: { dir: state.toDir.trim() } }), [state.toDir]);
  return (
    <Card title="Verify what was written" subtitle={state.toDir ? `Checks ${state.toDir} as the other side will.` : 'Choose the target directory in the Plan step first.'}>
      <JobStarter
        jobId={state.verifyJob}
        request={request}
        startLabel="Verify the media"
        disabled={!state.toDir.trim()}
        onStarted={(id) => exportStore.update({ verifyJob: id, mediaVerified: undefined })}
        onFinished={(job) =>
          exportStore.update((s) => ({
            mediaVerified: job.state === 'succeeded' ? 'passed' : job.state === 'failed' ? 'failed' : s.mediaVerified,
            done: job.state === 'succeeded' ? withDone(s.done, 'verify') : s.done,
          }))
        }
      >
        {(job) => (verifyJobReport(job) !== undefined ? <VerifyReport report={verifyJobReport(job)} subject="The media" /> : null)}
      </JobStarter>
    </Card>
  );
}
