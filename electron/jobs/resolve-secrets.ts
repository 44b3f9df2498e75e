import type { JobStart } from '../../shared/api/jobs';
import { savedSecret } from './secrets/saved-secret';
import type { SecretStore } from './secrets/secret-store';
import { transferSigningKey } from './signing-key';

/** A job as the worker gets it: stored secrets looked up, the pull secret text alongside, and for an export the key that signs it. */
export interface ResolvedJob {
  job: JobStart;
  pullSecret?: string;
  /** PKCS#8 PEM of the app's signing key (mirror jobs only); `secret`, so redaction scrubs it from anything the job reports. */
  signing?: { secret: string };
}

/** Looks up `secretRef` and `pullSecretRef` in the store; the values go to the worker over IPC only. */
export function secretResolver(store: SecretStore): (job: JobStart) => Promise<ResolvedJob> {
  return async (job) => {
    const credentials = await Promise.all(
      job.params.credentials.map(async (c) => {
        if (c.password !== undefined || c.secretRef === undefined) return c;
        return { ...c, password: (await savedSecret(store, c.secretRef)).value };
      }),
    );
    const resolved = { ...job, params: { ...job.params, credentials } } as JobStart;
    const signing = job.kind === 'mirror' ? { signing: { secret: await transferSigningKey(store) } } : {};
    const ref = job.params.pullSecretRef;
    if (ref === undefined) return { job: resolved, ...signing };
    return { job: resolved, pullSecret: (await savedSecret(store, ref)).value, ...signing };
  };
}
