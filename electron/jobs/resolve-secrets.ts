import { FerryError } from '../../shared/errors';
import type { JobStart } from '../../shared/api/jobs';
import type { SecretStore } from './secrets/secret-store';

/** A job as the worker gets it: stored secrets looked up, the pull secret text alongside. */
export interface ResolvedJob {
  job: JobStart;
  pullSecret?: string;
}

function missing(name: string): FerryError {
  return new FerryError('NOT_FOUND', `No saved secret is named "${name}".`, {
    hint: 'Save the credentials again (Credentials step) or choose another saved secret.',
  });
}

/** Looks up `secretRef` and `pullSecretRef` in the store; the values go to the worker over IPC only. */
export function secretResolver(store: SecretStore): (job: JobStart) => Promise<ResolvedJob> {
  return async (job) => {
    const credentials = await Promise.all(
      job.params.credentials.map(async (c) => {
        if (c.password !== undefined || c.secretRef === undefined) return c;
        const password = await store.get(c.secretRef);
        if (password === undefined) throw missing(c.secretRef);
        return { ...c, password };
      }),
    );
    const resolved = { ...job, params: { ...job.params, credentials } } as JobStart;
    const ref = job.params.pullSecretRef;
    if (ref === undefined) return { job: resolved };
    const pullSecret = await store.get(ref);
    if (pullSecret === undefined) throw missing(ref);
    return { job: resolved, pullSecret };
  };
}
