import { z } from 'zod';
import type { ResponseOf } from '../../../shared/api/contract';
import { FerryError } from '../../../shared/errors';
import { formatFingerprint, parseFingerprint } from '../../../shared/fingerprint';
import { JsonFileStore } from './json-file-store';

/**
 * Signing-key fingerprints the operator chose to trust "from now on": an app setting, not a secret (a
 * fingerprint proves nothing by itself), kept in one JSON file under the host's data dir so every later
 * import, in any window or browser, starts with them trusted until the operator forgets one.
 */
const fileSchema = z.object({ keys: z.array(z.object({ fingerprint: z.string(), addedAt: z.string() })) });
type Remembered = ResponseOf<'trust.list'>;

export class TrustedKeyStore {
  private readonly store: JsonFileStore<typeof fileSchema>;

  constructor(readonly file: string) {
    this.store = new JsonFileStore(file, fileSchema, { keys: [] }, {
      what: 'a list of trusted key fingerprints',
      hint: 'Remove the file (the keys it named are then no longer trusted) and trust them again.',
    });
  }

  list(): Promise<Remembered> {
    return this.store.read();
  }

  async remember(text: string): Promise<Remembered> {
    const fingerprint = canonical(text);
    return this.store.change(({ keys }) => ({ keys: keys.some((k) => k.fingerprint === fingerprint) ? keys : [...keys, { fingerprint, addedAt: new Date().toISOString() }] }));
  }

  async forget(text: string): Promise<Remembered> {
    const fingerprint = canonical(text);
    return this.store.change(({ keys }) => ({ keys: keys.filter((k) => k.fingerprint !== fingerprint) }));
  }
}

/** The printed form, whatever the operator typed: one key is never remembered twice under two spellings. */
function canonical(text: string): string {
  const hex = parseFingerprint(text);
  if (!hex) {
    throw new FerryError('USAGE', `"${text.slice(0, 80)}" is not a whole key fingerprint.`, {
      hint: 'Give all 8 groups of 4 hex digits, as ferry mirror and the export Done step print them.',
    });
  }
  return formatFingerprint(hex);
}
