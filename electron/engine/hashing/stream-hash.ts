import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * The digest of a stream that is still flowing: small ones are hashed in place, large ones on a shared
 * worker thread. `ferry verify` uses it for tar entries while its own thread hashes the whole volume, so
 * the two sha256 passes overlap (1.14–1.23 s against 1.23–1.45 s in place for the 464 MiB release).
 * Blob downloads, uploads and transfer reads hash in place: there the thread gained no wall time on the
 * 2-core bench, cost CPU, and its ~10 MiB pushed a 256 MiB copy past its 150 MiB peak-RSS bound. Moving
 * their chunks to the thread and back instead of copying them (tried for issue 16) did not pay either: the
 * main thread's CPU fell (mirror to disk 1.51 -> 1.35 s, push 1.21 -> 0.90 s for 449 MiB) but the total
 * rose (2.60 -> 2.83 s, 1.82 -> 2.00 s) and wall time with it, as the bench's two cores, shared with the
 * registry, are saturated: there the total CPU, not the main thread's, sets the pace.
 *
 * The same thread reads back and hashes the volumes a transfer writer is writing (media/volume-hasher.ts):
 * one hashing thread per process.
 *
 * Bytes are copied into BATCH-sized buffers whose memory moves to the worker and comes back to be reused;
 * at most IN_FLIGHT of them per hash are out, so a slow hasher slows the stream instead of growing memory.
 */
export interface StreamHash {
  /** Adds bytes (copied: the caller keeps its chunk). A promise means: add no more until it resolves. */
  update(chunk: Uint8Array): Promise<void> | undefined;
  /** The hex digest of every byte added; the hash is finished. */
  digest(): Promise<string>;
  /** Abandons the hash (the stream failed); safe to call at any time, twice, or after digest(). */
  dispose(): void;
}

/** Below this a stream is hashed in place: a worker round trip would cost more than it saves. */
export const OFF_THREAD_MIN = 1024 * 1024;
const BATCH = 1024 * 1024;
const IN_FLIGHT = 4;

/**
 * A hash of `algorithm` (a node:crypto name) for a stream of `expectedSize` bytes: on the hashing thread
 * when `offThread` and the stream is large enough for the round trips to pay, else in place.
 */
export function streamHash(algorithm: string, expectedSize: number, offThread = true): StreamHash {
  return !offThread || expectedSize < OFF_THREAD_MIN ? new InPlaceHash(algorithm) : hashThread().open(algorithm);
}

class InPlaceHash implements StreamHash {
  private readonly hash;
  constructor(algorithm: string) {
    this.hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): undefined {
    this.hash.update(chunk);
    return undefined;
  }
  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }
  dispose(): void {}
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync, constants } = require('node:fs');
const hashes = new Map();

// Files being written, hashed by reading back what has reached them (media/volume-hasher.ts). The writer
// created each one itself (confined-file.ts); a link swapped in meanwhile is not followed.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW || 0);
const readBuffer = Buffer.allocUnsafe(1024 * 1024);
const files = new Map();

function fileState(key) {
  let s = files.get(key);
  if (!s) {
    s = { fd: undefined, hash: createHash('sha256'), pos: 0, error: undefined };
    files.set(key, s);
  }
  return s;
}

function advance(path, s, end) {
  if (s.error || s.pos >= end) return;
  try {
    if (s.fd === undefined) s.fd = openSync(path, READ_FLAGS);
    while (s.pos < end) {
      const n = readSync(s.fd, readBuffer, 0, Math.min(readBuffer.length, end - s.pos), s.pos);
      if (n === 0) throw new Error(path + ' ends at byte ' + s.pos + ', before ' + end);
      s.hash.update(readBuffer.subarray(0, n));
      s.pos += n;
    }
  } catch (e) {
    s.error = e instanceof Error ? e.message : String(e);
  }
}

function forget(key) {
  const s = files.get(key);
  if (s && s.fd !== undefined) closeSync(s.fd);
  files.delete(key);
}

parentPort.on('message', (m) => {
  if (m.op === 'open') {
    hashes.set(m.id, createHash(m.algorithm));
  } else if (m.op === 'update') {
    const h = hashes.get(m.id);
    if (h) h.update(new Uint8Array(m.buffer, 0, m.length));
    parentPort.postMessage({ op: 'returned', id: m.id, buffer: m.buffer }, [m.buffer]);
  } else if (m.op === 'digest') {
    const h = hashes.get(m.id);
    hashes.delete(m.id);
    parentPort.postMessage({ op: 'digest', id: m.id, hex: h ? h.digest('hex') : undefined });
  } else if (m.op === 'dispose') {
    hashes.delete(m.id);
  } else if (m.op === 'file-advance') {
    advance(m.path, fileState(m.key), m.end);
  } else if (m.op === 'file-reset') {
    // Cut back, or deleted (and perhaps created again): start over, reading from a fresh descriptor.
    // A read that raced the cut and ran into the new end failed, but what it read before stands.
    const s = files.get(m.key);
    if (s && (s.pos > m.end || m.end === 0)) forget(m.key);
    else if (s) s.error = undefined;
  } else if (m.op === 'file-digest') {
    const s = fileState(m.key);
    advance(m.path, s, m.end);
    forget(m.key);
    parentPort.postMessage(s.error ? { op: 'file-digest', id: m.id, error: s.error } : { op: 'file-digest', id: m.id, hex: s.hash.digest('hex') });
  } else if (m.op === 'file-forget') {
    forget(m.key);
  }
});
`;

type Reply =
  | { op: 'returned'; id: number; buffer: ArrayBuffer }
  | { op: 'digest'; id: number; hex?: string }
  | { op: 'file-digest'; id: number; hex?: string; error?: string };

/** What a file being written asks of the hashing thread (media/volume-hasher.ts); `key` names one hash of one file. */
export type FileHashMessage =
  | { op: 'file-advance'; key: string; path: string; end: number }
  | { op: 'file-reset'; key: string; end: number }
  | { op: 'file-forget'; key: string };

let shared: HashThread | undefined;

/** The process's hash thread, started on first use and again after a failure. */
export function hashThread(): HashThread {
  if (!shared || shared.failed) shared = new HashThread();
  return shared;
}

export class HashThread {
  failed: Error | undefined;
  private readonly worker: Worker;
  private nextId = 0;
  private readonly hashes = new Map<number, ThreadedHash>();
  private readonly fileDigests = new Map<number, { resolve: (hex: string) => void; reject: (e: Error) => void }>();
  private readonly spare: ArrayBuffer[] = [];
  /** Replies still to come (a returned buffer per batch, a digest per digest()): only these keep the process alive. */
  private awaited = 0;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.on('message', (reply: Reply) => this.receive(reply));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the hashing thread exited (code ${code})`)));
    // After the listeners: a 'message' listener refs the worker's port again, and a hash abandoned before
    // its first batch (a damaged tar entry) would then keep the process alive for ever after its report.
    this.worker.unref();
  }

  open(algorithm: string): ThreadedHash {
    const id = this.nextId++;
    const hash = new ThreadedHash(this, id);
    this.hashes.set(id, hash);
    this.worker.postMessage({ op: 'open', id, algorithm });
    return hash;
  }

  /** Tells the thread how a file being hashed changed; nothing is answered. */
  file(message: FileHashMessage): void {
    if (!this.failed) this.worker.postMessage(message);
  }

  /** The sha256 (hex) of the first `end` bytes of the file hashed as `key`, once read; the thread then forgets it. */
  fileDigest(key: string, path: string, end: number): Promise<string> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const result = new Promise<string>((resolve, reject) => this.fileDigests.set(id, { resolve, reject }));
    if (this.awaited++ === 0) this.worker.ref();
    this.worker.postMessage({ op: 'file-digest', key, path, end, id });
    return result;
  }

  buffer(): ArrayBuffer {
    return this.spare.pop() ?? new ArrayBuffer(BATCH);
  }

  /** Sends a batch (its memory moves to the worker) or asks for the digest; either is answered. */
  post(message: { op: 'update'; id: number; buffer: ArrayBuffer; length: number } | { op: 'digest'; id: number }): void {
    if (this.awaited++ === 0) this.worker.ref();
    this.worker.postMessage(message, message.op === 'update' ? [message.buffer] : []);
  }

  /** The hash is done with (digested or abandoned); the worker forgets it too unless it already has. */
  close(id: number, tellWorker: boolean): void {
    if (!this.hashes.delete(id)) return;
    if (tellWorker && !this.failed) this.worker.postMessage({ op: 'dispose', id });
  }

  private receive(reply: Reply): void {
    if (--this.awaited === 0) this.worker.unref();
    if (reply.op === 'file-digest') {
      const waiter = this.fileDigests.get(reply.id);
      this.fileDigests.delete(reply.id);
      if (reply.hex === undefined) waiter?.reject(new Error(`Could not hash the volume: ${reply.error ?? 'no digest'}`));
      else waiter?.resolve(reply.hex);
      return;
    }
    if (reply.op === 'returned' && this.spare.length < IN_FLIGHT * 2) this.spare.push(reply.buffer);
    this.hashes.get(reply.id)?.receive(reply);
  }

  private fail(e: Error): void {
    this.failed ??= e;
    this.awaited = 0;
    for (const hash of this.hashes.values()) hash.fail(e);
    this.hashes.clear();
    for (const waiter of this.fileDigests.values()) waiter.reject(e);
    this.fileDigests.clear();
  }
}

class ThreadedHash implements StreamHash {
  private batch: Uint8Array | undefined;
  private filled = 0;
  private out = 0;
  private roomWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private digestWaiter: { resolve: (hex: string) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private done = false;

  constructor(
    private readonly thread: HashThread,
    private readonly id: number,
  ) {}

  update(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    for (let taken = 0; taken < chunk.length; ) {
      this.batch ??= new Uint8Array(this.thread.buffer());
      const n = Math.min(chunk.length - taken, BATCH - this.filled);
      this.batch.set(chunk.subarray(taken, taken + n), this.filled);
      this.filled += n;
      taken += n;
      if (this.filled === BATCH) this.send();
    }
    if (this.out < IN_FLIGHT) return undefined;
    return new Promise((resolve, reject) => (this.roomWaiter = { resolve, reject }));
  }

  digest(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    this.send();
    this.done = true;
    this.thread.post({ op: 'digest', id: this.id });
    return new Promise((resolve, reject) => (this.digestWaiter = { resolve, reject }));
  }

  dispose(): void {
    this.done = true;
    this.thread.close(this.id, true);
  }

  receive(reply: Extract<Reply, { op: 'returned' | 'digest' }>): void {
    if (reply.op === 'returned') {
      this.out--;
      if (this.out < IN_FLIGHT) {
        const waiter = this.roomWaiter;
        this.roomWaiter = undefined;
        waiter?.resolve();
      }
      return;
    }
    this.thread.close(this.id, false);
    if (reply.hex === undefined) this.fail(new Error('the hashing thread lost a hash'));
    else this.digestWaiter?.resolve(reply.hex);
  }

  fail(e: Error): void {
    this.failure ??= e;
    this.roomWaiter?.reject(e);
    this.digestWaiter?.reject(e);
    this.roomWaiter = this.digestWaiter = undefined;
  }

  private send(): void {
    if (!this.batch || this.filled === 0 || this.done) return;
    this.thread.post({ op: 'update', id: this.id, buffer: this.batch.buffer as ArrayBuffer, length: this.filled });
    this.batch = undefined;
    this.filled = 0;
    this.out++;
  }
}
