import type { JobRunners } from './runtime';

/**
 * The engine behind each job kind. Add a kind with one line, e.g.
 *   verify: (params, ctx) => verifyTransfer(params.dir, { signal: ctx.signal, onProgress: ctx.onProgress }),
 * Kinds absent here fail with UNSUPPORTED ("not yet available in this build"); never fake them.
 */
export const runners: JobRunners = {};
