import { FerryError } from '../../../shared/errors';
import { parseReleaseArchitecture } from '../../../shared/release-arch';
import { formatReference, parseReference, withDigest } from '../../../shared/reference';
import type { EngineContext } from '../context';
import { DockerSource } from '../copy/docker';
import { formatPlatform, parseManifest, parsePlatform, platformMatches } from '../registry/manifest';

/**
 * The mirror registry's own image, carried on the media so the disconnected side can start the
 * registry that receives the transfer (seed 001 runs `registry:2` under podman). The node runs one
 * architecture: a multi-arch image is pinned to that platform's manifest, so the archive the kit
 * writes and the unit that runs it name exactly the bytes that were carried and verified.
 */
export const DEFAULT_REGISTRY_IMAGE = 'docker.io/library/registry:2';

/**
 * The node's platform for the release: its `--arch`, or the architecture its pullspec's tag ends
 * with (`…:4.15.3-aarch64`); linux/amd64 when neither says (a multi release runs anywhere, and so
 * does the registry's node: name it with --registry-platform).
 */
export function nodePlatformFor(archOrPullspec: string | undefined): string {
  const suffix = archOrPullspec?.split(/[-:]/).at(-1) ?? '';
  const platform = [archOrPullspec ?? '', suffix].map((name) => {
    try {
      return parseReleaseArchitecture(name).platform;
    } catch {
      return undefined;
    }
  });
  return `linux/${platform[0] ?? platform[1] ?? 'amd64'}`;
}

export interface PinnedRegistryImage {
  /** What the user named (a tag is kept: the kit loads the image under this name). */
  ref: string;
  platform: string;
  /** `REPO@sha256:…` of the platform's image manifest: what the transfer carries and the node runs. */
  source: string;
}

export async function pinRegistryImage(ctx: EngineContext, ref: string, platform: string): Promise<PinnedRegistryImage> {
  const parsed = parseReference(ref);
  const want = parsePlatform(platform);
  const src = new DockerSource(ctx, parsed);
  const root = await src.getManifest(undefined, ctx.signal);
  const manifest = parseManifest(root.bytes, root.mediaType, src.name);
  let digest = root.digest;
  if (manifest.kind === 'index') {
    const child = manifest.manifests.find((m) => platformMatches(want, m.platform));
    if (!child) {
      const offered = manifest.manifests.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : [])).join(', ') || 'none';
      throw new FerryError('NOT_FOUND', `The registry image ${ref} has no ${platform} image (it offers: ${offered}).`, {
        hint: 'Name the node’s platform with --registry-platform, or a registry image built for it with --with-registry REF.',
      });
    }
    digest = child.digest;
  }
  return { ref: formatReference(parsed), platform: formatPlatform(want), source: formatReference(withDigest(parsed, digest)) };
}
