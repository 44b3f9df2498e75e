import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import { FerryError } from '../../../shared/errors';
import type { SecretKind, SecretMeta, SecretStore } from '../../jobs/secrets/secret-store';
import { SIGNING_KEY_NAME } from '../../jobs/signing-key';

/** Names and kinds only: a stored secret never travels back to the UI. */
export async function listSecrets(store: SecretStore): Promise<ResponseOf<'secrets.list'>> {
  // The app's signing key is kept with the secrets but is not one the operator manages here.
  return { store: store.kind, secrets: (await store.list()).filter((s) => s.kind !== 'signing-key') as Array<SecretMeta & { kind: Exclude<SecretKind, 'signing-key'> }> };
}

export async function saveSecret(store: SecretStore, req: ParsedRequestOf<'secrets.save'>): Promise<ResponseOf<'secrets.save'>> {
  const { value, ...meta } = req;
  reserved(req.name);
  await store.save(meta, value);
  return { name: req.name, store: store.kind };
}

/** The app's signing key is replaced or removed by no UI call: a lost key changes the fingerprint every importer trusts. */
export function reserved(name: string): void {
  if (name === SIGNING_KEY_NAME) {
    throw new FerryError('USAGE', `"${name}" is the name of Ferry's transfer-signing key, not a secret to save or delete here.`, { hint: 'Choose another name.' });
  }
}

export async function deleteSecret(store: SecretStore, name: string): Promise<ResponseOf<'secrets.delete'>> {
  reserved(name);
  return { deleted: await store.delete(name) };
}
