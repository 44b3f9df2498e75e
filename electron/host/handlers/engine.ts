import { engineOpener, type EngineContext } from '../../engine/context';
import { connectionEngineOptions, type Connection, type EngineDefaults } from '../../jobs/engine-options';
import { savedSecret } from '../../jobs/secrets/saved-secret';
import type { SecretStore } from '../../jobs/secrets/secret-store';

/** An engine context for one short call (release lookup, plan), with the request's pull secret and CAs. */
export async function withHandlerEngine<T>(
  store: SecretStore,
  defaults: EngineDefaults,
  req: { pullSecretRef?: string | undefined; caPems: readonly string[] },
  work: (ctx: EngineContext) => Promise<T>,
): Promise<T> {
  const conn: Connection = { caPems: req.caPems, ...(req.pullSecretRef ? { pullSecret: (await savedSecret(store, req.pullSecretRef)).value } : {}) };
  return engineOpener(connectionEngineOptions(defaults, conn))(work);
}
