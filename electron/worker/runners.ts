import { FerryError } from '../../shared/errors';
import { shortenDigests } from '../../shared/format';
import { copy } from '../engine/copy/copy';
import { parsePlatform } from '../engine/registry/manifest';
import { extractOperation } from '../engine/transfer/extract';
import { mirrorOperation } from '../engine/transfer/mirror-operation';
import { assertAllPushed, pushFromDisk } from '../engine/transfer/push';
import { mediaReport, verifyOperation } from '../engine/transfer/verify-transfer';
import { parsePrivateKey } from '../engine/signing/keys';
import type { TrustPolicy } from '../engine/signing/trust-policy';
import { exportMirrorRequest, volumeSizeOf } from '../jobs/engine-options';
import { withEngine } from './engine';
import type { JobRunners } from './runtime';

/** A failed check is a failed job; the full report travels in the error details for the UI's table. */
function verifyFailed(what: string, report: { problems: Array<{ message: string }> }, hint: string): FerryError {
  // The whole report (full digests, every image) is in the details; the sentence stays readable.
  return new FerryError('VERIFY_FAILED', `${report.problems.length} problem(s) in ${what}; first: ${shortenDigests(report.problems[0]?.message ?? '')}`, { hint, details: { report } });
}

const MEDIA_HINT = 'Do not push this transfer: copy the named volumes again from the source media.';

/** The operator's choices as the job carries them; the engine's trust policy decides (the same for push and verify). */
function trustPolicyOf(params: { trust: string[]; allowUnsigned: boolean; allowUntrusted: boolean }): TrustPolicy {
  return { trust: params.trust, allowUnsigned: params.allowUnsigned, allowUntrusted: params.allowUntrusted };
}

/**
 * The engine behind each job kind, one entry each. A kind absent here would fail with UNSUPPORTED
 * ("not yet available in this build"); never fake one.
 */
export const runners: JobRunners = {
  mirror: (params, job) =>
    withEngine(params, job, async (ctx) => {
      const { written: result, signed } = await mirrorOperation(ctx, {
        request: await exportMirrorRequest(params, job.defaults),
        volumeSize: volumeSizeOf(params.volumeSize),
        ...(job.signingKey ? { signingKey: parsePrivateKey(Buffer.from(job.signingKey), "the app's signing key") } : {}),
        checkpoint: () => job.checkpoint(),
      });
      const m = result.manifest;
      return {
        dir: params.toDir,
        id: m.id,
        images: m.images.length,
        blobs: m.blobs.length,
        volumes: m.volumes,
        resumedBlobs: result.resumedBlobs,
        ...(signed ? { fingerprint: signed.fingerprint } : {}),
        // A partial transfer is a finished job: the summary lists what was left out.
        ...(m.failed?.length ? { failed: m.failed } : {}),
      };
    }),

  push: (params, job) =>
    withEngine(params, job, async (ctx) => {
      // The engine writes the receipt (even when some images failed) and keeps its resume journal beside it.
      const result = await pushFromDisk(ctx, params.fromDir, params.to, { ...(params.receipt ? { receiptPath: params.receipt } : {}), trust: trustPolicyOf(params) });
      assertAllPushed(result);
      return {
        target: result.target,
        receiptPath: result.receiptPath,
        blobs: result.blobs,
        images: result.images.map(({ result: _copied, ...image }) => image),
        ...(result.notCarried ? { notCarried: result.notCarried } : {}),
      };
    }),

  verify: async (params, job) => {
    const result = await verifyOperation(
      { dir: params.dir, signature: trustPolicyOf(params), ...(params.against ? { against: params.against } : {}), onProgress: job.onProgress, checkpoint: () => job.checkpoint() },
      (work) => withEngine(params, job, work),
    );
    if (result.ok) return result;
    if (result.signature && !result.signature.ok) throw verifyFailed(params.dir, result, result.signature.hint ?? MEDIA_HINT);
    if (!mediaReport(result).ok) throw verifyFailed(params.dir, result, MEDIA_HINT);
    throw verifyFailed(params.against ?? params.dir, result, 'Push the transfer (and its parent, for a delta) into this mirror, then check again.');
  },

  // openshift-install / oc pinned to the release: from the media (verified as it is read) or from the registry.
  extract: (params, job) => extractOperation({ ...params, signal: job.signal }, (work) => withEngine(params, job, work)),

  copy: (params, job) =>
    withEngine(params, job, (ctx) => copy(ctx, params.source, params.destination, params.platform ? { platform: parsePlatform(params.platform) } : {})),
};
