import { createHash } from 'node:crypto';
import { FerryError } from '../../../shared/errors';
import type { ReleaseInfo } from '../../../shared/transfer/manifest';
import { readTransferManifest } from '../media/reader';

/**
 * The disconnected side's half of release signatures: the ones a transfer carries for its release (for a
 * `--since` delta, the new release), each checked against the sha256 transfer.json records for it.
 */
export interface CarriedSignatures {
  release: ReleaseInfo;
  digest: string;
  signatures: Uint8Array[];
  warnings: string[];
}

export async function carriedReleaseSignatures(dir: string): Promise<CarriedSignatures> {
  const manifest = await readTransferManifest(dir);
  const release = manifest.release;
  if (!release) {
    throw new FerryError('INVALID_INPUT', `The transfer in ${dir} holds no release, so no release signature.`, { hint: 'Release signatures travel with `ferry mirror --release …`.' });
  }
  const carried = manifest.releaseSignatures;
  if (!carried || carried.signatures.length === 0) {
    const why = carried?.warnings.length ? ` ${carried.warnings.join(' ')}` : ' It was written without them (--no-release-signatures, or by an older Ferry).';
    throw new FerryError('INVALID_INPUT', `The transfer in ${dir} carries no signature for release ${release.version} (${release.digest}).${why}`, {
      hint: 'Fetch the signature on a connected host (ferry mirror --dry-run shows the store) and give it with --signature FILE --digest DIGEST.',
      details: { warnings: carried?.warnings ?? [] },
    });
  }
  if (carried.digest !== release.digest) {
    throw new FerryError('MEDIA_CORRUPT', `transfer.json in ${dir} carries signatures for ${carried.digest}, not for its release ${release.digest}.`, {
      hint: 'transfer.json was altered; restore it from the original media.',
    });
  }
  const signatures = carried.signatures.map((s) => {
    const bytes = new Uint8Array(Buffer.from(s.data, 'base64'));
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== s.sha256) {
      throw new FerryError('MEDIA_CORRUPT', `Release signature ${s.index} in transfer.json hashes to ${sha}, not the recorded ${s.sha256}.`, { hint: 'transfer.json was altered; restore it from the original media.' });
    }
    return bytes;
  });
  return { release, digest: carried.digest, signatures, warnings: carried.warnings };
}
