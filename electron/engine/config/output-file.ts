import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FerryError, systemError } from '../../../shared/errors';

/**
 * Writes generated configuration next to its destination and renames it into place, so a reader
 * (or `oc apply`) never sees half a file and a failure leaves any previous file untouched.
 */
export async function writeOutputFile(path: string, text: string, mode = 0o644): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { mode, flag: 'wx' });
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw systemError(e, path, 'write') ?? new FerryError('INVALID_INPUT', `Cannot write ${path} (${(e as Error).message}).`, {
      hint: 'Check that the directory exists and is writable.',
      cause: e,
    });
  }
}
