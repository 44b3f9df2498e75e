import { readFile } from 'node:fs/promises';
import { FerryError } from '../../../shared/errors';

/** Reads a file the user named; a failure is bad input that names the file and the option to check. */
export async function readInputFile(path: string, what: string, option: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new FerryError('INVALID_INPUT', `Cannot read ${what} ${path}${code === 'ENOENT' ? ': no such file' : ` (${code})`}.`, {
      hint: `Check the ${option} path.`,
      cause: e,
    });
  }
}
