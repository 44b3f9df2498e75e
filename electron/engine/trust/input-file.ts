import { readFile, stat } from 'node:fs/promises';
import { FerryError } from '../../../shared/errors';

/**
 * Reads a small input file (pull secret, certificate, signature, key) whole. The size check comes first so a
 * wrong path to a disk image is refused instead of read into memory.
 */
export async function readBoundedFile(path: string, what: string, maxBytes: number): Promise<Uint8Array> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    size = st.size;
  } catch (e) {
    throw new FerryError('INVALID_INPUT', `Cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, { hint: 'Check the path.' });
  }
  if (size > maxBytes) {
    throw new FerryError('INVALID_INPUT', `${path} is ${size} bytes, far too large for a ${what} (at most ${maxBytes}).`, { hint: `Check that this is the ${what} file.` });
  }
  return new Uint8Array(await readFile(path));
}
