import type { Job } from '../../shared/api/jobs';
import type { ProgressEvent } from '../../shared/progress';

/**
 * What the live job view remembers of a job's progress events: bytes over time (for the throughput
 * chart and an ETA from the rate actually measured, not the average since start), bytes per volume file,
 * and the images seen last. Pure folds over events, so the view and the tests read the same numbers.
 */
export interface RateSample {
  atMs: number;
  bytesDone: number;
}

export interface TransferTrace {
  /** At most one per SAMPLE_MS, the last MAX_SAMPLES kept. */
  samples: RateSample[];
  /** Volume file → bytes written while it was the file being written, in first-seen order. */
  volumes: Map<string, number>;
  /** Most recent first, distinct, at most RECENT_IMAGES. */
  recentImages: string[];
  last?: ProgressEvent;
}

export const SAMPLE_MS = 1000;
export const MAX_SAMPLES = 120;
const RECENT_IMAGES = 3;
/** The rate the ETA uses: bytes over the last this-many milliseconds, so a change of pace shows soon. */
export const RATE_WINDOW_MS = 10_000;

export function emptyTrace(): TransferTrace {
  return { samples: [], volumes: new Map(), recentImages: [] };
}

export function foldTrace(trace: TransferTrace, e: ProgressEvent, atMs: number): TransferTrace {
  const prev = trace.last;
  let { samples, volumes, recentImages } = trace;
  const lastSample = samples[samples.length - 1];
  if (!lastSample || atMs - lastSample.atMs >= SAMPLE_MS) samples = [...samples, { atMs, bytesDone: e.bytesDone }].slice(-MAX_SAMPLES);
  if (e.volume) {
    // The counters are cumulative over the job; what grew since the last event went into the file named now.
    const grew = prev && prev.phase === e.phase ? Math.max(e.bytesDone - prev.bytesDone, 0) : 0;
    volumes = new Map(volumes).set(e.volume, (volumes.get(e.volume) ?? 0) + grew);
  }
  if (e.image && recentImages[0] !== e.image) recentImages = [e.image, ...recentImages.filter((i) => i !== e.image)].slice(0, RECENT_IMAGES);
  return { samples, volumes, recentImages, last: e };
}

export interface VolumeRow {
  name: string;
  /** Bytes seen going into it, or the planned size once it is complete. */
  bytes: number;
  /** The planned file size, when a plan said it. */
  size?: number;
  complete: boolean;
}

/**
 * Each volume file's fill. The writer fills files in name order (ferry-000001.tar, …), so every file before
 * the one it writes now is complete, seen by this screen or not (a reload mid-job), and all are once the job succeeded.
 */
export function volumeRows(trace: TransferTrace, succeeded: boolean, planned?: ReadonlyArray<{ name: string; size: number }>): VolumeRow[] {
  const seen = [...trace.volumes.keys()].sort();
  const current = seen[seen.length - 1];
  if (current === undefined) return [];
  const sizes = new Map(planned?.map((f) => [f.name, f.size]));
  return [...new Set([...seen, ...sizes.keys()])].sort().map((name) => {
    const size = sizes.get(name);
    const complete = succeeded || name < current;
    const bytes = complete && size !== undefined ? size : (trace.volumes.get(name) ?? 0);
    return { name, bytes, ...(size !== undefined ? { size } : {}), complete };
  });
}

/** Bytes per second between consecutive samples: the chart's points. */
export function rates(samples: readonly RateSample[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    out.push(Math.max(b.bytesDone - a.bytesDone, 0) / Math.max((b.atMs - a.atMs) / 1000, 0.001));
  }
  return out;
}

/** Bytes per second over the last RATE_WINDOW_MS of samples; undefined before two samples exist. */
export function measuredRate(samples: readonly RateSample[]): number | undefined {
  const last = samples[samples.length - 1];
  if (!last) return undefined;
  const first = samples.find((s) => last.atMs - s.atMs <= RATE_WINDOW_MS) ?? last;
  if (first === last) return undefined;
  return Math.max(last.bytesDone - first.bytesDone, 0) / ((last.atMs - first.atMs) / 1000);
}

/** Seconds left at `rate`; undefined when nothing is moving or the total is unknown. */
export function etaSeconds(done: number, total: number, rate: number | undefined): number | undefined {
  if (!rate || rate <= 0 || total <= 0) return undefined;
  return Math.max(total - done, 0) / rate;
}

/** What a figure shows against its total: never more than the total, the true count kept where it came from. */
export function shownDone(done: number, total: number): number {
  return total > 0 ? Math.min(Math.max(done, 0), total) : Math.max(done, 0);
}

export interface JobSummary {
  elapsedSeconds: number;
  bytes: number;
  /** Bytes per second over the whole run. */
  averageRate: number;
}

/** Time and average rate of a finished job, from its own start and end stamps and last progress. */
export function jobSummary(job: Pick<Job, 'startedAt' | 'endedAt' | 'progress'>): JobSummary | undefined {
  if (!job.startedAt || !job.endedAt) return undefined;
  const elapsedSeconds = Math.max((Date.parse(job.endedAt) - Date.parse(job.startedAt)) / 1000, 0);
  if (!Number.isFinite(elapsedSeconds)) return undefined;
  const p = job.progress;
  const bytes = p ? shownDone(p.bytesDone, p.bytesTotal) : 0;
  return { elapsedSeconds, bytes, averageRate: elapsedSeconds > 0 ? bytes / elapsedSeconds : 0 };
}
