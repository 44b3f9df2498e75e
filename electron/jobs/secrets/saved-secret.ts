import { FerryError } from '../../../shared/errors';
import type { SecretKind, SecretMeta, SecretStore } from './secret-store';

export interface SavedSecret {
  value: string;
  /** What was saved with it (kind, registry, user name). */
  meta: SecretMeta | undefined;
}

export interface SecretWanted {
  /** Refuse a secret saved as another kind (a registry password where a pull secret is needed). */
  kind?: SecretKind;
  /** What the operator calls it, for the message: "password", "pull secret"; "secret" unless said. */
  what?: string;
  hint?: string;
}

/**
 * A saved secret by name, for use in this process only (it is never sent back to the UI): the one lookup
 * behind jobs, handlers and the pull-secret editor, so a missing secret reads the same everywhere.
 */
export async function savedSecret(store: SecretStore, name: string, wanted: SecretWanted = {}): Promise<SavedSecret> {
  const [value, meta] = await Promise.all([store.get(name), store.list().then((all) => all.find((m) => m.name === name))]);
  if (value === undefined || (wanted.kind !== undefined && meta?.kind !== wanted.kind)) {
    throw new FerryError('NOT_FOUND', `No saved ${wanted.what ?? 'secret'} is named "${name}".`, {
      hint: wanted.hint ?? 'Save the credentials again (Credentials step) or choose another saved secret.',
    });
  }
  return { value, meta };
}
