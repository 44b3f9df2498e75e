import { formatBytes } from '../format';
import type { FailedImage } from './manifest';
import { renderSignatureCheck, type SignatureCheck } from './signature';

/**
 * The result of checking a transfer on disk: plain data for the CLI (--json), the UI's report table and
 * saved job history, plus the one human rendering the CLI prints.
 */
export type VerifyProblemCode =
  | 'VOLUME_MISSING'
  | 'VOLUME_SIZE'
  | 'VOLUME_HASH'
  | 'VOLUME_UNLISTED'
  | 'VOLUME_NOT_FILE'
  | 'TAR_MALFORMED'
  | 'ENTRY_UNSAFE'
  | 'ENTRY_UNLISTED'
  | 'ENTRY_DUPLICATE'
  | 'ENTRY_MISPLACED'
  | 'ENTRY_MISSING'
  | 'BLOB_DIGEST'
  | 'LAYOUT_MISMATCH'
  | 'IMAGE_INCOMPLETE'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_UNTRUSTED'
  | 'SIGNATURE_INVALID';

export interface VerifyProblem {
  code: VerifyProblemCode;
  message: string;
  volume?: string;
  blob?: string;
  /** The image a problem is about (image-level problems). */
  image?: string;
  /** Every image using the blob a problem is about. */
  images?: string[];
}

export interface VerifyReport {
  ok: boolean;
  dir: string;
  /** Empty when the signature check failed and transfer.json was not read. */
  transferId: string;
  /** Checked before anything else (absent only in reports from before signatures existed). */
  signature?: SignatureCheck;
  problems: VerifyProblem[];
  counts: { volumes: number; images: number; blobs: number; blobsVerified: number; parentBlobs: number; entries: number };
  bytes: { volumes: number; blobs: number; read: number };
  durationsMs: { total: number; volumes: Record<string, number> };
  /**
   * Images the transfer was asked for but could not carry (transfer.json's `failed`): a partial transfer. Not a
   * problem of the media, so `ok` holds for what is carried; these are not on the media and will not be pushed.
   */
  failed?: FailedImage[];
}

/** The lines that say a transfer is partial, wherever it is shown (verify, push). */
export function renderNotCarried(failed: readonly FailedImage[] = []): string[] {
  if (failed.length === 0) return [];
  return [
    `PARTIAL: ${failed.length} image(s) asked for failed on the connected side and are not on these media:`,
    ...failed.map((f) => `  - ${f.ref} (${f.role}) ${f.code}: ${f.message}`),
  ];
}


export function renderVerifyReport(r: VerifyReport): string {
  const signature = r.signature ? renderSignatureCheck(r.signature) : [];
  if (r.signature && !r.signature.ok) return `${[...signature, 'FAILED: no other check was run on a transfer.json that fails its signature.'].join('\n')}\n`;
  const lines = [
    ...signature,
    `Transfer ${r.transferId} in ${r.dir}`,
    `  ${r.counts.images} image(s), ${r.counts.blobs} blob(s) (${formatBytes(r.bytes.blobs)}${r.counts.parentBlobs ? `, ${r.counts.parentBlobs} in the parent transfer` : ''}), ${r.counts.volumes} volume(s) (${formatBytes(r.bytes.volumes)})`,
    `  ${r.counts.blobsVerified} blob digest(s) checked, ${r.counts.entries} tar entries read in ${(r.durationsMs.total / 1000).toFixed(1)} s`,
  ];
  if (r.ok) {
    lines.push(`OK: every volume, blob and ${r.failed?.length ? 'carried ' : ''}image verified.`);
  } else {
    lines.push(`FAILED: ${r.problems.length} problem(s):`);
    for (const p of r.problems) {
      const used = p.images?.length ? ` [used by ${p.images.join(', ')}]` : '';
      lines.push(`  - ${p.code}: ${p.message}${used}`);
    }
  }
  lines.push(...renderNotCarried(r.failed));
  return `${lines.join('\n')}\n`;
}

/** What each count of a report means, in the words a person reads (the keys are for --json and code). */
const COUNT_WORDS: Record<string, string> = {
  volumes: 'volume(s)',
  images: 'image(s)',
  blobs: 'blob(s)',
  blobsVerified: 'blob digest(s) checked',
  parentBlobs: 'blob(s) in the parent transfer',
  entries: 'tar entries read',
  imagesInMirror: 'image(s) present in the mirror',
};

/**
 * A report's counts as one sentence ("3 volume(s), 14 blob digest(s) checked"), never as raw keys. Keys that
 * are already words (as older job reports have) are kept; a count of parent blobs is left out when there are none.
 */
export function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([k, v]) => !(k === 'parentBlobs' && v === 0))
    .map(([k, v]) => `${v} ${COUNT_WORDS[k] ?? k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`)
    .join(', ');
}
