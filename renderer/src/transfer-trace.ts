import type { Job } from '../../shared/api/jobs';
import { etaSeconds as etaAt, windowRate, type ImageProgress, type ProgressEvent, type VolumeProgress } from '../../shared/progress';

/**
 * What the live job view remembers of a job's progress events: bytes over time (for the throughput
 * chart), bytes per volume file and the images under way. The figures come from the engine's progress
 * model (electron/engine/copy/progress.ts: per-volume and per-image figures, the rate over a sliding
 * window and the ETA from it), the one the CLI line prints; for an event without them (an older job, a
 * verify pass) the same window formula (shared/progress.ts) runs over the samples here.
 * Pure folds over events, so the view and the tests read the same numbers.
 */
export interface RateSample {
  atMs: number;
  bytesDone: number;
  /** The rate the engine measured when it sent the event, if it did: a chart point that counts moved bytes only. */
  rate?: number;
}

export interface TransferTrace {
  /** At most one per SAMPLE_MS, the last MAX_SAMPLES kept. */
  samples: RateSample[];
  /** Volume file → bytes written while it was the file being written, in first-seen order. */
  volumes: Map<string, number>;
  /** Most recent first, distinct, at most RECENT_IMAGES. */
  recentImages: string[];
  /** The engine's own figures per volume file and of the images under way, from the last event that had them. */
  volumeFigures?: VolumeProgress[];
  activeImages?: ImageProgress[];
  last?: ProgressEvent;
}

export const SAMPLE_MS = 1000;
export const MAX_SAMPLES = 120;
const RECENT_IMAGES = 3;

export function emptyTrace(): TransferTrace {
  return { samples: [], volumes: new Map(), recentImages: [] };
}

export function foldTrace(trace: TransferTrace, e: ProgressEvent, atMs: number): TransferTrace {
  const prev = trace.last;
  let { samples, volumes, recentImages } = trace;
  const lastSample = samples[samples.length - 1];
  if (!lastSample || atMs - lastSample.atMs >= SAMPLE_MS) samples = [...samples, { atMs, bytesDone: e.bytesDone, ...(e.bytesPerSecond !== undefined ? { rate: e.bytesPerSecond } : {}) }].slice(-MAX_SAMPLES);
  if (e.volume) {
    // The counters are cumulative over the job; what grew since the last event went into the file named now.
    const grew = prev && prev.phase === e.phase ? Math.max(e.bytesDone - prev.bytesDone, 0) : 0;
    volumes = new Map(volumes).set(e.volume, (volumes.get(e.volume) ?? 0) + grew);
  }
  if (e.image && recentImages[0] !== e.image) recentImages = [e.image, ...recentImages.filter((i) => i !== e.image)].slice(0, RECENT_IMAGES);
  const volumeFigures = e.volumes ?? trace.volumeFigures;
  const activeImages = e.images?.active ?? trace.activeImages;
  return { samples, volumes, recentImages, ...(volumeFigures ? { volumeFigures } : {}), ...(activeImages ? { activeImages } : {}), last: e };
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
  // The engine's figures: blob bytes in each file of those planned for it (they add up to the overall bar).
  // Against the planned file size when the plan said it: a file is full once its blobs are all in.
  if (trace.volumeFigures) {
    const sizes = new Map(planned?.map((f) => [f.name, f.size]));
    return trace.volumeFigures.map((v) => {
      const complete = succeeded || (v.bytesTotal > 0 && v.bytesDone === v.bytesTotal);
      const size = sizes.get(v.name) ?? v.bytesTotal;
      return { name: v.name, bytes: complete ? size : Math.min(v.bytesDone, size), size, complete };
    });
  }
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

/** The chart's points: the rate the engine measured at each sample, else bytes per second between consecutive samples. */
export function rates(samples: readonly RateSample[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    out.push(b.rate ?? Math.max(b.bytesDone - a.bytesDone, 0) / Math.max((b.atMs - a.atMs) / 1000, 0.001));
  }
  return out;
}

/** Bytes per second over the last RATE_WINDOW_MS of samples (the engine's formula); undefined before it is measured. */
export function measuredRate(samples: readonly RateSample[]): number | undefined {
  return windowRate(samples.map((s) => ({ atMs: s.atMs, bytes: s.bytesDone })));
}

/** Seconds left at `rate`; undefined when nothing is moving or the total is unknown. */
export function etaSeconds(done: number, total: number, rate: number | undefined): number | undefined {
  return total > 0 ? etaAt(total - done, rate) : undefined;
}

/** The rate and ETA to show: the engine's, measured over the bytes it moved, else the same formula over what this view saw. */
export function shownRate(trace: TransferTrace, p: ProgressEvent): { rate?: number; eta?: number } {
  if (p.bytesPerSecond !== undefined) return { rate: p.bytesPerSecond, ...(p.etaSeconds !== undefined ? { eta: p.etaSeconds } : {}) };
  // The model sent it: no rate yet means none measured yet, so no ETA either.
  if (p.images || p.volumes) return {};
  const rate = measuredRate(trace.samples);
  const eta = etaSeconds(p.bytesDone, p.bytesTotal, rate);
  return { ...(rate !== undefined ? { rate } : {}), ...(eta !== undefined ? { eta } : {}) };
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
