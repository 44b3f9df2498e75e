import { jobPaths } from '../../../shared/api/job-paths';
import { useCallback, type ReactNode } from 'react';
import { isFinished, type Job, type JobStart } from '../../../shared/api/jobs';
import type { RequestOf } from '../../../shared/api/contract';
import { getApi } from '../api';
import { useJob } from '../jobs';
import { askToNotify } from '../notify';
import { useAction } from '../use-action';
import { ActionError } from './ActionError';
import { Button } from './Button';
import { JobPanel, type PlannedFiles } from './JobPanel';

/**
 * Start a job, then follow it. The job id is kept by the journey so leaving the screen or reloading
 * re-attaches to the same job; "Start again" is offered once it ended (resumable jobs skip done work).
 */
export function JobStarter({ jobId, request, startLabel, disabled, onStarted, onFinished, children, plannedFiles }: { jobId?: string; request: () => RequestOf<'jobs.start'>; startLabel: string; disabled?: boolean; onStarted: (id: string) => void; onFinished?: (job: Job) => void; children?: (job: Job) => ReactNode; plannedFiles?: PlannedFiles }) {
  const { job } = useJob(jobId);
  const running = jobId !== undefined && (!job || !isFinished(job.state));
  const startFn = useCallback(async () => {
    const job = request() as JobStart;
    // Starting is the operator's confirmation of the folders they typed for this job (shared/api/job-paths.ts).
    for (const p of jobPaths(job)) await getApi().fs.allow(p);
    return getApi().jobs.start(job);
  }, [request]);
  const [start, started] = useAction(startFn);
  const onStart = async () => {
    askToNotify();
    const res = await start();
    if (res) onStarted(res.id);
  };
  return (
    <div>
      {jobId ? <JobPanel id={jobId} onFinished={onFinished} render={children} plannedFiles={plannedFiles} /> : null}
      <div className="actions">
        <Button variant={jobId ? 'secondary' : 'primary'} onClick={() => void onStart()} disabled={disabled || running} busy={started.busy}>
          {jobId ? `${startLabel} again` : startLabel}
        </Button>
      </div>
      <ActionError error={started.error} />
    </div>
  );
}
