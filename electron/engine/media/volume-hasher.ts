import { Worker } from 'node:worker_threads';

/**
 * The sha256 of the volumes being written, computed on a worker thread that reads back what has reached
 * each file (from the page cache, 1 MiB at a time). Hashing on the main thread took an eighth of a mirror
 * to disk: 0.2 s of 1.54 s on the release bench, with the main thread the bottleneck.
 *
 * Calls are messages handled in order: advance() says the bytes up to `end` are in the file, reset() that
 * the file was cut back or deleted (a failed blob undone), digest() asks for the hash of exactly `end` bytes.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync, constants } = require('node:fs');
// The writer created each volume itself (confined-file.ts); a link swapped in meanwhile is not followed.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW || 0);
const { createHash } = require('node:crypto');
const buffer = Buffer.allocUnsafe(1024 * 1024);
const files = new Map();

function fileState(path) {
  let s = files.get(path);
  if (!s) {
    s = { fd: undefined, hash: createHash('sha256'), pos: 0, error: undefined };
    files.set(path, s);
  }
  return s;
}

function advance(path, s, end) {
  if (s.error || s.pos >= end) return;
  try {
    if (s.fd === undefined) s.fd = openSync(path, READ_FLAGS);
    while (s.pos < end) {
      const n = readSync(s.fd, buffer, 0, Math.min(buffer.length, end - s.pos), s.pos);
      if (n === 0) throw new Error(path + ' ends at byte ' + s.pos + ', before ' + end);
      s.hash.update(buffer.subarray(0, n));
      s.pos += n;
    }
  } catch (e) {
    s.error = e instanceof Error ? e.message : String(e);
  }
}

function forget(path) {
  const s = files.get(path);
  if (s && s.fd !== undefined) closeSync(s.fd);
  files.delete(path);
}

parentPort.on('message', (m) => {
  if (m.op === 'advance') {
    advance(m.path, fileState(m.path), m.end);
  } else if (m.op === 'reset') {
    // Cut back, or deleted (and perhaps created again): start over, reading from a fresh descriptor.
    // A read that raced the cut and ran into the new end failed, but what it read before stands.
    const s = files.get(m.path);
    if (s && (s.pos > m.end || m.end === 0)) forget(m.path);
    else if (s) s.error = undefined;
  } else if (m.op === 'digest') {
    const s = fileState(m.path);
    advance(m.path, s, m.end);
    forget(m.path);
    parentPort.postMessage(s.error ? { id: m.id, error: s.error } : { id: m.id, sha256: s.hash.digest('hex') });
  }
});
`;

type Reply = { id: number; sha256: string } | { id: number; error: string };

export class VolumeHasher {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (sha256: string) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    // Only a pending digest keeps the process alive; an idle hasher never does.
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => this.settle(reply));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the volume hashing thread exited (code ${code})`)));
  }

  /** The bytes of `path` up to `end` are in the file. */
  advance(path: string, end: number): void {
    this.worker.postMessage({ op: 'advance', path, end });
  }

  /** `path` was cut back to `end` bytes (0: deleted): what was hashed past it is forgotten. */
  reset(path: string, end: number): void {
    this.worker.postMessage({ op: 'reset', path, end });
  }

  /** The sha256 (hex) of the first `end` bytes of `path`, once hashed; the file is then forgotten. */
  digest(path: string, end: number): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const result = new Promise<string>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.ref();
    this.worker.postMessage({ op: 'digest', path, end, id });
    return result;
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
    this.fail(new Error('the volume hasher was closed'));
  }

  private settle(reply: Reply): void {
    const waiter = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (!waiter) return;
    if ('error' in reply) waiter.reject(new Error(`Could not hash the volume: ${reply.error}`));
    else waiter.resolve(reply.sha256);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const waiter of this.pending.values()) waiter.reject(e);
    this.pending.clear();
  }
}
