import type { Hash } from 'node:crypto';

/** Reads a stream as consecutive byte ranges of given lengths: the parts of a split blob, the entries of a volume checked on resume. */
export class ByteCursor {
  private pending: Uint8Array | undefined;
  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  /** The next `n` bytes, cutting a chunk where a range ends; fewer if the source ends early. */
  async *take(n: number, hash?: Hash): AsyncIterable<Uint8Array> {
    let left = n;
    while (left > 0) {
      let chunk = this.pending;
      this.pending = undefined;
      if (!chunk) {
        const r = await this.it.next();
        if (r.done) return; // the verifying source reports the shortfall on the next pull
        chunk = r.value;
      }
      if (chunk.length > left) {
        this.pending = chunk.subarray(left);
        chunk = chunk.subarray(0, left);
      }
      hash?.update(chunk);
      left -= chunk.length;
      yield chunk;
    }
  }

  /** Pulls once more so the verifying source checks length and digest; it must be exhausted by then. */
  async end(): Promise<void> {
    if (this.pending || !(await this.it.next()).done) throw new Error('verified source yielded past its size');
  }

  async cancel(): Promise<void> {
    await this.it.return?.(undefined).catch(() => undefined);
  }
}
