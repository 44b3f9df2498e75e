import { setMaxListeners } from 'node:events';

/**
 * A step's own stop, linked to the caller's cancel: `stop()` ends this step's work (its first failure stops the
 * rest) and a cancel from any parent does too. Every request and blob in flight listens on the one signal, so the
 * listener cap is lifted: dozens are the design, not a leak. `AbortSignal.any` holds its parents weakly, so a
 * long-lived parent does not collect a listener per step.
 */
export function linkedAbort(...parents: Array<AbortSignal | undefined>): { signal: AbortSignal; stop(reason?: unknown): void } {
  const own = new AbortController();
  const linked = parents.filter((s): s is AbortSignal => s !== undefined);
  const signal = linked.length ? AbortSignal.any([...linked, own.signal]) : own.signal;
  setMaxListeners(0, signal);
  return { signal, stop: (reason) => own.abort(reason) };
}
