import { FerryError, type FerryErrorCode } from '../../../shared/errors';
import type { ImageRole } from '../../../shared/mirror-mapping';
import type { FailedImage } from '../../../shared/transfer/manifest';

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
