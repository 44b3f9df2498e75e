import { parseReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import { DockerSource } from '../copy/docker';
import { parseManifest, platformMatches, type Platform } from '../registry/manifest';

/**
 * Size estimates from manifests alone (no blob is read): an image's config and layers as stored, for one
 * platform of an index. Blobs are kept by digest so that images sharing layers are not counted twice.
 * An image that cannot be read has no estimate; listing a catalog does not fail for it.
 */
export type ImageBlobs = Map<string, number>;

async function blobsOf(ctx: EngineContext, pullspec: string, platform: Platform): Promise<ImageBlobs> {
  const src = new DockerSource(ctx, parseReference(pullspec));
  let fetched = await src.getManifest(undefined, ctx.signal);
  let parsed = parseManifest(fetched.bytes, fetched.mediaType, src.name);
  if (parsed.kind === 'index') {
    const child = parsed.manifests.find((m) => platformMatches(platform, m.platform)) ?? parsed.manifests[0];
    if (!child) return new Map();
    fetched = await src.getManifest(child.digest, ctx.signal);
    parsed = parseManifest(fetched.bytes, fetched.mediaType, `${src.name}@${child.digest}`);
  }
  if (parsed.kind !== 'image') return new Map();
  return new Map([parsed.config, ...parsed.layers].map((d) => [d.digest, d.size]));
}

/** Blobs of each image (absent when it could not be read), at most `ctx.options.parallel` manifests in flight. */
export async function imageBlobs(ctx: EngineContext, images: readonly string[], platform: Platform): Promise<Map<string, ImageBlobs>> {
  const out = new Map<string, ImageBlobs>();
  await Promise.all(
    [...new Set(images)].map((image) =>
      ctx.limit(async () => {
        try {
          out.set(image, await blobsOf(ctx, image, platform));
        } catch {
          // No estimate for this one; `catalog list` shows it as unknown.
        }
      }),
    ),
  );
  return out;
}

/** Bytes of the distinct blobs of `images`; `known` false when one of them has no estimate. */
export function totalSize(images: readonly string[], blobs: Map<string, ImageBlobs>): { bytes: number; known: boolean } {
  const seen = new Map<string, number>();
  let known = true;
  for (const image of images) {
    const b = blobs.get(image);
    if (!b) {
      known = false;
      continue;
    }
    for (const [d, s] of b) seen.set(d, s);
  }
  return { bytes: [...seen.values()].reduce((a, b) => a + b, 0), known };
}
