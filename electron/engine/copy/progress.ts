import type { ProgressListener } from '../../../shared/progress';
import type { Descriptor } from '../registry/manifest';

/** Turns byte and blob counts into ProgressEvents: every finished blob, and bytes at most every 250 ms. */
export class ProgressTracker {
  bytesDone = 0;
  private itemsDone = 0;
  private lastEmit = 0;

  constructor(
    private readonly listener: ProgressListener,
    private readonly image: string,
    private readonly itemsTotal: number,
    private readonly bytesTotal: number,
  ) {
    this.emit();
  }

  bytes(n: number, blob: string): void {
    this.bytesDone += n;
    const now = Date.now();
    if (now - this.lastEmit >= 250) this.emit(blob, now);
  }

  /** A blob is done; `uncounted` is what of its size did not pass through bytes() (skipped, mounted). */
  blobDone(blob: Descriptor, uncounted: number): void {
    this.bytesDone += Math.max(uncounted, 0);
    this.itemsDone++;
    this.emit(blob.digest);
  }

  finish(): void {
    this.emit(undefined, Date.now(), 'done');
  }

  private emit(blob?: string, now = Date.now(), phase = 'copy'): void {
    this.lastEmit = now;
    this.listener({
      phase,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      itemsDone: this.itemsDone,
      itemsTotal: this.itemsTotal,
      image: this.image,
      ...(blob ? { blob } : {}),
    });
  }
}
