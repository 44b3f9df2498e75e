import type { Readable } from 'node:stream';
import type { EngineContext } from '../context';
import { readThrough, VerifyingStream } from '../hashing/verified-stream';
import type { Descriptor } from '../registry/manifest';
import { plannedSource, type PlannedImage } from './plan';
import { linkedAbort } from '../abort';

/**
 * Blob downloads begun while the plan of a mirror to disk is still being read (issue 16). Planning is round
 * trips (every manifest, every signature-artifact check), and nothing may be written before the plan is
 * whole: the free-space check needs its total, and a refused transfer creates nothing. Over a WAN that was
 * two seconds of an idle link before the first blob byte. So the blobs of each image are fetched as soon as
 * its manifests are known, into memory: at most `parallel` downloads at once and HEAD_START_BYTES held in
 * all (a download pauses at the bound, its connection kept, until mirror to disk takes it over and reads on
 * from the same response). The bytes are verified as they would be otherwise: they pass through the
 * download's own verifier, whose end fails on a wrong digest. Nothing taken over is dropped by close().
 *
 * The bound is what the link moves while the plan is still read: on the bench's 40 ms profile (125 MB/s) the
 * components' planning lasted 1-1.4 s past the first download on a loaded host and the head start reached
 * 32 MiB well before it ended (the link idle meanwhile). On a quiet host 48 MiB filled that profile as 64 MiB did
 * (0.79 of the link either way) for 40 MiB less peak RSS (WAN 204 against 246 MiB, loopback 242 against 263);
 * 96 MiB reached 257 on the WAN: the 300 MB goal leaves no room for more.
 */
export const HEAD_START_BYTES = 48 * 1024 * 1024;

/**
 * Smaller blobs get no head start. Such a blob moves in a fraction of a round trip (256 KiB is 5 ms at 50 MB/s,
 * against 80 ms of round trip on the bench's 40 ms profile), so fetched early it moves no bytes worth the name,
 * yet holds one of the --parallel downloads until the writer takes it: on that profile the configs of the first
 * images took 12 of the 16, the four layers begun beside them ended long before the plan did, and the link
 * went idle. The writer fetches them beside the large downloads, where their round trips cost no link time.
 */
export const HEAD_START_MIN_BLOB = 256 * 1024;

interface Flight {
  digest: string;
  chunks: Buffer[];
  /** The download's verified stream, read here until taken over. */
  stream?: Readable;
  iterator?: AsyncIterator<Buffer>;
  ended: boolean;
  error?: unknown;
  taken: boolean;
  abort: ReturnType<typeof linkedAbort>;
  /** Settles once the reading loop here no longer touches the stream. */
  stopped: Promise<void>;
}

export interface TakeOptions {
  signal?: AbortSignal;
  /** Counts the bytes as the taker reads them (those read ahead included), for progress. */
  onBytes?: (n: number) => void;
}

export class HeadStart {
  private readonly flights = new Map<string, Flight>();
  private readonly pending: Array<{ image: PlannedImage; blob: Descriptor }> = [];
  private readonly queued = new Set<string>();
  private held = 0;
  private stopped = false;
  private waiters: Array<() => void> = [];

  /** `skip`: blobs not to fetch (those a delta's parent holds). */
  constructor(
    private readonly ctx: EngineContext,
    private readonly skip: ReadonlySet<string> = new Set(),
    private readonly budget = HEAD_START_BYTES,
  ) {}

  /**
   * An image whose manifests are known: its blobs are queued for a head start, unless its registry is near
   * (ctx.parallelFor): there the plan is read in a few milliseconds, and bytes held ahead only cost CPU.
   */
  offer(image: PlannedImage): void {
    if (this.stopped) return;
    const { location } = plannedSource(this.ctx, image);
    if (location && this.ctx.parallelFor([location.registry]) < this.ctx.options.parallel) return;
    for (const m of image.images) {
      for (const blob of m.blobs) {
        if (blob.size < HEAD_START_MIN_BLOB || this.queued.has(blob.digest) || this.skip.has(blob.digest)) continue;
        this.queued.add(blob.digest);
        this.pending.push({ image, blob });
      }
    }
    this.pump();
  }

  /** No download begins after this; those begun can still be taken. */
  stop(): void {
    this.stopped = true;
    this.pending.length = 0;
  }

  /** Whether a download of `digest` has begun (and is not taken yet). */
  has(digest: string): boolean {
    const f = this.flights.get(digest);
    return f !== undefined && !f.taken;
  }

  /** The download begun for `digest`, taken over: what was read ahead, then the rest of the same response. */
  take(digest: string, opts: TakeOptions = {}): AsyncIterable<Uint8Array> | undefined {
    const f = this.flights.get(digest);
    if (!f || f.taken) return undefined;
    f.taken = true;
    this.wake();
    const chunks = this.rest(f, opts);
    return f.stream instanceof VerifyingStream ? readThrough(f.stream, chunks) : chunks;
  }

  /** Stops and drops every download still here: not taken over, or taken by a writer that found the blob written. */
  close(): void {
    this.stop();
    for (const f of [...this.flights.values()]) {
      f.taken = true;
      f.abort.stop();
      this.release(f);
      void f.stopped.then(() => f.iterator?.return?.()).catch(() => undefined);
    }
    this.wake();
  }

  private async *rest(f: Flight, opts: TakeOptions): AsyncGenerator<Uint8Array> {
    const abort = () => f.abort.stop(opts.signal?.reason);
    opts.signal?.addEventListener('abort', abort, { once: true });
    try {
      await f.stopped;
      while (f.chunks.length > 0) {
        const chunk = f.chunks.shift()!;
        this.held -= chunk.length;
        this.wake();
        opts.onBytes?.(chunk.length);
        yield chunk;
      }
      if (f.error !== undefined) throw f.error;
      if (f.ended) return;
      for (;;) {
        const r = await f.iterator!.next();
        if (r.done) return;
        opts.onBytes?.(r.value.length);
        yield r.value;
      }
    } finally {
      opts.signal?.removeEventListener('abort', abort);
      this.release(f);
      await f.iterator?.return?.()?.catch(() => undefined);
    }
  }

  private release(f: Flight): void {
    for (const c of f.chunks) this.held -= c.length;
    f.chunks = [];
    this.flights.delete(f.digest);
    this.pump();
  }

  /**
   * Begins the largest blobs offered so far, while fewer than --parallel downloads are here, read or not: a run
   * killed right after the plan then has at most --parallel blobs in flight, as any other run, so a resume
   * fetches again no more than those.
   */
  private pump(): void {
    while (!this.stopped && this.flights.size < this.ctx.options.parallel && this.held < this.budget && this.pending.length > 0) {
      let largest = 0;
      for (let i = 1; i < this.pending.length; i++) if (this.pending[i]!.blob.size > this.pending[largest]!.blob.size) largest = i;
      const { image, blob } = this.pending.splice(largest, 1)[0]!;
      const f: Flight = { digest: blob.digest, chunks: [], ended: false, taken: false, abort: linkedAbort(this.ctx.signal), stopped: Promise.resolve() };
      this.flights.set(blob.digest, f);
      f.stopped = this.read(f, image, blob);
    }
  }

  /** Reads the download ahead while it is not taken over and the bound allows. */
  private async read(f: Flight, image: PlannedImage, blob: Descriptor): Promise<void> {
    const { signal } = f.abort;
    try {
      f.stream = await plannedSource(this.ctx, image).openBlob(blob, { image: image.source, signal });
      f.iterator = f.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      while (!f.taken) {
        if (this.held >= this.budget) {
          await new Promise<void>((resolve) => this.waiters.push(resolve));
          continue;
        }
        const r = await f.iterator.next();
        if (r.done) {
          f.ended = true;
          return;
        }
        f.chunks.push(r.value);
        this.held += r.value.length;
      }
    } catch (e) {
      f.error = e;
    } finally {
      // Dropped by close() meanwhile: what arrived since is let go.
      if (!this.flights.has(f.digest)) this.release(f);
    }
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }
}
