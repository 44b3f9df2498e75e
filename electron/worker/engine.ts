import { engineOpener, type EngineContext } from '../engine/context';
import { connectionEngineOptions } from '../jobs/engine-options';
import type { JobContext } from './runtime';

interface ConnectionParams {
  credentials: ReadonlyArray<{ registry: string; username: string; password?: string | undefined }>;
  caPems: readonly string[];
  parallel?: number | undefined;
}

/**
 * An engine context for one job: the host defaults, the job's credentials and CAs in memory, its
 * cancel signal, progress and pause point (taken before every blob and image check). Closed after.
 */
export async function withEngine<T>(params: ConnectionParams, job: JobContext, work: (ctx: EngineContext) => Promise<T>): Promise<T> {
  const options = connectionEngineOptions(
    job.defaults,
    { ...(job.pullSecret !== undefined ? { pullSecret: job.pullSecret } : {}), credentials: params.credentials, caPems: params.caPems, parallel: params.parallel },
    { signal: job.signal, onProgress: (e) => job.onProgress(e), checkpoint: () => job.checkpoint() },
  );
  return engineOpener(options)(work);
}
