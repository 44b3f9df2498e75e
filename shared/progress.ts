import { formatBytes, formatDuration } from './format';

/**
 * Structured progress every engine job emits (mirror, push, verify, copy, extract). The CLI renders it
 * as a status line, the worker forwards it over IPC, the renderer draws bars from it. Plain data only.
 * Transfers fill it from one model (electron/engine/copy/progress.ts); the rate window, the ETA and the
 * CLI line below are shared by every face.
 */
export interface ProgressEvent {
  /** What the job is doing now, e.g. 'plan', 'copy', 'write-volume', 'verify', 'push', 'done'. */
  phase: string;
  bytesDone: number;
  bytesTotal: number;
  itemsDone: number;
  itemsTotal: number;
  /** Source reference of the image being worked on, if any. */
  image?: string;
  /** Digest of the blob in flight, if any. */
  blob?: string;
  /** Volume file name, for media jobs. */
  volume?: string;
  bytesPerSecond?: number;
  etaSeconds?: number;
  /** A short human line worth showing (e.g. "skipped 12 blobs already in the mirror"). */
  message?: string;
  /**
   * Every volume file a media write fills: the blob bytes in it so far of those its plan puts there. They add
   * up to bytesDone and bytesTotal (tar headers and the index files are not counted anywhere).
   */
  volumes?: VolumeProgress[];
  /** Images complete of all, and some of those under way now (at most MAX_ACTIVE_IMAGES, in the order they started). */
  images?: ImagesProgress;
}

export interface VolumeProgress {
  name: string;
  bytesDone: number;
  bytesTotal: number;
}

/**
 * One image's own bytes: those of the blobs and manifests it is the first image of the run to need, so the
 * figures of all images add up to the run's. It is complete once everything it needs is, its own or not.
 */
export interface ImageProgress {
  source: string;
  bytesDone: number;
  bytesTotal: number;
}

export interface ImagesProgress {
  done: number;
  total: number;
  active: ImageProgress[];
}

/** Bounds an event's size whatever the number of images in the run (a catalog has thousands). */
export const MAX_ACTIVE_IMAGES = 8;

export type ProgressListener = (event: ProgressEvent) => void;

/**
 * The event with no figure past its total. Transfers count from their plan (electron/engine/copy/progress.ts)
 * and cannot run past it; this is the job layer's guard for any other engine that counts what it sees (a
 * media writer counting tar headers against blob sizes once showed a finished mirror as "933.0 KiB / 815.0
 * KiB"). An operator reads a total as a promise, so a done figure is held at it. An unknown total (0) is raised to what is done: "at least this much", never "5 MiB of 0 B".
 */
export function withinTotals(event: ProgressEvent): ProgressEvent {
  const held = (done: number, total: number) => {
    const d = Math.max(done, 0);
    return total > 0 ? { done: Math.min(d, total), total } : { done: d, total: d };
  };
  const bytes = held(event.bytesDone, event.bytesTotal);
  const items = held(event.itemsDone, event.itemsTotal);
  return { ...event, bytesDone: bytes.done, bytesTotal: bytes.total, itemsDone: items.done, itemsTotal: items.total };
}

export interface RateSample {
  atMs: number;
  /** A counter that only grows: bytes moved so far. */
  bytes: number;
}

/** The window a rate is measured over: long enough to smooth blob boundaries, short enough that a change of pace shows soon. */
export const RATE_WINDOW_MS = 10_000;
/** Less than this span of samples is no measurement yet: no rate, so no ETA. */
export const MIN_RATE_SPAN_MS = 1000;

/** Bytes per second between the first sample inside the window ending at the last one and that last one; undefined until measured. */
export function windowRate(samples: readonly RateSample[], windowMs = RATE_WINDOW_MS): number | undefined {
  const last = samples[samples.length - 1];
  if (!last) return undefined;
  const first = samples.find((s) => last.atMs - s.atMs <= windowMs)!;
  const span = last.atMs - first.atMs;
  if (span < Math.min(MIN_RATE_SPAN_MS, windowMs)) return undefined;
  return Math.max(last.bytes - first.bytes, 0) / (span / 1000);
}

/** Seconds left at `rate`; undefined while no rate is measured or nothing moves. */
export function etaSeconds(remaining: number, rate: number | undefined): number | undefined {
  if (!rate || rate <= 0) return undefined;
  return Math.max(remaining, 0) / rate;
}

/** The samples of a sliding window over a growing counter, one per SAMPLE_STEP_MS at most, the older ones dropped. */
export class RateWindow {
  private samples: RateSample[] = [];
  private static readonly SAMPLE_STEP_MS = 100;

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  add(atMs: number, bytes: number): void {
    // A burst of calls is one sample: the newest moves forward until it is a step past the one before it.
    const previous = this.samples[this.samples.length - 2];
    if (previous && atMs - previous.atMs < RateWindow.SAMPLE_STEP_MS) this.samples[this.samples.length - 1] = { atMs, bytes };
    else this.samples.push({ atMs, bytes });
    while (this.samples.length > 2 && atMs - this.samples[0]!.atMs > this.windowMs) this.samples.shift();
  }

  rate(): number | undefined {
    return windowRate(this.samples, this.windowMs);
  }
}

/**
 * Rate and ETA for events whose engine measured none (verify, extract), from their bytesDone over the same
 * sliding window: one formula for the CLI line and the app. An event from the engine's model keeps its own.
 */
export function measuring(now: () => number = Date.now): (raw: ProgressEvent) => ProgressEvent {
  const window = new RateWindow();
  return (raw) => {
    const event = withinTotals(raw);
    // The engine's model measures what it moves (not what a resume kept or the mirror held): no rate from it is none yet.
    if (event.bytesPerSecond !== undefined || event.images) return event;
    window.add(now(), event.bytesDone);
    const bytesPerSecond = window.rate();
    if (bytesPerSecond === undefined) return event;
    const eta = event.bytesTotal > 0 ? etaSeconds(event.bytesTotal - event.bytesDone, bytesPerSecond) : undefined;
    return { ...event, bytesPerSecond, ...(eta === undefined ? {} : { etaSeconds: eta }) };
  };
}

/** The one-line status the CLI draws: the same figures the app shows as bars. */
export function progressLine(e: ProgressEvent): string {
  const pct = e.bytesTotal > 0 ? ` (${Math.floor((100 * e.bytesDone) / e.bytesTotal)}%)` : '';
  const count = e.images ? `${e.images.done}/${e.images.total} images` : e.volume ? e.volume : `${e.itemsDone}/${e.itemsTotal} items`;
  const rate = e.bytesPerSecond !== undefined ? `, ${formatBytes(e.bytesPerSecond)}/s` : '';
  const eta = e.etaSeconds !== undefined ? `, ETA ${formatDuration(e.etaSeconds)}` : '';
  const now = e.images?.active[0]?.source ?? e.image;
  return `${e.phase}: ${count}, ${formatBytes(e.bytesDone)} of ${formatBytes(e.bytesTotal)}${pct}${rate}${eta}${now ? ` - ${now}` : ''}`;
}
