import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FerryError } from '../../../shared/errors';

/**
 * The one way Ferry opens a file of a transfer directory (volumes, parts, journals, locks, receipts,
 * transfer.json): never through a symbolic link, and never anything but a regular file. A link planted at
 * a volume path would otherwise make a resume truncate whatever it points at, and a volume linked to
 * /dev/zero would keep verify reading forever.
 *
 * lstat first (a clear refusal naming the path), then O_NOFOLLOW (the link swapped in after lstat fails
 * the open), O_EXCL whenever the file is created, and fstat on the handle (what was opened is what was
 * checked). Writable files must have one link only: a hard link to a file elsewhere is refused as well.
 * System errors (ENOENT, EEXIST, ENOSPC…) pass through unchanged for the caller to name.
 */
export type ConfinedMode =
  /** read only; the file must exist */
  | 'read'
  /** read and write in place; created if absent */
  | 'update'
  /** append; created if absent */
  | 'append'
  /** write a new file; it must not exist */
  | 'create'
  /** write from empty: truncated, or created if absent */
  | 'truncate';

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
// A FIFO swapped in between lstat and open must not block the open: fstat then refuses it.
const NONBLOCK = constants.O_NONBLOCK ?? 0;
const ACCESS: Record<ConfinedMode, number> = {
  read: constants.O_RDONLY,
  update: constants.O_RDWR,
  append: constants.O_WRONLY | constants.O_APPEND,
  create: constants.O_WRONLY,
  truncate: constants.O_WRONLY,
};

export async function openConfined(path: string, mode: ConfinedMode, fileMode = 0o644): Promise<FileHandle> {
  const before = await lstatOrUndefined(path);
  if (before) requireRegular(path, before, mode);
  let fh: FileHandle;
  if (!before || mode === 'create') {
    if (mode === 'read') throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT', path });
    // O_CREAT|O_EXCL never follows a link, even a dangling one: the file made is a new one, here.
    fh = await open(path, ACCESS[mode] | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, fileMode);
  } else {
    fh = await open(path, ACCESS[mode] | NOFOLLOW | NONBLOCK | (mode === 'truncate' ? constants.O_TRUNC : 0)).catch((e: NodeJS.ErrnoException) => {
      // ELOOP: O_NOFOLLOW met a link that replaced the file after lstat.
      if (e.code === 'ELOOP') throw notRegular(path, 'a symbolic link');
      throw e;
    });
  }
  try {
    requireRegular(path, await fh.stat(), mode);
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw e;
  }
  return fh;
}

/** A whole (small) file of the transfer directory: transfer.json, a journal, a lock. */
export async function readConfined(path: string): Promise<Buffer> {
  const fh = await openConfined(path, 'read');
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** What is at `path` (without following a link), or undefined if nothing is; refuses anything but a regular file. */
export async function regularFileAt(path: string): Promise<Stats | undefined> {
  const st = await lstatOrUndefined(path);
  if (st) requireRegular(path, st, 'read');
  return st;
}

/**
 * Replaces `dir/name` with `data` atomically: a new temp file (O_EXCL, random name) written and fsynced,
 * renamed over the target (rename replaces a link itself, never what it points at), then the directory
 * fsynced so the rename survives a crash. A target that is not a regular file is refused. `data` may be a
 * stream of chunks (a blob through its verifier): when it fails, the temp file goes and the target stays.
 * The one atomic writer of every file Ferry commits; openReplacement is the same writer for a producer
 * that pushes its bytes rather than being iterated.
 */
export async function replaceConfined(path: string, data: string | Uint8Array | AsyncIterable<Uint8Array>, fileMode = 0o644): Promise<void> {
  const replacement = await openReplacement(path, fileMode);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await replacement.write(typeof data === 'string' ? Buffer.from(data) : data);
    else for await (const chunk of data) await replacement.write(chunk);
  } catch (e) {
    await replacement.abort();
    throw e;
  }
  await replacement.commit();
}

/** A file being replaced: bytes go to its temp file; `commit` puts it in place, `abort` removes it. */
export interface Replacement {
  write(chunk: Uint8Array): Promise<void>;
  /** Mode, fsync, rename over the target, fsync of the directory; on a failure the temp file goes. */
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Starts replacing `path` (refused unless it is absent or a regular file): what replaceConfined does, step by step. */
export async function openReplacement(path: string, fileMode = 0o644): Promise<Replacement> {
  await regularFileAt(path);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // Private until committed: nobody reads (or runs) a file that is not yet whole and checked.
  const fh = await openConfined(temp, 'create', 0o600);
  let open = true;
  const abort = async () => {
    if (open) await fh.close().catch(() => undefined);
    open = false;
    await rm(temp, { force: true });
  };
  return {
    write: (chunk) => writeAll(fh, chunk),
    abort,
    async commit() {
      try {
        // open() applies the umask to the mode; the file must end up exactly as asked (0600 for a secret).
        await fh.chmod(fileMode);
        await fh.sync();
        open = false;
        await fh.close();
        await rename(temp, path);
      } catch (e) {
        await abort();
        throw e;
      }
      await syncDir(dirname(path));
    },
  };
}

async function writeAll(fh: FileHandle, chunk: Uint8Array): Promise<void> {
  for (let done = 0; done < chunk.length; ) done += (await fh.write(chunk, done, chunk.length - done)).bytesWritten;
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, constants.O_RDONLY);
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  return lstat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
}

function requireRegular(path: string, st: Stats, mode: ConfinedMode): void {
  if (!st.isFile()) throw notRegular(path, kindOf(st));
  if (mode !== 'read' && st.nlink > 1) throw notRegular(path, `a file with ${st.nlink} hard links (it may be a file outside the directory)`);
}

function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegular(path: string, kind: string): FerryError {
  return new FerryError('UNSAFE_ARCHIVE', `${path} is ${kind}, not a regular file: Ferry neither reads nor writes through it.`, {
    hint: 'Ferry never puts one there. Check what it is and where it points, then replace it with the real file (copy the transfer again) or remove it, or use another directory.',
    details: { path },
  });
}
