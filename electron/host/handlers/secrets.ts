import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import type { SecretStore } from '../../jobs/secrets/secret-store';

/** Names and kinds only: a stored secret never travels back to the UI. */
export async function listSecrets(store: SecretStore): Promise<ResponseOf<'secrets.list'>> {
  return { store: store.kind, secrets: await store.list() };
}

export async function saveSecret(store: SecretStore, req: ParsedRequestOf<'secrets.save'>): Promise<ResponseOf<'secrets.save'>> {
  const { value, ...meta } = req;
  await store.save(meta, value);
  return { name: req.name, store: store.kind };
}
