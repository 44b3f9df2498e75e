import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { FerryError } from '../../../shared/errors';
import { streamHash, type StreamHash } from './stream-hash';

/**
 * The one way blob bytes are checked, wherever they come from (registry, OCI layout, a transfer's volumes,
 * a tar entry read back): like go-containerregistry's internal/verify and oras-go's VerifyReader, the bytes
 * are counted and hashed as they pass, a byte past the descriptor's size fails at once, and the end fails on
 * short data or a digest mismatch, so a consumer never sees a clean end for bad bytes and never commits them.
 * One code per kind of failure: SIZE_MISMATCH for too many or too few bytes, DIGEST_MISMATCH for the wrong
 * content. The message names what the caller knows: image, images using the blob, source, volume.
 */
export interface BlobIdentity {
  digest: string;
  size: number;
  /** The image being copied, for the message. */
  image?: string;
  /** Where the bytes came from, e.g. "registry 127.0.0.1:5000 repository a/b" or "oci:/mnt/x". */
  source?: string;
  /** The transfer volume(s) holding the bytes. */
  volume?: string;
  /** The images using the blob, looked up only when it fails (the reader finds them on the media). */
  images?: () => Promise<readonly string[]>;
  /** When these bytes are one part of a split blob: which part of which blob (`digest` is then the part's). */
  part?: { blob: string; number: number };
  /** What to do about it, when the caller knows better than the default (e.g. copy the media again). */
  hint?: string;
}

const DEFAULT_HINT = 'The stored data is corrupt or was changed in transit; nothing of it was committed. Repair or re-push the source, then retry.';

const ALGORITHMS: Record<string, string> = { sha256: 'sha256', sha512: 'sha512' };

export function digestAlgorithm(digest: string): string {
  const algo = ALGORITHMS[digest.slice(0, digest.indexOf(':'))];
  if (!algo) throw new FerryError('UNSUPPORTED', `The digest ${digest} uses an algorithm Ferry does not verify.`, { hint: 'Only sha256 and sha512 digests are supported.' });
  return algo;
}

export function digestOf(bytes: Uint8Array, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

export interface VerifierOptions {
  /**
   * Hash on the shared hashing thread (stream-hash.ts) rather than in place: `ferry verify` does, to overlap
   * with its whole-volume hash; downloads and uploads do not (no wall time gained, memory and CPU lost).
   */
  offThread?: boolean;
}

type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Counts and hashes one blob's bytes; update() and end() reject with the FerryError that names it. */
export class BlobVerifier {
  private readonly hash: StreamHash;
  private received = 0;

  constructor(
    readonly blob: BlobIdentity,
    options: VerifierOptions = {},
  ) {
    this.hash = streamHash(digestAlgorithm(blob.digest), blob.size, options.offThread ?? false);
  }

  /** Adds bytes; a promise means wait for it before the next (it rejects on a byte past the size). */
  update(chunk: Uint8Array): Promise<void> | undefined {
    this.received += chunk.length;
    if (this.received > this.blob.size) return this.fail('SIZE_MISMATCH', `more than the expected ${this.blob.size} bytes arrived`);
    return this.hash.update(chunk);
  }

  /** Resolves when exactly the descriptor's bytes arrived; rejects on short data or the wrong digest. */
  async end(): Promise<void> {
    if (this.received < this.blob.size) return this.fail('SIZE_MISMATCH', `only ${this.received} of ${this.blob.size} bytes arrived`);
    const got = `${this.blob.digest.slice(0, this.blob.digest.indexOf(':'))}:${await this.hash.digest()}`;
    if (got !== this.blob.digest) return this.fail('DIGEST_MISMATCH', `its content hashes to ${got}`, got);
  }

  /** Abandons the hash (the stream failed); safe at any time. */
  dispose(): void {
    this.hash.dispose();
  }

  private async fail(code: 'SIZE_MISMATCH' | 'DIGEST_MISMATCH', what: string, actual?: string): Promise<never> {
    this.dispose();
    const b = this.blob;
    const images = (await b.images?.().catch(() => undefined)) ?? [];
    const subject = b.part ? `Part ${b.part.number} of blob ${b.part.blob}` : `Blob ${b.digest}`;
    const where = [b.image ? ` of ${b.image}` : '', images.length ? ` (used by ${images.join(', ')})` : '', b.source ? ` from ${b.source}` : '', b.volume ? ` in volume ${b.volume}` : ''].join('');
    throw new FerryError(code, `${subject}${where} failed verification: ${what}.`, {
      hint: b.hint ?? DEFAULT_HINT,
      details: {
        digest: b.part?.blob ?? b.digest,
        size: b.size,
        ...(b.part ? { part: b.part.number, partDigest: b.digest } : {}),
        ...(b.image ? { image: b.image } : {}),
        ...(images.length ? { images } : {}),
        ...(b.source ? { source: b.source } : {}),
        ...(b.volume ? { volume: b.volume } : {}),
        ...(code === 'SIZE_MISMATCH' ? { received: this.received } : { actual }),
      },
    });
  }
}

/** For a check that reports rather than throws: the mismatch `step` (an update() or end()) failed with, or undefined. */
export async function mismatchOf(step: Promise<void> | undefined): Promise<FerryError | undefined> {
  try {
    await step;
    return undefined;
  } catch (e) {
    if (e instanceof FerryError && (e.code === 'SIZE_MISMATCH' || e.code === 'DIGEST_MISMATCH')) return e;
    throw e;
  }
}

/**
 * The source's chunks, verified: the iterator throws instead of ending on bad bytes. A source that already
 * verifies this very descriptor (a registry or layout stream) is returned as it is, not hashed twice.
 */
export function verifiedChunks(blob: BlobIdentity, source: Chunks, options?: VerifierOptions): AsyncIterable<Uint8Array> {
  return verifiesAlready(source, blob) ? source : verifying(blob, source, options);
}

async function* verifying(blob: BlobIdentity, source: Chunks, options?: VerifierOptions): AsyncGenerator<Uint8Array> {
  const verifier = new BlobVerifier(blob, options);
  try {
    for await (const chunk of source) {
      const wait = verifier.update(chunk);
      if (wait) await wait;
      yield chunk;
    }
    await verifier.end();
  } finally {
    verifier.dispose();
  }
}

/** The verifier as a Transform for `pipeline()`: it fails in _flush, so the consumer never sees a clean end for bad bytes. */
export class VerifyingStream extends Transform {
  private readonly verifier: BlobVerifier;

  constructor(
    readonly blob: BlobIdentity,
    private readonly onBytes?: (n: number) => void,
  ) {
    super();
    this.verifier = new BlobVerifier(blob);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const pass = (): void => {
      this.onBytes?.(chunk.length);
      cb(null, chunk);
    };
    const wait = this.verifier.update(chunk);
    if (wait) wait.then(pass, cb);
    else pass();
  }

  override _flush(cb: TransformCallback): void {
    this.verifier.end().then(() => cb(), cb);
  }

  override _destroy(error: Error | null, cb: (error?: Error | null) => void): void {
    this.verifier.dispose();
    cb(error);
  }
}

const READ_THROUGH = Symbol('read through a VerifyingStream');

/**
 * `chunks`, every one of which is read from `stream` (some perhaps before this call) and ends as it ends: the
 * stream's verifier sees them all and fails the end, so no second verifier is needed. For a download read
 * ahead of its consumer (transfer/head-start.ts).
 */
export function readThrough<T extends AsyncIterable<Uint8Array>>(stream: VerifyingStream, chunks: T): T {
  return Object.assign(chunks, { [READ_THROUGH]: stream.blob });
}

/** Whether `source` already verifies exactly this descriptor: a second verifier would only hash every byte again. */
function verifiesAlready(source: unknown, blob: { digest: string; size: number }): source is AsyncIterable<Uint8Array> {
  const verified = source instanceof VerifyingStream ? source.blob : (source as { [READ_THROUGH]?: BlobIdentity })[READ_THROUGH];
  return verified !== undefined && verified.digest === blob.digest && verified.size === blob.size;
}
