import { isFinished, type Job } from '../../shared/api/jobs';

/** Jobs shorter than this end while the operator is still looking; only longer ones are worth a notification. */
export const LONG_JOB_MS = 30_000;

const ENDINGS = { succeeded: 'finished', failed: 'failed', cancelled: 'was cancelled' } as const;

/** The desktop notification for a job that has just ended after a long run, or undefined. */
export function jobNotice(job: Job): { title: string; body: string } | undefined {
  if (!isFinished(job.state) || !job.startedAt || !job.endedAt) return undefined;
  if (Date.parse(job.endedAt) - Date.parse(job.startedAt) < LONG_JOB_MS) return undefined;
  const ending = ENDINGS[job.state as keyof typeof ENDINGS];
  return { title: `Ferry: ${job.title} ${ending}`, body: job.error ? job.error.message : 'Open Ferry to see the result.' };
}
