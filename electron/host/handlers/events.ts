import type { EventName, EventOf } from '../../../shared/api/contract';
import type { JobManager } from '../../jobs/job-manager';

export type EventSink = <E extends EventName>(event: E, payload: EventOf<E>) => void;

/** Forwards job changes and progress to every UI (all windows, every serve client); returns a disposer. */
export function forwardJobEvents(jobs: JobManager, emit: EventSink): () => void {
  const offChanged = jobs.onChanged((job) => emit('jobs.changed', { job }));
  const offProgress = jobs.onProgress((e) => emit('jobs.progress', e));
  return () => {
    offChanged();
    offProgress();
  };
}
