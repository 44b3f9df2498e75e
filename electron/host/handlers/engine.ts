import { FerryError } from '../../../shared/errors';
import { createEngineContext, type EngineContext } from '../../engine/context';
import { connectionEngineOptions, type Connection, type EngineDefaults } from '../../jobs/engine-options';
import type { SecretStore } from '../../jobs/secrets/secret-store';

/** A stored secret by name, for use in this process only (it is never sent back to the UI). */
export async function storedSecret(store: SecretStore, name: string): Promise<string> {
  const value = await store.get(name);
  if (value === undefined) {
    throw new FerryError('NOT_FOUND', `No saved secret is named "${name}".`, { hint: 'Save the credentials again (Credentials step) or choose another saved secret.' });
  }
  return value;
}

/** An engine context for one short call (release lookup, plan), with the request's pull secret and CAs. */
export async function withHandlerEngine<T>(
  store: SecretStore,
  defaults: EngineDefaults,
  req: { pullSecretRef?: string | undefined; caPems: readonly string[] },
  work: (ctx: EngineContext) => Promise<T>,
): Promise<T> {
  const conn: Connection = { caPems: req.caPems, ...(req.pullSecretRef ? { pullSecret: await storedSecret(store, req.pullSecretRef) } : {}) };
  const ctx = await createEngineContext(connectionEngineOptions(defaults, conn));
  try {
    return await work(ctx);
  } finally {
    await ctx.close();
  }
}
