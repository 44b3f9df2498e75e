import bcrypt from 'bcryptjs';
import { FerryError } from '../../../shared/errors';

/** bcrypt cost: distribution checks the hash on every request, so higher costs slow every pull. */
const DEFAULT_BCRYPT_COST = 10;

/**
 * One htpasswd line `user:$2y$...` for distribution's htpasswd auth. bcryptjs writes `$2b$`; `$2y$` is what
 * Apache's `htpasswd -B` writes and the same algorithm, and Go's bcrypt (distribution) accepts both.
 */
export function htpasswdEntry(username: string, password: string, cost = DEFAULT_BCRYPT_COST): string {
  if (username === '' || /[:\s]/.test(username)) {
    throw new FerryError('USAGE', `"${username}" cannot be an htpasswd user name.`, { hint: "Use a non-empty name without ':' or white space." });
  }
  if (password === '') throw new FerryError('USAGE', 'The registry password is empty.', { hint: 'Pipe a password on standard input.' });
  // bcrypt uses only the first 72 bytes: a longer password would silently accept any suffix.
  if (new TextEncoder().encode(password).length > 72) {
    throw new FerryError('USAGE', 'The registry password is longer than 72 bytes, which bcrypt would silently cut.', { hint: 'Use a password of at most 72 bytes.' });
  }
  const hash = bcrypt.hashSync(password, cost).replace(/^\$2[ab]\$/, '$2y$');
  return `${username}:${hash}\n`;
}
