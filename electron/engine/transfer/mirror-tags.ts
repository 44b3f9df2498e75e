import { mirrorRepositoryFor, type MirrorTarget } from '../../../shared/mirror-mapping';
import { parseReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import { DockerDestination, DockerSource } from '../copy/docker';
import type { MirroredImage, MirrorTag } from './destination';

/**
 * Names manifests the mirror already holds, in the image's repository, under `tags`: each is read back
 * from the mirror by digest (verified) and put under its tags, so no byte of the image travels again.
 * Used after an image is copied, and for the images a delta takes from its parent, which the new
 * release tags too (as oc does when it mirrors that release).
 */
export async function tagInMirror(ctx: EngineContext, image: MirroredImage, target: MirrorTarget, tags: readonly MirrorTag[]): Promise<void> {
  const repo = mirrorRepositoryFor(parseReference(image.source), image.role, target);
  for (const digest of new Set(tags.map((t) => t.digest))) {
    const held = await new DockerSource(ctx, { ...repo, digest }).getManifest(undefined, ctx.signal);
    for (const { tag } of tags.filter((t) => t.digest === digest)) await new DockerDestination(ctx, { ...repo, tag }).putManifest(held, 'root', ctx.signal);
  }
}
