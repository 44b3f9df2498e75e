import type { SignatureCheck } from '../../../shared/transfer/signature';
import { notCarriedCheck } from '../reports/not-carried';
import type { OperatorReport, ReportCheck } from '../reports/model';
import type { DiskPushResult } from './push';

/** The operator report of `ferry push --from-dir`: what arrived, what was skipped and why, the bytes sent. */
export function pushOperatorReport(
  r: DiskPushResult,
  ctx: { fromDir: string; transferId: string; signature: SignatureCheck; startedAt: Date; finishedAt: Date; error?: { code: string; message: string } },
): OperatorReport {
  const arrived = r.images.filter((i) => i.result).length;
  const failed = r.images.filter((i) => i.error);
  const checks: ReportCheck[] = [
    {
      name: 'transfer.json signature',
      status: ctx.signature.status === 'trusted' ? 'passed' : ctx.signature.ok ? 'warning' : 'failed',
      detail: ctx.signature.message,
    },
    {
      name: 'images pushed by digest',
      status: failed.length ? 'failed' : 'passed',
      detail: `${arrived} of ${r.images.length} image(s) copied${r.parent ? `; ${r.parent.images} already in the mirror from the parent transfer` : ''}`,
    },
  ];
  if (r.notCarried) checks.push(notCarriedCheck(r.notCarried));
  if (r.parent) checks.push({ name: 'parent transfer in the mirror', status: 'passed', detail: `${r.parent.blobs} blob(s) of parent transfer ${r.parent.id} confirmed by HEAD` });
  if (r.resume.journaled || r.resume.inFlightBlobs) {
    checks.push({
      name: 'resumed after an interruption',
      status: 'passed',
      detail: `${r.resume.confirmed} of ${r.resume.journaled} journaled item(s) confirmed by HEAD and skipped; ${r.resume.inFlightBlobs} blob(s) were in flight`,
    });
  }
  return {
    kind: 'push',
    ok: failed.length === 0 && !ctx.error,
    subject: { directory: ctx.fromDir, transfer: ctx.transferId, target: r.target, receipt: r.receiptPath },
    startedAt: ctx.startedAt.toISOString(),
    finishedAt: ctx.finishedAt.toISOString(),
    signature: ctx.signature,
    checks,
    counts: {
      images: r.images.length + (r.parent?.images ?? 0),
      imagesPushed: arrived,
      imagesFailed: failed.length,
      blobs: r.blobs.total,
      blobsSent: r.blobs.copied,
      blobsMounted: r.blobs.mounted,
      blobsAlreadyInMirror: r.blobs.skipped,
      ...(r.parent ? { parentBlobs: r.parent.blobs } : {}),
      ...(r.resume.journaled ? { resumedConfirmed: r.resume.confirmed } : {}),
    },
    bytes: { sent: r.blobs.bytesCopied, ...(r.resume.inFlightBlobs ? { inFlightBeforeResume: r.resume.inFlightBytes, resent: r.resume.resentBytes } : {}) },
    durationsMs: { total: ctx.finishedAt.getTime() - ctx.startedAt.getTime() },
    problems: failed.map((f) => ({ code: f.error!.code, message: f.error!.message, image: f.source })),
  };
}
