import type { VerifyProblemCode, VerifyReport } from '../../../shared/transfer/verify-report';
import type { CheckStatus, OperatorReport, ReportCheck } from './model';
import { notCarriedCheck } from './not-carried';

/** The operator report of `ferry verify --dir`: each problem code counts against exactly one check. */
type CheckName = 'transfer.json signature' | 'volume sizes and sha256' | 'tar entries safe and where listed' | 'blob digests' | 'OCI layout index' | 'image completeness';

const CHECK_OF: Record<VerifyProblemCode, CheckName> = {
  SIGNATURE_MISSING: 'transfer.json signature',
  SIGNATURE_UNTRUSTED: 'transfer.json signature',
  SIGNATURE_INVALID: 'transfer.json signature',
  VOLUME_MISSING: 'volume sizes and sha256',
  VOLUME_SIZE: 'volume sizes and sha256',
  VOLUME_HASH: 'volume sizes and sha256',
  VOLUME_UNLISTED: 'volume sizes and sha256',
  VOLUME_NOT_FILE: 'volume sizes and sha256',
  TAR_MALFORMED: 'tar entries safe and where listed',
  ENTRY_UNSAFE: 'tar entries safe and where listed',
  ENTRY_UNLISTED: 'tar entries safe and where listed',
  ENTRY_DUPLICATE: 'tar entries safe and where listed',
  ENTRY_MISPLACED: 'tar entries safe and where listed',
  ENTRY_MISSING: 'blob digests',
  BLOB_DIGEST: 'blob digests',
  LAYOUT_MISMATCH: 'OCI layout index',
  IMAGE_INCOMPLETE: 'image completeness',
};

export function verifyOperatorReport(r: VerifyReport, times: { startedAt: Date; finishedAt: Date }): OperatorReport {
  const failed = new Map<CheckName, number>();
  for (const p of r.problems) failed.set(CHECK_OF[p.code], (failed.get(CHECK_OF[p.code]) ?? 0) + 1);
  const signatureStopped = r.signature !== undefined && !r.signature.ok;
  const check = (name: CheckName, detail: string): ReportCheck => {
    const n = failed.get(name) ?? 0;
    const status: CheckStatus = n > 0 ? 'failed' : signatureStopped ? 'skipped' : 'passed';
    return { name, status, detail: n > 0 ? `${n} problem(s); ${detail}` : detail };
  };
  const ownBlobs = r.counts.blobs - r.counts.parentBlobs;
  const signature: ReportCheck = r.signature
    ? { name: 'transfer.json signature', status: r.signature.ok ? (r.signature.status === 'trusted' ? 'passed' : 'warning') : 'failed', detail: r.signature.message }
    : { name: 'transfer.json signature', status: 'skipped', detail: 'not checked' };
  return {
    kind: 'verify',
    ok: r.ok,
    subject: { directory: r.dir, ...(r.transferId ? { transfer: r.transferId } : {}) },
    startedAt: times.startedAt.toISOString(),
    finishedAt: times.finishedAt.toISOString(),
    ...(r.signature ? { signature: r.signature } : {}),
    checks: [
      signature,
      check('volume sizes and sha256', `${r.counts.volumes} volume(s), ${r.bytes.read} of ${r.bytes.volumes} bytes read`),
      check('tar entries safe and where listed', `${r.counts.entries} tar entries`),
      check('blob digests', `${r.counts.blobsVerified} of ${ownBlobs} blob(s) verified${r.counts.parentBlobs ? `; ${r.counts.parentBlobs} held by the parent transfer` : ''}`),
      check('OCI layout index', 'oci-layout and index.json match the images listed'),
      check('image completeness', `${r.counts.images} image(s)`),
      ...(r.failed?.length ? [notCarriedCheck(r.failed)] : []),
    ],
    counts: r.counts,
    bytes: r.bytes,
    durationsMs: { total: r.durationsMs.total, ...r.durationsMs.volumes },
    problems: r.problems,
  };
}
