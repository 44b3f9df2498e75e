import { hashThread, type HashThread } from '../hashing/stream-hash';

/**
 * The sha256 of the volumes being written, computed on the process's one hashing thread (stream-hash.ts),
 * which reads back what has reached each file (from the page cache, 1 MiB at a time). Hashing on the main
 * thread took an eighth of a mirror to disk: 0.2 s of 1.54 s on the release bench, with the main thread the
 * bottleneck.
 *
 * Calls are messages handled in order: advance() says the bytes up to `end` are in the file, reset() that
 * the file was cut back or deleted (a failed blob undone), digest() asks for the hash of exactly `end` bytes.
 * Each hasher keeps its own hashes on the thread, so two writers never share one.
 */
let nextHasher = 0;

export class VolumeHasher {
  private readonly thread: HashThread = hashThread();
  private readonly prefix = `${nextHasher++}:`;
  private readonly paths = new Set<string>();
  private closed: Error | undefined;

  /** The bytes of `path` up to `end` are in the file. */
  advance(path: string, end: number): void {
    this.paths.add(path);
    this.thread.file({ op: 'file-advance', key: this.prefix + path, path, end });
  }

  /** `path` was cut back to `end` bytes (0: deleted): what was hashed past it is forgotten. */
  reset(path: string, end: number): void {
    this.thread.file({ op: 'file-reset', key: this.prefix + path, end });
  }

  /** The sha256 (hex) of the first `end` bytes of `path`, once hashed; the file is then forgotten. */
  digest(path: string, end: number): Promise<string> {
    if (this.closed) return Promise.reject(this.closed);
    this.paths.delete(path);
    return this.thread.fileDigest(this.prefix + path, path, end);
  }

  /** Forgets every file still being hashed (the thread closes their descriptors); later digests fail. */
  async close(): Promise<void> {
    this.closed ??= new Error('the volume hasher was closed');
    for (const path of this.paths) this.thread.file({ op: 'file-forget', key: this.prefix + path });
    this.paths.clear();
  }
}
