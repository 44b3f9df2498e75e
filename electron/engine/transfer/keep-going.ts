import { join } from 'node:path';
import { FerryError, type FerryErrorCode } from '../../../shared/errors';
import type { ImageRole } from '../../../shared/mirror-mapping';
import { TRANSFER_FILE, failedImageSchema, type FailedImage } from '../../../shared/transfer/manifest';
import { regularFileAt } from '../media/confined-file';
import { Journal } from '../media/journal';
import { readTransferManifest } from '../media/reader';

/**
 * Keep going (oc-mirror v2's behaviour, DESIGN §3): with many images, one that cannot be fetched is recorded
 * in transfer.json's `failed` and the others are carried. Release content never fails alone: a release
 * missing a component is no release, so the run stops at its first failure, as oc-mirror stops on release
 * errors. `--fail-fast` makes every failure stop the run.
 */
export interface FailurePolicy {
  failFast?: boolean;
}

/** Roles that may fail alone: everything but the release and its components (catalog content too, once carried). */
export function mayFailAlone(role: ImageRole, policy: FailurePolicy): boolean {
  return !policy.failFast && role !== 'release' && role !== 'component';
}

/**
 * Failures that belong to one image's source: the image is missing, refused, or its bytes lie. Anything else
 * (cancelled, a full disk, a broken medium, a bug) stops the run whatever the policy: it would fail every image.
 */
const IMAGE_FAILURES: ReadonlySet<FerryErrorCode> = new Set([
  'AUTH_REQUIRED',
  'AUTH_DENIED',
  'FORBIDDEN',
  'NOT_FOUND',
  'TLS_UNTRUSTED',
  'TLS_NAME_MISMATCH',
  'UNREACHABLE',
  'REGISTRY_ERROR',
  'DIGEST_MISMATCH',
  'SIZE_MISMATCH',
  'UNSUPPORTED',
  'BAD_RESPONSE',
]);

/** The failure to record for `ref`, or undefined when `error` must stop the run. */
export function imageFailure(ref: string, role: ImageRole, error: unknown, policy: FailurePolicy): FailedImage | undefined {
  if (!mayFailAlone(role, policy) || !(error instanceof FerryError) || !IMAGE_FAILURES.has(error.code)) return undefined;
  return { ref, role, code: error.code, message: error.message };
}

/** Labels the plan identity (journal.ts) lists the retried images under: a resume after a crash plans them last again. */
export const RETRIED_LAST = 'retried last';

/**
 * Labels the plan identity lists the images a run left out under (each a FailedImage as JSON): the resume of
 * that run leaves them out again, unasked, so it finishes what was started even if one has appeared since;
 * the rerun after it retries them.
 */
export const LEFT_OUT = 'left out';

/**
 * What a rerun into `dir` retries: the failed images of the finished transfer there, or of the interrupted
 * rerun that was retrying them. Empty for an empty directory or a transfer that carried everything.
 */
export async function retriedIn(dir: string): Promise<string[]> {
  if (await regularFileAt(join(dir, TRANSFER_FILE))) return ((await readTransferManifest(dir)).failed ?? []).map((f) => f.ref);
  const journaled = await Journal.read(dir);
  const retried = journaled?.begin.plan?.[RETRIED_LAST];
  return Array.isArray(retried) ? retried : [];
}

/** The images the interrupted run in `dir` left out (LEFT_OUT); empty when there is none. */
export async function leftOutIn(dir: string): Promise<FailedImage[]> {
  if (await regularFileAt(join(dir, TRANSFER_FILE))) return [];
  const recorded = (await Journal.read(dir))?.begin.plan?.[LEFT_OUT];
  if (!Array.isArray(recorded)) return [];
  return recorded.flatMap((text) => {
    const parsed = failedImageSchema.safeParse(parseOrUndefined(text));
    return parsed.success ? [parsed.data] : [];
  });
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
