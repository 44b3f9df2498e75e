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

/**
 * The event with no figure past its total. Engines count what they see, and that can run past the planned
 * total (the media writer counts tar headers and the OCI tail against the sum of blob sizes, which showed a
 * finished mirror as "933.0 KiB / 815.0 KiB"); an operator reads a total as a promise, so a done figure is
 * held at it. An unknown total (0) is raised to what is done: "at least this much", never "5 MiB of 0 B".
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

/** Throughput and ETA from a start time and counters (held within their totals); one formula for CLI and UI. */
export function withRates(raw: ProgressEvent, startedAtMs: number, nowMs: number): ProgressEvent {
  const event = withinTotals(raw);
  const seconds = Math.max((nowMs - startedAtMs) / 1000, 0.001);
  const bytesPerSecond = event.bytesDone / seconds;
  const remaining = Math.max(event.bytesTotal - event.bytesDone, 0);
  const etaSeconds = bytesPerSecond > 0 ? remaining / bytesPerSecond : undefined;
  return { ...event, bytesPerSecond, ...(etaSeconds === undefined ? {} : { etaSeconds }) };
}
