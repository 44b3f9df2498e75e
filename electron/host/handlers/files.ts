import { constants } from 'node:fs';
import { access, stat, statfs, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { FerryError } from '../../../shared/errors';
import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import type { Dialogs } from './deps';

function absolute(path: string): string {
  if (!isAbsolute(path)) {
    throw new FerryError('INVALID_INPUT', `"${path}" is not an absolute path.`, { hint: 'Give the full path, e.g. /run/media/USER/USB or D:\\ferry.' });
  }
  return resolve(path);
}

async function writable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export async function statPath(req: ParsedRequestOf<'fs.stat'>): Promise<ResponseOf<'fs.stat'>> {
  const path = absolute(req.path);
  try {
    const s = await stat(path);
    const kind = s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other';
    return { path, exists: true, kind, size: s.size, writable: await writable(path) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    // A missing directory can still be created if its parent is writable.
    return { path, exists: false, kind: 'missing', size: 0, writable: await writable(dirname(path)) };
  }
}

export async function freeSpace(req: ParsedRequestOf<'fs.freeSpace'>): Promise<ResponseOf<'fs.freeSpace'>> {
  const path = absolute(req.path);
  try {
    const s = await statfs(path);
    return { path, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw new FerryError('NOT_FOUND', `${path} does not exist.`, { hint: 'Choose an existing directory on the target disk.' });
  }
}

export async function saveText(req: ParsedRequestOf<'fs.saveText'>, dialogs: Dialogs | undefined): Promise<ResponseOf<'fs.saveText'>> {
  let target = req.path;
  if (target === undefined) {
    if (!dialogs) throw new FerryError('USAGE', 'Saving needs a path here.', { hint: 'Type the full path of the file to write.' });
    target = (await dialogs.saveFile({ defaultName: req.defaultName })) ?? undefined;
    if (target === undefined) return { path: null };
  }
  const path = absolute(target);
  await writeFile(path, req.text, { mode: req.mode ?? 0o644 });
  return { path };
}
