import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { FerryError } from '../../../shared/errors';

/**
 * The only way blob bytes arrive (like go-containerregistry's internal/verify and oras-go's
 * VerifyReader): hashes what passes, refuses a byte past the descriptor's size, and in flush()
 * fails on short data or a digest mismatch, so a consumer in `pipeline()` never sees a clean end
 * for bad bytes and never commits them.
 */
export interface BlobIdentity {
  digest: string;
  size: number;
  /** The image being copied, for the message. */
  image?: string;
  /** Where the bytes came from, e.g. "registry 127.0.0.1:5000 repository a/b" or "oci:/mnt/x". */
  source: string;
}

const ALGORITHMS: Record<string, string> = { sha256: 'sha256', sha512: 'sha512' };

export function digestAlgorithm(digest: string): string {
  const algo = ALGORITHMS[digest.slice(0, digest.indexOf(':'))];
  if (!algo) throw new FerryError('UNSUPPORTED', `The digest ${digest} uses an algorithm Ferry does not verify.`, { hint: 'Only sha256 and sha512 digests are supported.' });
  return algo;
}

export function digestOf(bytes: Uint8Array, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

export function mismatch(blob: BlobIdentity, what: string): FerryError {
  const image = blob.image ? ` of ${blob.image}` : '';
  return new FerryError('DIGEST_MISMATCH', `Blob ${blob.digest}${image} from ${blob.source} failed verification: ${what}.`, {
    hint: 'The stored data is corrupt or was changed in transit; nothing of this image was committed. Repair or re-push the source, then retry.',
    details: { digest: blob.digest, size: blob.size, ...(blob.image ? { image: blob.image } : {}), source: blob.source },
  });
}

export class VerifyingStream extends Transform {
  private readonly hash: Hash;
  private received = 0;

  constructor(
    readonly blob: BlobIdentity,
    private readonly onBytes?: (n: number) => void,
  ) {
    super();
    this.hash = createHash(digestAlgorithm(blob.digest));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.blob.size) {
      cb(mismatch(this.blob, `more than the expected ${this.blob.size} bytes arrived`));
      return;
    }
    this.hash.update(chunk);
    this.onBytes?.(chunk.length);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.received < this.blob.size) {
      cb(mismatch(this.blob, `only ${this.received} of ${this.blob.size} bytes arrived`));
      return;
    }
    const got = `${this.blob.digest.slice(0, this.blob.digest.indexOf(':'))}:${this.hash.digest('hex')}`;
    if (got !== this.blob.digest) {
      cb(mismatch(this.blob, `its content hashes to ${got}`));
      return;
    }
    cb();
  }
}

/** Whether `source` already verifies exactly this descriptor: a second verifier would only hash every byte again. */
export function verifiesAlready(source: unknown, blob: { digest: string; size: number }): source is VerifyingStream {
  return source instanceof VerifyingStream && source.blob.digest === blob.digest && source.blob.size === blob.size;
}
