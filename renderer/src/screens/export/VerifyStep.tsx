import { useCallback } from 'react';
import { Card } from '../../components/Card';
import { JobStarter } from '../../components/JobStarter';
import { VerifyReport, verifyJobReport } from '../../components/VerifyReport';
import { exportStore, withDone } from '../../journeys';
import { useJob } from '../../jobs';
import { useStore } from '../../store';

/** Reads the media back (every volume and blob against its digest) before the operator walks away with it. */
export function VerifyStep() {
  const state = useStore(exportStore);
  const signer = useSigner(state.transferJob, state.toDir.trim());
  // The media are checked as the other side will, signature first: the key this Ferry signed them with is the one trusted.
  const request = useCallback(() => ({ kind: 'verify' as const, params: { dir: state.toDir.trim(), trust: signer ? [signer] : [] } }), [state.toDir, signer]);
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

/** The fingerprint the transfer job signed `dir` with, if that job wrote it. */
function useSigner(transferJob: string | undefined, dir: string): string | undefined {
  const { job } = useJob(transferJob);
  const report = job?.report as { dir?: string; fingerprint?: string } | undefined;
  return report?.dir?.trim() === dir ? report.fingerprint : undefined;
}
