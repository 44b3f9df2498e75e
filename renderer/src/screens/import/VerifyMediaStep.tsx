import { useCallback } from 'react';
import { Card } from '../../components/Card';
import { JobStarter } from '../../components/JobStarter';
import { VerifyReport, verifyJobReport } from '../../components/VerifyReport';
import { importStore, withDone } from '../../journeys';
import { useStore } from '../../store';
import { SignatureCard } from './SignatureCard';
import { trustChoices } from './trust';

/**
 * The signature first (judged by the operator's trust choices), then every volume and blob, before anything
 * is pushed; a failure blocks the push step.
 */
export function VerifyMediaStep() {
  const state = useStore(importStore);
  const request = useCallback(() => ({ kind: 'verify' as const, params: { dir: state.dir.trim(), ...trustChoices(state) } }), [state]);
  return (
    <>
      <SignatureCard />
      <Card title="Verify the media" subtitle={state.dir || 'Choose the media first.'}>
        <JobStarter
          jobId={state.verifyJob}
          request={request}
          startLabel="Verify the media"
          disabled={!state.dir.trim()}
          onStarted={(id) => importStore.update({ verifyJob: id, mediaVerified: undefined })}
          onFinished={(job) =>
            importStore.update((s) => ({
              mediaVerified: job.state === 'succeeded' ? 'passed' : job.state === 'failed' ? 'failed' : s.mediaVerified,
              done: job.state === 'succeeded' ? withDone(s.done, 'verify') : s.done,
            }))
          }
        >
          {(job) => (verifyJobReport(job) !== undefined ? <VerifyReport report={verifyJobReport(job)} subject="The media" /> : null)}
        </JobStarter>
      </Card>
    </>
  );
}
