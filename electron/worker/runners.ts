import { FerryError } from '../../shared/errors';
import { verifyTransfer } from '../engine/media/verify';
import type { JobRunners } from './runtime';

/**
 * The engine behind each job kind. Add a kind with one line, e.g.
 *   verify: (params, ctx) => verifyTransfer(params.dir, { signal: ctx.signal, onProgress: ctx.onProgress }),
 * Kinds absent here fail with UNSUPPORTED ("not yet available in this build"); never fake them.
 */
export const runners: JobRunners = {
  verify: async (params, ctx) => {
    if (params.against) throw new FerryError('UNSUPPORTED', 'Verifying against a mirror registry is not yet available in this build.');
    const report = await verifyTransfer(params.dir, { onProgress: ctx.onProgress });
    // A transfer with problems is a failed job; the full report travels in the error details.
    if (!report.ok) {
      throw new FerryError('VERIFY_FAILED', `${report.problems.length} problem(s) in ${params.dir}; first: ${report.problems[0]?.message ?? ''}`, {
        hint: 'Do not push this transfer: copy the named volumes again from the source media.',
        details: { report },
      });
    }
    return report;
  },
};
