import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { FerryError } from '../../../shared/errors';
import { writeFileAtomic } from '../../engine/trust/secret-file';

/**
 * One small JSON file of app state under the host's data dir (trusted keys, settings): read against its
 * schema, changed one edit at a time on what the previous edit wrote, and replaced atomically, so a
 * crash or two windows at once never leave half a file.
 */
export class JsonFileStore<S extends z.ZodType> {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly schema: S,
    private readonly empty: z.output<S>,
    /** Says what the file holds and what removing it costs, for the error a damaged file gives. */
    private readonly describe: { what: string; hint: string },
  ) {}

  async read(): Promise<z.output<S>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return this.empty;
      throw e;
    }
    let parsed;
    try {
      parsed = this.schema.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) throw new FerryError('INVALID_INPUT', `${this.file} is not ${this.describe.what}.`, { hint: this.describe.hint });
    return parsed.data;
  }

  /** The edited value is checked against the schema before anything is written: a refused edit leaves the file as it was. */
  change(edit: (current: z.output<S>) => z.input<S>): Promise<z.output<S>> {
    const next = this.writing.then(async () => {
      const checked = this.schema.safeParse(edit(await this.read()));
      // Issue messages only: the refused value itself may be what must never be written anywhere.
      if (!checked.success) throw new FerryError('INVALID_INPUT', `Not saved: ${checked.error.issues.map((i) => i.message).join('; ')}.`, { hint: this.describe.hint });
      const updated = checked.data;
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.file, `${JSON.stringify(updated, null, 2)}\n`, 0o600);
      return updated;
    });
    this.writing = next.catch(() => undefined);
    return next;
  }
}
