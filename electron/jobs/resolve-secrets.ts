import { FerryError } from '../../shared/errors';
import type { JobStart } from '../../shared/api/jobs';
import type { SecretStore } from './secrets/secret-store';
import { transferSigningKey } from './signing-key';

/** A job as the worker gets it: stored secrets looked up, the pull secret text alongside, and for an export the key that signs it. */
export interface ResolvedJob {
  job: JobStart;
  pullSecret?: string;
  /** PKCS#8 PEM of the app's signing key (mirror jobs only); `secret`, so redaction scrubs it from anything the job reports. */
  signing?: { secret: string };
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
    const signing = job.kind === 'mirror' ? { signing: { secret: await transferSigningKey(store) } } : {};
    const ref = job.params.pullSecretRef;
    if (ref === undefined) return { job: resolved, ...signing };
    const pullSecret = await store.get(ref);
    if (pullSecret === undefined) throw missing(ref);
    return { job: resolved, pullSecret, ...signing };
  };
}
