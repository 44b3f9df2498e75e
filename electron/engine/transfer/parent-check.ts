import { FerryError } from '../../../shared/errors';
import { mirrorRepositoryFor, type MirrorTarget } from '../../../shared/mirror-mapping';
import { parseReference } from '../../../shared/reference';
import { isParentLocation, type TransferImage } from '../../../shared/transfer/manifest';
import type { EngineContext } from '../context';
import type { TransferReader } from '../media/reader';

/**
 * Before a delta is pushed: every blob and manifest it takes from its parent must already be in the
 * mirror, or the push would stop halfway with images that cannot be completed. HEAD requests only;
 * blobs found are remembered so uploads can mount them across repositories.
 */
export interface ParentCheck {
  /** Images whose top manifest is in the parent: already in the mirror, nothing of them to send. */
  inParent: Set<string>;
  /** Digests confirmed in the mirror. */
  present: Set<string>;
  /** Parent blobs (and manifests) the mirror lacks, with an image that needs each when one is known. */
  missing: Array<{ digest: string; image?: string; repository?: string }>;
  checked: number;
}

function repoOf(image: TransferImage, target: MirrorTarget): string {
  return mirrorRepositoryFor(parseReference(image.source), image.role, target).repository;
}

/** Finds, with HEAD requests only, which of the blobs a delta takes from its parent the mirror holds. */
export async function locateParentBlobs(ctx: EngineContext, reader: TransferReader, target: MirrorTarget): Promise<ParentCheck> {
  const manifest = reader.manifest;
  const parentBlobs = manifest.blobs.filter((b) => isParentLocation(b.location));
  const result: ParentCheck = { inParent: new Set(), present: new Set(), missing: [], checked: parentBlobs.length };
  for (const image of manifest.images) {
    if (isParentLocation(reader.blob(image.digest)!.location)) result.inParent.add(image.source);
  }
  if (parentBlobs.length === 0) return result;
  const client = ctx.registry(target.registry);
  // Pull access is enough to look, so verify --against works with read-only mirror credentials too.
  const opts = ctx.signal ? { signal: ctx.signal } : {};
  const repos = [...new Set(manifest.images.map((i) => repoOf(i, target)))];

  await Promise.all(
    parentBlobs.map((blob) =>
      ctx.checks(async () => {
        const users = blob.kind === 'manifest' ? manifest.images.filter((i) => i.manifests.includes(blob.digest)).map((i) => i.source) : await reader.imagesUsing(blob.digest);
        const own = manifest.images.filter((i) => users.includes(i.source)).map((i) => repoOf(i, target));
        // A manifest must be in the repository of every image naming it; a blob anywhere on the registry can be mounted.
        let found: boolean;
        if (blob.kind === 'manifest') {
          const heads = await Promise.all(own.map(async (repo) => (await client.headManifest(repo, blob.digest, opts))?.digest === blob.digest));
          found = heads.length > 0 && heads.every(Boolean);
        } else {
          found = false;
          for (const repo of [...new Set([...own, ...repos])]) {
            if ((await client.headBlob(repo, blob.digest, opts)) === undefined) continue;
            ctx.blobLocations.add(target.registry, repo, blob.digest);
            found = true;
            break;
          }
        }
        if (found) result.present.add(blob.digest);
        else result.missing.push({ digest: blob.digest, ...(users[0] ? { image: users[0] } : {}), ...(own[0] ? { repository: own[0] } : {}) });
      }),
    ),
  );

  return result;
}

/** Refuses (exit 1, before anything is pushed) a delta whose parent is not in the mirror. */
export async function checkParent(ctx: EngineContext, reader: TransferReader, target: MirrorTarget, targetSpec: string): Promise<ParentCheck> {
  const result = await locateParentBlobs(ctx, reader, target);
  const { missing } = result;
  const manifest = reader.manifest;
  if (missing.length > 0) {
    const parent = manifest.parent;
    const parentName = parent ? parent.id : 'it was made from';
    const sample = missing.slice(0, 5).map((m) => `  ${m.digest}${m.image ? ` (needed by ${m.image})` : ''}`);
    throw new FerryError(
      'VERIFY_FAILED',
      `Transfer ${manifest.id} is a delta: ${missing.length} of ${result.checked} blob(s) it takes from its parent are not in ${targetSpec}, so nothing was pushed:\n${sample.join('\n')}${missing.length > sample.length ? `\n  … and ${missing.length - sample.length} more` : ''}`,
      {
        hint: `Push the parent transfer ${parentName} first (to ${targetSpec}), then this one; or write a full transfer without --since.`,
        details: { transfer: manifest.id, ...(parent ? { parent } : {}), missing: missing.map((m) => m.digest) },
      },
    );
  }
  return result;
}
