import { useEffect, useState, type ReactNode } from 'react';
import { isFinished, type Job } from '../../../shared/api/jobs';
import { toEnvelope, type FerryErrorEnvelope } from '../../../shared/errors';
import { getApi } from '../api';
import { formatBytes, formatDuration, formatTime } from '../format';
import { shortReference } from '../plan-groups';
import type { ImageProgress } from '../../../shared/progress';
import { jobSummary, shownRate, volumeRows, type TransferTrace } from '../transfer-trace';
import { useJob } from '../jobs';
import { ActionError } from './ActionError';
import { Button } from './Button';
import { Callout } from './Callout';
import { ProgressBar } from './ProgressBar';
import { Spinner } from './Spinner';
import { Throughput } from './Throughput';
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

/** The volume files a plan announced, so each file's bar fills to what the writer will put in it. */
export type PlannedFiles = ReadonlyArray<{ name: string; size: number }>;

/** Bytes per volume file: with the plan's sizes each file is a bar, without them a table of what was seen. */
function VolumeFill({ trace, planned, succeeded }: { trace: TransferTrace; planned?: PlannedFiles; succeeded: boolean }) {
  const rows = volumeRows(trace, succeeded, planned);
  if (rows.length === 0) return null;
  if (!planned && !trace.volumeFigures) {
    return (
      <Table
        caption="Volumes"
        rows={rows}
        rowKey={(r) => r.name}
        columns={[
          { header: 'Volume', cell: (r) => <span className="mono">{r.name}</span> },
          { header: 'Bytes', numeric: true, cell: (r) => formatBytes(r.bytes) },
          { header: 'State', cell: (r) => (r.complete ? 'complete' : 'in progress') },
        ]}
      />
    );
  }
  return (
    <div role="group" aria-label="Volume files">
      {rows.map((r) => (
        <ProgressBar key={r.name} label={`Volume ${r.name}`} done={r.bytes} total={r.size ?? 0} />
      ))}
    </div>
  );
}

/** The images under way, each with its own bytes (the engine's figures), or else the images named last. */
function InFlight({ images, active }: { images: readonly string[]; active?: readonly ImageProgress[] }) {
  if (active) {
    if (active.length === 0) return null;
    return (
      <div role="group" aria-label="Images in flight">
        {active.map((i) => (
          <ProgressBar key={i.source} label={shortReference(i.source)} done={i.bytesDone} total={i.bytesTotal} />
        ))}
      </div>
    );
  }
  if (images.length === 0) return null;
  return (
    <ul className="in-flight" aria-label="Images in flight">
      {images.map((image, i) => (
        <li key={image}>
          <span className="muted">{i === 0 ? 'Now: ' : 'Before: '}</span>
          <span className="mono">{shortReference(image)}</span>
        </li>
      ))}
    </ul>
  );
}

function FinishedSummary({ job }: { job: Job }) {
  const summary = jobSummary(job);
  if (!summary) return null;
  const moved = summary.bytes > 0 ? `: ${formatBytes(summary.bytes)} at ${formatBytes(summary.averageRate)}/s on average` : '';
  return <p data-testid="job-summary">{`${job.state === 'succeeded' ? 'Finished' : 'Stopped'} after ${formatDuration(summary.elapsedSeconds)}${moved}.`}</p>;
}

/**
 * A running or finished job: overall progress with the rate measured over the last seconds and the ETA
 * from it, throughput over time, each volume file's fill, the images in flight, pause/resume/cancel,
 * and once it ended how long it took. The live region announces state changes, not every byte.
 */
export function JobPanel({ id, onFinished, render, plannedFiles }: { id: string; onFinished?: (job: Job) => void; render?: (job: Job) => ReactNode; plannedFiles?: PlannedFiles }) {
  const { job, error, trace } = useJob(id);
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
  const { rate, eta } = p ? shownRate(trace, p) : {};
  return (
    <div className="job" aria-label={`Job ${job.title}`} role="group">
      <p>
        <strong>{job.title}</strong> <JobStateBadge state={job.state} />{' '}
        <span className="muted">started {formatTime(job.startedAt ?? job.createdAt)}</span>
      </p>
      <div aria-live="polite" className="visually-hidden">
        {`Job ${job.state}${p ? `, ${p.phase}` : ''}`}
      </div>
      {isFinished(job.state) ? <FinishedSummary job={job} /> : null}
      {p ? (
        <>
          <ProgressBar
            label={`Overall (${p.phase})`}
            done={p.bytesDone}
            total={p.bytesTotal}
            bytesPerSecond={active ? rate : undefined}
            etaSeconds={active ? eta : undefined}
          />
          {p.images ? <ProgressBar label="Images" unit="items" done={p.images.done} total={p.images.total} /> : p.itemsTotal > 0 ? <ProgressBar label="Items" unit="items" done={p.itemsDone} total={p.itemsTotal} /> : null}
          {p.message ? <p className="muted">{p.message}</p> : null}
        </>
      ) : active ? (
        <Spinner label="Waiting for the first progress report…" />
      ) : null}
      <Throughput samples={trace.samples} />
      <VolumeFill trace={trace} succeeded={job.state === 'succeeded'} planned={plannedFiles} />
      {active ? <InFlight images={trace.recentImages} active={trace.activeImages} /> : null}
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
