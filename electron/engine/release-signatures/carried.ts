import { createHash } from 'node:crypto';
import { FerryError } from '../../../shared/errors';
import { carriedReleases } from '../../../shared/transfer/carried-releases';
import type { ReleaseInfo, ReleaseSignatures } from '../../../shared/transfer/manifest';
import { readTransferManifest } from '../media/reader';

/**
 * The disconnected side's half of release signatures: the ones a transfer carries for each of its releases (for a
 * `--since` delta, the new ones), each checked against the sha256 transfer.json records for it.
 */
export interface CarriedSignatures {
  releases: Array<{ release: ReleaseInfo; digest: string; signatures: Uint8Array[] }>;
  warnings: string[];
}

function signatureBytes(carried: ReleaseSignatures): Uint8Array[] {
  return carried.signatures.map((s) => {
    const bytes = new Uint8Array(Buffer.from(s.data, 'base64'));
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== s.sha256) {
      throw new FerryError('MEDIA_CORRUPT', `Release signature ${s.index} in transfer.json hashes to ${sha}, not the recorded ${s.sha256}.`, { hint: 'transfer.json was altered; restore it from the original media.' });
    }
    return bytes;
  });
}

/** Why a release travels without signatures, as transfer.json says. */
function unsignedWhy(release: ReleaseInfo, carried: ReleaseSignatures | undefined): string {
  const why = carried?.warnings.length ? ` ${carried.warnings.join(' ')}` : ' It was written without them (--no-release-signatures, or by an older Ferry).';
  return `no signature for release ${release.version} (${release.digest}).${why}`;
}

/**
 * Every carried release that has signatures, in path order; a release without any is named in `warnings`, and a
 * transfer none of whose releases has one is refused: a ConfigMap with nothing in it verifies nothing.
 */
export async function carriedReleaseSignatures(dir: string): Promise<CarriedSignatures> {
  const releases = carriedReleases(await readTransferManifest(dir));
  if (releases.length === 0) {
    throw new FerryError('INVALID_INPUT', `The transfer in ${dir} holds no release, so no release signature.`, { hint: 'Release signatures travel with `ferry mirror --release …`.' });
  }
  const out: CarriedSignatures = { releases: [], warnings: [] };
  for (const { release, signatures: carried } of releases) {
    if (carried && carried.digest !== release.digest) {
      throw new FerryError('MEDIA_CORRUPT', `transfer.json in ${dir} carries signatures for ${carried.digest}, not for its release ${release.digest}.`, {
        hint: 'transfer.json was altered; restore it from the original media.',
      });
    }
    out.warnings.push(...(carried?.warnings ?? []));
    if (!carried || carried.signatures.length === 0) {
      if (releases.length > 1) out.warnings.push(`The transfer carries ${unsignedWhy(release, carried)}`);
      continue;
    }
    out.releases.push({ release, digest: carried.digest, signatures: signatureBytes(carried) });
  }
  if (out.releases.length === 0) {
    const [only] = releases;
    throw new FerryError('INVALID_INPUT', `The transfer in ${dir} carries ${releases.length === 1 ? unsignedWhy(only!.release, only!.signatures) : `no signature for any of its ${releases.length} releases.`}`, {
      hint: 'Fetch the signature on a connected host (ferry mirror --dry-run shows the store) and give it with --signature FILE --digest DIGEST.',
      details: { warnings: releases.flatMap((r) => r.signatures?.warnings ?? []) },
    });
  }
  return out;
}
