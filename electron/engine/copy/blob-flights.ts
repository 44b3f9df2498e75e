import type { BlobLocation } from './types';

/**
 * The blob work of one run that copies many images into a registry (a push, a direct mirror): each blob
 * is checked and, when missing, stored at most once per repository, however many images need it and
 * whenever each asks (single flight). The images waiting on another's flight hold no transfer slot, so
 * the run's one limiter bounds the real work whatever the number of images. A blob being uploaded into
 * another repository of the same registry is waited for, then mounted from there rather than sent twice.
 * A failed flight is forgotten: its failure belongs to the image that ran it (whose other blob may have
 * aborted it), and the next image needing the blob tries again itself.
 */
export type BlobOutcome = 'skipped' | 'mounted' | 'uploaded';

function forgetOnFailure<T>(map: Map<string, Promise<T>>, key: string, flight: Promise<T>): void {
  flight.catch(() => {
    if (map.get(key) === flight) map.delete(key);
  });
}

export class BlobFlights {
  /** `registry/repository@digest` → the flight that stores the blob there, under way or done. */
  private readonly flights = new Map<string, Promise<BlobOutcome>>();
  /** `registry digest` → the upload (bytes travelling) of that blob into some repository of the registry. */
  private readonly uploads = new Map<string, Promise<unknown>>();

  /**
   * Runs `store` for the blob in `where` unless this run already stored it there or is storing it: an
   * image that finds the work done or under way gets `skipped` once it has succeeded (nothing travelled for it).
   */
  async once(where: BlobLocation, digest: string, store: () => Promise<BlobOutcome>): Promise<BlobOutcome> {
    const key = `${where.registry}/${where.repository}@${digest}`;
    for (let running = this.flights.get(key); running; running = this.flights.get(key)) {
      try {
        await running;
        return 'skipped';
      } catch {
        // That image's attempt failed; this image tries on its own (or joins whoever already does).
      }
    }
    const flight = store();
    this.flights.set(key, flight);
    forgetOnFailure(this.flights, key, flight);
    return flight;
  }

  /**
   * Sends the blob into `where` with `send`, after any upload of it into another repository of the same
   * registry has ended, so that `send` finds it there and mounts it instead of sending the bytes again.
   */
  async upload(where: BlobLocation, digest: string, send: () => Promise<'mounted' | 'uploaded'>): Promise<'mounted' | 'uploaded'> {
    const key = `${where.registry} ${digest}`;
    const elsewhere = this.uploads.get(key);
    if (elsewhere) {
      await elsewhere.catch(() => undefined);
      return send();
    }
    const upload = send();
    this.uploads.set(key, upload);
    forgetOnFailure(this.uploads, key, upload);
    return upload;
  }
}
