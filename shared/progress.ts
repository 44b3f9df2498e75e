/**
 * Structured progress every engine job emits (mirror, push, verify, copy, extract). The CLI renders it
 * as a status line, the worker forwards it over IPC, the renderer draws bars from it. Plain data only.
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
}

export type ProgressListener = (event: ProgressEvent) => void;

/** Throughput and ETA from a start time and counters; one formula for CLI and UI. */
export function withRates(event: ProgressEvent, startedAtMs: number, nowMs: number): ProgressEvent {
  const seconds = Math.max((nowMs - startedAtMs) / 1000, 0.001);
  const bytesPerSecond = event.bytesDone / seconds;
  const remaining = Math.max(event.bytesTotal - event.bytesDone, 0);
  const etaSeconds = bytesPerSecond > 0 ? remaining / bytesPerSecond : undefined;
  return { ...event, bytesPerSecond, ...(etaSeconds === undefined ? {} : { etaSeconds }) };
}
