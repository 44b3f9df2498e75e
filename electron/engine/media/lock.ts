import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { hostname } from 'node:os';
import { FerryError } from '../../../shared/errors';
import { openConfined, replaceConfined } from './confined-file';

/**
 * One writer per transfer (mirror to disk) and per push journal: an exclusive lock file holding who
 * took it (pid, host, start time). A second run is refused naming the holder. A lock whose holder ran on
 * this host and is no longer alive (kill -9, power loss) is stale and taken over, and the caller says so;
 * a lock from another host is never guessed about: the operator is told how to clear it.
 *
 * The lock is created with O_EXCL (on every file system, FAT32 included); a run that finds one still
 * being written (empty or partial) looks again for a moment before calling it unreadable. A stale lock is
 * replaced atomically (replaceConfined: a complete temp file renamed over it) and read back: of two runs taking over at once, the one
 * whose token is not in the file backs off.
 */
const MAX_LOCK_BYTES = 4096;
/** How long a lock may look half-written before it is called unreadable: 20 × 50 ms. */
const SETTLE_TRIES = 20;
const SETTLE_MS = 50;

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** What holds it, for the message: "ferry mirror", "ferry push". */
  purpose: string;
  token: string;
}

export class TransferLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly holder: LockHolder,
    /** The stale lock this one replaced, if any. */
    readonly tookOver: LockHolder | undefined,
  ) {}

  /** Takes the lock at `path` or throws CONFLICT naming who holds it. */
  static async acquire(path: string, purpose: string): Promise<TransferLock> {
    const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), purpose, token: randomBytes(12).toString('hex') };
    const text = `${JSON.stringify(holder)}\n`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await writeNew(path, text);
        return new TransferLock(path, holder, undefined);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const current = await settledHolder(path);
      // Gone between the create and the read: its holder released it; try again.
      if (current === undefined) continue;
      if (!isStale(current)) throw held(path, current);
      await replaceConfined(path, text);
      const now = await settledHolder(path);
      if (now?.token !== holder.token) throw held(path, now);
      return new TransferLock(path, holder, current);
    }
    throw held(path, undefined);
  }

  /** Removes the lock if it is still this run's; safe to call more than once. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const current = await readHolder(this.path).catch(() => undefined);
    if (typeof current === 'object' && current.token === this.holder.token) await rm(this.path, { force: true });
  }
}

/** Not replaceConfined: a lock is taken by creating its file (O_EXCL), where a rename would replace another run's lock. */
async function writeNew(path: string, text: string): Promise<void> {
  const fh = await openConfined(path, 'create');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } catch (e) {
    // An empty lock (a full disk) would block every later run: it never counted.
    await fh.close().catch(() => undefined);
    await rm(path, { force: true });
    throw e;
  }
  await fh.close();
}

/** The holder of the lock at `path`, undefined if there is none; waits out a lock still being written. */
async function settledHolder(path: string): Promise<LockHolder | undefined> {
  for (let i = 0; ; i++) {
    const h = await readHolder(path);
    if (h !== 'unreadable') return h;
    if (i === SETTLE_TRIES) {
      throw new FerryError('CONFLICT', `${path} is not a lock file Ferry can read, so it cannot tell whether another run is writing here.`, {
        hint: `If no other ferry command is using this directory, delete ${path} and run the command again.`,
        details: { lock: path },
      });
    }
    await delay(SETTLE_MS);
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined | 'unreadable'> {
  let text: string;
  try {
    const fh = await openConfined(path, 'read');
    try {
      // A lock is one short line; anything long is not one and is not read whole.
      text = (await fh.stat()).size > MAX_LOCK_BYTES ? '' : await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.startedAt === 'string' && typeof h.token === 'string') {
      return { pid: h.pid, host: h.host, startedAt: h.startedAt, purpose: typeof h.purpose === 'string' ? h.purpose : 'ferry', token: h.token };
    }
  } catch {
    // empty or partial: perhaps still being written
  }
  return 'unreadable';
}

function isStale(h: LockHolder): boolean {
  return h.host === hostname() && !alive(h.pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists, it belongs to someone else.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export function describeHolder(h: LockHolder): string {
  return `${h.purpose} (pid ${h.pid} on ${h.host}, started ${h.startedAt})`;
}

function held(path: string, h: LockHolder | undefined): FerryError {
  const hint =
    h === undefined
      ? 'Another run took and released the lock several times over; run the same command again in a moment.'
      : h.host === hostname()
        ? `Wait for it to finish (or stop it), then run the same command again: it resumes where that run stopped. If pid ${h.pid} is not a ferry command (its number was reused), delete ${path}.`
        : `It runs on another host (${h.host}). If it is no longer running there, delete ${path} and run the command again.`;
  return new FerryError('CONFLICT', `Another run is writing here: ${path} is held by ${h ? describeHolder(h) : 'another run'}.`, {
    hint,
    details: { lock: path, ...(h ? { pid: h.pid, host: h.host, startedAt: h.startedAt } : {}) },
  });
}
