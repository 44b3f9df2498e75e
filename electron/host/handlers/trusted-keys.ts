import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { ResponseOf } from '../../../shared/api/contract';
import { FerryError } from '../../../shared/errors';
import { formatFingerprint, parseFingerprint } from '../../../shared/fingerprint';
import { writeFileAtomic } from '../../engine/trust/secret-file';

/**
 * Signing-key fingerprints the operator chose to trust "from now on": an app setting, not a secret (a
 * fingerprint proves nothing by itself), kept in one JSON file under the host's data dir so every later
 * import, in any window or browser, starts with them trusted until the operator forgets one.
 */
const fileSchema = z.object({ keys: z.array(z.object({ fingerprint: z.string(), addedAt: z.string() })) });
type Remembered = ResponseOf<'trust.list'>;

export class TrustedKeyStore {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  async list(): Promise<Remembered> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { keys: [] };
      throw e;
    }
    let parsed;
    try {
      parsed = fileSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      throw new FerryError('INVALID_INPUT', `${this.file} is not a list of trusted key fingerprints.`, {
        hint: 'Remove the file (the keys it named are then no longer trusted) and trust them again.',
      });
    }
    return parsed.data;
  }

  async remember(text: string): Promise<Remembered> {
    const fingerprint = canonical(text);
    return this.change((keys) => (keys.some((k) => k.fingerprint === fingerprint) ? keys : [...keys, { fingerprint, addedAt: new Date().toISOString() }]));
  }

  async forget(text: string): Promise<Remembered> {
    const fingerprint = canonical(text);
    return this.change((keys) => keys.filter((k) => k.fingerprint !== fingerprint));
  }

  /** One change at a time, each on what the previous one wrote. */
  private change(edit: (keys: Remembered['keys']) => Remembered['keys']): Promise<Remembered> {
    const next = this.writing.then(async () => {
      const updated = { keys: edit((await this.list()).keys) };
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.file, `${JSON.stringify(updated, null, 2)}\n`, 0o600);
      return updated;
    });
    this.writing = next.catch(() => undefined);
    return next;
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
