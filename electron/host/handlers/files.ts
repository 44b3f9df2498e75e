import { constants } from 'node:fs';
import { access, stat, statfs } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import { writeFileAtomic } from '../../engine/trust/secret-file';
import type { DesktopShell, Dialogs } from './deps';
import { absolute, canonicalPath, type PathGrants } from './path-grants';

async function writable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export async function allowPath(req: ParsedRequestOf<'fs.allow'>, grants: PathGrants): Promise<ResponseOf<'fs.allow'>> {
  return { path: await grants.allow(req.path, req.access) };
}

export async function statPath(req: ParsedRequestOf<'fs.stat'>, grants: PathGrants): Promise<ResponseOf<'fs.stat'>> {
  const path = await grants.check(req.path, 'read');
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

export async function freeSpace(req: ParsedRequestOf<'fs.freeSpace'>, grants: PathGrants): Promise<ResponseOf<'fs.freeSpace'>> {
  const path = await grants.check(req.path, 'read');
  try {
    const s = await statfs(path);
    return { path, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw new FerryError('NOT_FOUND', `${path} does not exist.`, { hint: 'Choose an existing directory on the target disk.' });
  }
}

/**
 * A path from the request must lie in a granted directory; a native save dialog's answer is the
 * operator's own choice and needs no grant. The mode is Ferry's, never the caller's.
 */
export async function saveText(req: ParsedRequestOf<'fs.saveText'>, grants: PathGrants, dialogs: Dialogs | undefined, recentFolder?: string): Promise<ResponseOf<'fs.saveText'>> {
  let path: string;
  if (req.path !== undefined) {
    path = await grants.check(req.path, 'write');
  } else {
    if (!dialogs) throw new FerryError('USAGE', 'Saving needs a path here.', { hint: 'Type the full path of the file to write.' });
    // Receipts and cluster config travel with the media: the dialog opens in the media folder last used.
    const chosen = await dialogs.saveFile({ defaultPath: recentFolder ? join(recentFolder, basename(req.defaultName)) : req.defaultName });
    if (chosen === null) return { path: null };
    path = await canonicalPath(absolute(chosen));
  }
  await writeFileAtomic(path, req.text, req.secret ? 0o600 : 0o644);
  // The file the operator just chose may be looked at again (fs.showInFolder) in this session.
  if (req.path === undefined) await grants.allow(path, 'read');
  return { path };
}

/** Only what this session may read is shown: the same grant a read of it would need. */
export async function showInFolder(req: ParsedRequestOf<'fs.showInFolder'>, grants: PathGrants, shell: DesktopShell): Promise<ResponseOf<'fs.showInFolder'>> {
  const path = await grants.check(req.path, 'read');
  try {
    await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw new FerryError('NOT_FOUND', `${path} does not exist.`, { hint: 'It may have been moved or the disk removed.' });
  }
  shell.showInFolder(path);
  return { path };
}

export async function pickGranted(picked: string | null, access: 'read' | 'write', grants: PathGrants): Promise<string | null> {
  if (picked === null) return null;
  await grants.allow(picked, access);
  return picked;
}
