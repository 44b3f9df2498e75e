import { FerryError, systemError } from '../../../shared/errors';
import { replaceConfined } from '../media/confined-file';

/**
 * Writes a file the way containers/image writes auth.json: to a temp file in the same directory, private
 * from the start (a secret is never readable by others, not even briefly) and given its final mode when it
 * is whole, flushed, then renamed over the target. A crash leaves the old file or the new one, never half of either. One
 * implementation for every file Ferry commits (media/confined-file.ts), with its errors said for a path.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  try {
    await replaceConfined(path, data, mode);
  } catch (e) {
    if (e instanceof FerryError) throw e;
    throw systemError(e, path, 'write') ?? new FerryError('INVALID_INPUT', `Cannot write ${path}: ${(e as Error).message}.`, { hint: 'Check that the directory exists and is writable.', cause: e });
  }
}

/**
 * Reads a password or token piped on standard input (one trailing line break removed). Secrets never come
 * from the command line, where `ps` and shell history would keep them.
 */
export async function readSecretFromStdin(what: string, input: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (input.isTTY) {
    throw new FerryError('USAGE', `--password-stdin reads the ${what} from standard input, which is a terminal here.`, {
      hint: `Pipe it in, e.g. printf '%s' "$PASSWORD" | ferry ... --password-stdin, or read -s P && printf '%s' "$P" | ferry ...`,
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    size += (chunk as Buffer).length;
    // A password is short; refusing megabytes keeps a wrong redirect from being taken for one.
    if (size > 64 * 1024) throw new FerryError('USAGE', `The ${what} on standard input is longer than 64 KiB.`, { hint: 'Pipe only the password or token.' });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text === '') throw new FerryError('USAGE', `No ${what} on standard input.`, { hint: `Pipe the ${what} in, e.g. printf '%s' "$PASSWORD" | ferry ... --password-stdin.` });
  return text;
}
