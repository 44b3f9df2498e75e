/**
 * Lets a running job stop at its next safe point (between blobs, between images) and wait there
 * until resumed or cancelled. Cancelling while paused releases the wait with the abort reason.
 */
export class PauseGate {
  private waiting: { promise: Promise<void>; release: () => void } | undefined;

  get paused(): boolean {
    return this.waiting !== undefined;
  }

  pause(): void {
    if (this.waiting) return;
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.waiting = { promise, release };
  }

  resume(): void {
    this.waiting?.release();
    this.waiting = undefined;
  }

  /** Resolves at once when running; while paused, when resumed. Rejects as soon as `signal` aborts. */
  async wait(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (!this.waiting) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      void this.waiting!.promise.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}
