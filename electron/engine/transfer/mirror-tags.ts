import { mirrorRepositoryFor, type MirrorTarget } from '../../../shared/mirror-mapping';
import { parseReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import { DockerDestination, DockerSource } from '../copy/docker';
import type { FetchedManifest } from '../registry/client';
import type { MirroredImage, MirrorTag } from './destination';

/**
 * Names manifests the mirror already holds, in the image's repository, under `tags`, so no byte of the
 * image travels again: each is one the copy just wrote (`written`, its digest confirmed by the mirror)
 * or is read back from the mirror by digest (verified). Used after an image is copied, and for the
 * images a delta takes from its parent, which the new release tags too (as oc does when it mirrors that
 * release). Requests go through the context's request limiter, every child's tags at once, then the
 * image's own: docker-registry checks a list's children as it stores the list, and a concurrent PUT of a
 * child rewrites the child's stored bytes under that check (the list is refused as naming unknown blobs).
 */
export async function tagInMirror(
  ctx: EngineContext,
  image: MirroredImage,
  target: MirrorTarget,
  tags: readonly MirrorTag[],
  written: ReadonlyMap<string, FetchedManifest> = new Map(),
): Promise<void> {
  const repo = mirrorRepositoryFor(parseReference(image.source), image.role, target);
  const tagDigest = async (digest: string): Promise<void> => {
    const held = written.get(digest) ?? (await ctx.checks(() => new DockerSource(ctx, { ...repo, digest }).getManifest(undefined, ctx.signal)));
    await Promise.all(tags.filter((t) => t.digest === digest).map(({ tag }) => ctx.checks(() => new DockerDestination(ctx, { ...repo, tag }).putManifest(held, 'root', ctx.signal))));
  };
  const digests = [...new Set(tags.map((t) => t.digest))];
  await Promise.all(digests.filter((d) => d !== image.digest).map(tagDigest));
  if (digests.includes(image.digest)) await tagDigest(image.digest);
}
