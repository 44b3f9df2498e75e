import { useEffect, useState, type ReactNode } from 'react';
import { isFinished, type Job } from '../../../shared/api/jobs';
import { toEnvelope, type FerryErrorEnvelope } from '../../../shared/errors';
import { getApi } from '../api';
import { formatBytes, formatTime } from '../format';
import { useJob } from '../jobs';
import { ActionError } from './ActionError';
import { Button } from './Button';
import { Callout } from './Callout';
import { ProgressBar } from './ProgressBar';
import { Spinner } from './Spinner';
import { Badge, Table } from './Table';

const STATE_TONE: Record<Job['state'], 'ok' | 'err' | 'warn' | 'info'> = {
  queued: 'info',
  running: 'info',
  paused: 'warn',
  succeeded: 'ok',
  failed: 'err',
  cancelled: 'warn',
};

export function JobStateBadge({ state }: { state: Job['state'] }) {
  return <Badge tone={STATE_TONE[state]}>{state}</Badge>;
}

/**
 * A running or finished job: overall progress with throughput and ETA, the image and volume in
 * flight (per-item tables), pause/resume/cancel, and the error with its hint when it failed.
 * The live region announces state changes, not every byte.
 */
export function JobPanel({ id, onFinished, render }: { id: string; onFinished?: (job: Job) => void; render?: (job: Job) => ReactNode }) {
  const { job, error, images, volumes } = useJob(id);
  const [controlError, setControlError] = useState<FerryErrorEnvelope>();
  const finishedState = job && isFinished(job.state) ? job.state : undefined;
  useEffect(() => {
    if (job && finishedState) onFinished?.(job);
    // Once per finished state: progress events must not re-notify.
  }, [job?.id, finishedState]);
  if (error) return <ActionError error={error} />;
  if (!job) return <Spinner label="Loading job…" />;
  const control = async (verb: 'pause' | 'resume' | 'cancel') => {
    setControlError(undefined);
    try {
      await getApi().jobs[verb]({ id });
    } catch (e) {
      setControlError(toEnvelope(e));
    }
  };
  const p = job.progress;
  const active = job.state === 'running' || job.state === 'queued';
  return (
    <div className="job" aria-label={`Job ${job.title}`} role="group">
      <p>
        <strong>{job.title}</strong> <JobStateBadge state={job.state} />{' '}
        <span className="muted">started {formatTime(job.startedAt ?? job.createdAt)}</span>
      </p>
      <div aria-live="polite" className="visually-hidden">
        {`Job ${job.state}${p ? `, ${p.phase}` : ''}`}
      </div>
      {p ? (
        <>
          <ProgressBar label={`Overall (${p.phase})`} done={p.bytesDone} total={p.bytesTotal} bytesPerSecond={p.bytesPerSecond} etaSeconds={p.etaSeconds} />
          {p.itemsTotal > 0 ? <ProgressBar label="Items" unit="items" done={p.itemsDone} total={p.itemsTotal} /> : null}
          {p.message ? <p className="muted">{p.message}</p> : null}
        </>
      ) : active ? (
        <Spinner label="Waiting for the first progress report…" />
      ) : null}
      {volumes.size > 0 ? (
        <Table
          caption="Volumes"
          rows={[...volumes.entries()]}
          rowKey={([name]) => name}
          columns={[
            { header: 'Volume', cell: ([name]) => <span className="mono">{name}</span> },
            { header: 'Phase', cell: ([, e]) => e.phase },
            { header: 'Bytes', numeric: true, cell: ([, e]) => formatBytes(e.bytesDone) },
          ]}
        />
      ) : null}
      {images.size > 0 ? (
        <Table
          caption="Images"
          rows={[...images.entries()].slice(-20)}
          rowKey={([name]) => name}
          columns={[
            { header: 'Image', cell: ([name]) => <span className="mono">{name}</span> },
            { header: 'Phase', cell: ([, e]) => e.phase },
            { header: 'Items', numeric: true, cell: ([, e]) => `${e.itemsDone}/${e.itemsTotal}` },
          ]}
        />
      ) : null}
      {job.state === 'failed' && job.error ? <ActionError error={job.error} /> : null}
      {job.state === 'cancelled' ? <Callout tone="warn" title="Cancelled" hint="Start it again to continue: finished work is kept and not repeated." /> : null}
      <ActionError error={controlError} />
      {isFinished(job.state) && render ? render(job) : null}
      {!isFinished(job.state) ? (
        <div className="actions">
          {job.state === 'paused' ? (
            <Button onClick={() => void control('resume')}>Resume</Button>
          ) : (
            <Button onClick={() => void control('pause')} disabled={job.state !== 'running'}>
              Pause
            </Button>
          )}
          <Button variant="danger" onClick={() => void control('cancel')}>
            Cancel
          </Button>
        </div>
      ) : null}
    </div>
  );
}
