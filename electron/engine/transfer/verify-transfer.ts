import type { ProgressListener } from '../../../shared/progress';
import { renderVerifyReport, type VerifyProblem, type VerifyReport } from '../../../shared/transfer/verify-report';
import type { OpenEngine } from '../context';
import { TransferReader } from '../media/reader';
import { verifyTransfer } from '../media/verify';
import type { TrustPolicy } from '../signing/trust-policy';
import { renderMirrorCheck, verifyAgainst, type MirrorCheck } from './verify-against';

/**
 * `ferry verify` for every face (the CLI, the app's verify job): the transfer on disk, then, when asked,
 * the mirror against what its transfer.json lists. One option type, one result shape.
 */
export interface VerifyRequest {
  dir: string;
  /** Which transfer signatures are accepted (signing/trust-policy.ts, the same policy as push). */
  signature: TrustPolicy;
  /** `host:port/namespace`: also check that the mirror holds every image of the transfer by digest. */
  against?: string;
  onProgress?: ProgressListener;
  /** Between the media check and the mirror check (a job's pause point). */
  checkpoint?: () => Promise<void>;
}

export interface MirrorProblemEntry {
  code: 'MIRROR_MISSING';
  message: string;
  image?: string;
  blob?: string;
}

/**
 * The media report; with `against`, the mirror check is folded in: its problems follow the media's
 * (code MIRROR_MISSING), `ok` holds only when both pass, and the check itself is under `mirror`.
 * Plain data for `--json`, the job report and the app's report table alike.
 */
export interface VerifyResult extends Omit<VerifyReport, 'problems' | 'counts'> {
  problems: Array<VerifyProblem | MirrorProblemEntry>;
  counts: VerifyReport['counts'] & { imagesInMirror?: number };
  mirror?: MirrorCheck;
}

function fold(media: VerifyReport, mirror: MirrorCheck): VerifyResult {
  const problems = mirror.problems.map((p): MirrorProblemEntry => ({ code: 'MIRROR_MISSING', message: p.message, ...(p.image ? { image: p.image } : {}), ...(p.blob ? { blob: p.blob } : {}) }));
  return {
    ...media,
    ok: media.ok && mirror.ok,
    problems: [...media.problems, ...problems],
    counts: { ...media.counts, imagesInMirror: mirror.images.filter((i) => i.present).length },
    mirror,
  };
}

export async function verifyOperation(req: VerifyRequest, openEngine: OpenEngine): Promise<VerifyResult> {
  const media = await verifyTransfer(req.dir, { signature: req.signature, ...(req.onProgress ? { onProgress: req.onProgress } : {}) });
  // Nothing in a transfer.json that fails its signature is trusted, the list of images included.
  if (!req.against || media.signature?.ok === false) return media;
  const against = req.against;
  await req.checkpoint?.();
  return fold(media, await openEngine(async (ctx) => verifyAgainst(ctx, await TransferReader.open(req.dir), against)));
}

/** The media part of a result: what the operator report (`--report`) describes. */
export function mediaReport(r: VerifyResult): VerifyReport {
  const problems = r.problems.filter((p): p is VerifyProblem => p.code !== 'MIRROR_MISSING');
  const { mirror: _mirror, counts: { imagesInMirror: _present, ...counts }, ...rest } = r;
  return { ...rest, ok: problems.length === 0, problems, counts };
}

export function renderVerifyResult(r: VerifyResult): string {
  return `${renderVerifyReport(mediaReport(r))}${r.mirror ? renderMirrorCheck(r.mirror) : ''}`;
}
