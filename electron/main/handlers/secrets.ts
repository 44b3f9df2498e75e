import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import type { SecretKind, SecretMeta, SecretStore } from '../../jobs/secrets/secret-store';

/** Names and kinds only: a stored secret never travels back to the UI. */
export async function listSecrets(store: SecretStore): Promise<ResponseOf<'secrets.list'>> {
  // The app's signing key is kept with the secrets but is not one the operator manages here.
  return { store: store.kind, secrets: (await store.list()).filter((s) => s.kind !== 'signing-key') as Array<SecretMeta & { kind: Exclude<SecretKind, 'signing-key'> }> };
}

export async function saveSecret(store: SecretStore, req: ParsedRequestOf<'secrets.save'>): Promise<ResponseOf<'secrets.save'>> {
  const { value, ...meta } = req;
  await store.save(meta, value);
  return { name: req.name, store: store.kind };
}
