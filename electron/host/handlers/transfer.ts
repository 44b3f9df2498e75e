import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import { carriedReleases } from '../../../shared/transfer/carried-releases';
import { TRANSFER_FILE } from '../../../shared/transfer/manifest';
import { readTransferManifest } from '../../engine/media/reader';
import { checkTransferTrust } from '../../engine/signing/trust-policy';

/** Colon-separated upper-case hex, as the app shows every fingerprint. */
function colonHex(hex: string): string {
  return hex.toUpperCase().match(/../g)!.join(':');
}

/**
 * What a transfer directory holds, from its transfer.json alone (nothing else is read), and the
 * SHA-256 of that file's exact bytes: the fingerprint both sides of the gap compare.
 */
export async function readTransfer(req: ParsedRequestOf<'transfer.read'>): Promise<ResponseOf<'transfer.read'>> {
  // The reader's checks (size bound, schema) and messages; the bytes are hashed as they are on the media.
  const m = await readTransferManifest(req.dir);
  const bytes = await readFile(join(req.dir, TRANSFER_FILE));
  const releases = carriedReleases(m);
  return {
    id: m.id,
    createdAt: m.createdAt,
    ...(m.release ? { release: { version: m.release.version, architecture: m.release.architecture, digest: m.release.digest } } : {}),
    ...(releases.length > 1
      ? { releases: releases.map(({ release: r, signatures }) => ({ version: r.version, architecture: r.architecture, digest: r.digest, signatures: signatures?.signatures.length ?? 0 })) }
      : {}),
    images: m.images.map((i) => ({ source: i.source, role: i.role, digest: i.digest })),
    volumes: m.volumes.map((v) => ({ name: v.name, size: v.size, sha256: v.sha256 })),
    totalBytes: m.volumes.reduce((n, v) => n + v.size, 0),
    fingerprint: colonHex(createHash('sha256').update(bytes).digest('hex')),
    ...(m.failed?.length ? { failed: m.failed } : {}),
  };
}

/** The signature verdict under the operator's choices in the import journey, before anything is verified or pushed. */
export function transferSignature(req: ParsedRequestOf<'transfer.signature'>): Promise<ResponseOf<'transfer.signature'>> {
  return checkTransferTrust(req.dir, req);
}
