import { FerryError } from '../../../shared/errors';
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

/** The node's platform for a release architecture as payload tags spell it (x86_64, aarch64 …). */
export function nodePlatformFor(releaseArch: string | undefined): string {
  const arch = { x86_64: 'amd64', aarch64: 'arm64', ppc64le: 'ppc64le', s390x: 's390x' }[releaseArch ?? 'x86_64'] ?? releaseArch ?? 'amd64';
  return `linux/${arch}`;
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
