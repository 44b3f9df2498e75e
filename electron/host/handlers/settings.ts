import { settingsSchema, type Settings } from '../../../shared/api/settings';
import type { ParsedRequestOf } from '../../../shared/api/contract';
import { JsonFileStore } from './json-file-store';

/**
 * The app's remembered settings (shared/api/settings.ts), one JSON file in the host's data dir, so the
 * desktop window and every browser on `ferry serve` start where the operator left off.
 */
export class SettingsStore {
  private readonly store: JsonFileStore<typeof settingsSchema>;

  constructor(readonly file: string) {
    this.store = new JsonFileStore(file, settingsSchema, {}, {
      what: 'Ferry settings',
      hint: 'Remove the file: Ferry then starts with no remembered mirror, CA or folders.',
    });
  }

  get(): Promise<Settings> {
    return this.store.read();
  }

  /** `set` replaces those settings, `forget` removes these; the rest stay as they were. */
  update({ set, forget }: ParsedRequestOf<'settings.update'>): Promise<Settings> {
    return this.store.change((current) => {
      const next: Record<string, unknown> = { ...current, ...set };
      for (const key of forget) delete next[key];
      return next;
    });
  }
}
