import { FerryError } from '../../../shared/errors';
import { parseReference, withDigest, type ImageReference } from '../../../shared/reference';
import { parseReleaseArchitecture, tagArchitecture } from '../../../shared/release-arch';
import type { EngineContext } from '../context';
import { DockerSource } from '../copy/docker';
import { readSmallBlob } from '../copy/inspect';
import type { FetchedManifest } from '../registry/client';
import { formatPlatform, parseManifest, platformMatches, type Descriptor, type Platform } from '../registry/manifest';
import { readFilesFromLayers } from '../image-files/layers';
import { IMAGE_REFERENCES_PATH, parseImageReferences, parseReleaseMetadata, RELEASE_METADATA_PATH, RELEASE_VERSION_LABEL, type ReleaseComponent } from './payload';
import { linkedAbort } from '../abort';

/**
 * A release pullspec resolved to what it is: the payload's digest, version and architecture, and every
 * component it names. The release image's blobs are read through the engine like any other, so
 * --source-mirror and digest verification apply.
 */
export interface ResolvedRelease {
  /** The pullspec as the user gave it. */
  pullspec: string;
  /** The release's name as clusters know it, pinned by digest (`…/ocp-release@sha256:…`). */
  source: ImageReference & { digest: string };
  /** The tag clusters and `oc adm release mirror` use in the mirror: `VERSION-ARCH`. */
  mirrorTag: string;
  digest: string;
  mediaType: string;
  version: string;
  /** The tag suffix: x86_64, aarch64, ppc64le, s390x, or multi for a manifest-list payload. */
  architecture: string;
  /** `linux/amd64`…: the payload's one platform, or every platform of a multi payload (all of them travel). */
  platforms: string[];
  channels: string[];
  previous: string[];
  components: ReleaseComponent[];
}

/** The image platform to read for `arch` (either spelling); an index's default is linux/amd64. */
export function toOciArch(arch: string): string {
  return parseReleaseArchitecture(arch).platform ?? 'amd64';
}

/** `--version 4.15.3 --arch x86_64` → the public pullspec, as `oc adm release mirror` builds it from OCP_RELEASE. */
export function releasePullspec(version: string, arch: string): string {
  if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw new FerryError('USAGE', `"${version}" is not an OpenShift version.`, { hint: 'Give a version like 4.15.3.' });
  }
  return `quay.io/openshift-release-dev/ocp-release:${version}-${parseReleaseArchitecture(arch).tag}`;
}

interface ReleaseConfig {
  architecture?: string;
  config?: { Labels?: Record<string, string> | null };
}

/** The payload's config and the version its label names; refused when it has none (not a release payload). */
async function releaseLabel(pullspec: string, src: DockerSource, blob: Descriptor, signal?: AbortSignal): Promise<{ config: ReleaseConfig; labelVersion: string }> {
  const config = JSON.parse((await readSmallBlob(src, blob, signal)).toString('utf8')) as ReleaseConfig;
  const labelVersion = config.config?.Labels?.[RELEASE_VERSION_LABEL];
  if (!labelVersion) {
    throw new FerryError('INVALID_INPUT', `${pullspec} is not an OpenShift release payload: it has no ${RELEASE_VERSION_LABEL} label.`, {
      hint: 'Give the release image (…/ocp-release:VERSION-ARCH), not a component image.',
    });
  }
  return { config, labelVersion };
}

/**
 * `opts.arch` (either spelling) picks which payload of a multi release to read the component list from,
 * and is refused when it contradicts a single-architecture payload. Without it, a multi release is read
 * from its linux/amd64 payload, as `oc adm release mirror --keep-manifest-list` does. `opts.onManifest` is
 * called with the release image (pinned by digest) and its manifest as soon as that is fetched, before the
 * payload is read.
 */
export async function resolveRelease(
  ctx: EngineContext,
  pullspec: string,
  opts: { arch?: string; onManifest?: (source: ImageReference & { digest: string }, manifest: FetchedManifest) => void } = {},
): Promise<ResolvedRelease> {
  const wanted = opts.arch !== undefined ? parseReleaseArchitecture(opts.arch) : undefined;
  const ref = parseReference(pullspec);
  const src = new DockerSource(ctx, ref);
  const top = await src.getManifest(undefined, ctx.signal);
  const parsedTop = parseManifest(top.bytes, top.mediaType, src.name);
  if (parsedTop.kind === 'schema1') throw new FerryError('UNSUPPORTED', `${pullspec} is a Docker schema 1 image, not an OpenShift release payload.`);
  const source = { ...withDigest(ref, top.digest), digest: top.digest };
  opts.onManifest?.(source, top);

  // A multi-arch payload is an index; the payload of one architecture is one of its children.
  let image: FetchedManifest = top;
  if (parsedTop.kind === 'index') {
    // The component lists of all architectures are the same manifest lists; oc reads linux/amd64's.
    const want: Platform = { os: 'linux', architecture: wanted?.platform ?? 'amd64' };
    const child = parsedTop.manifests.find((m) => platformMatches(want, m.platform)) ?? (wanted?.platform ? undefined : parsedTop.manifests[0]);
    if (!child) {
      throw new FerryError('NOT_FOUND', `The release ${pullspec} has no ${formatPlatform(want)} payload.`, {
        hint: `It has: ${parsedTop.manifests.map((m) => (m.platform ? formatPlatform(m.platform) : m.digest)).join(', ')}. Pass --arch.`,
      });
    }
    image = await src.getManifest(child.digest, ctx.signal);
  }
  const parsed = parseManifest(image.bytes, image.mediaType, `${src.name}@${image.digest}`);
  if (parsed.kind !== 'image') throw new FerryError('MEDIA_CORRUPT', `${pullspec} does not resolve to a release payload image.`);

  // The config (for the label) and the payload's files are read at once: every round trip here comes before
  // any component is known. An image that is no payload stops the read of its layers.
  const { signal, stop: notPayload } = linkedAbort(ctx.signal);
  const files = readFilesFromLayers(
    parsed.layers.map((layer) => ({ digest: layer.digest, open: () => src.openBlob(layer, { image: src.name, signal }) })),
    [IMAGE_REFERENCES_PATH, RELEASE_METADATA_PATH],
  );
  files.catch(() => undefined);
  const { config, labelVersion } = await releaseLabel(pullspec, src, parsed.config, ctx.signal).catch((e: unknown) => {
    notPayload();
    throw e;
  });
  const found = await files;
  const references = found.get(IMAGE_REFERENCES_PATH);
  if (!references) {
    throw new FerryError('INVALID_INPUT', `${pullspec} has no ${IMAGE_REFERENCES_PATH}; it is not an OpenShift release payload.`);
  }
  const metadataText = found.get(RELEASE_METADATA_PATH);
  const metadata = metadataText ? parseReleaseMetadata(metadataText.toString('utf8')) : { version: labelVersion, previous: [], channels: [] };
  if (metadata.version !== labelVersion) {
    throw new FerryError('MEDIA_CORRUPT', `${pullspec} says it is ${labelVersion} in its label but ${metadata.version} in ${RELEASE_METADATA_PATH}.`);
  }
  const architecture = parsedTop.kind === 'index' ? 'multi' : tagArchitecture(config.architecture ?? 'amd64');
  if (wanted && parsedTop.kind !== 'index' && wanted.tag !== architecture) {
    throw new FerryError('INVALID_INPUT', `${pullspec} is the ${architecture} payload of ${labelVersion}, not ${wanted.tag}.`, {
      hint: `Drop --arch, or give the ${wanted.tag} release (…/ocp-release:${labelVersion}-${wanted.tag}).`,
    });
  }
  const platforms =
    parsedTop.kind === 'index'
      ? parsedTop.manifests.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : []))
      : [formatPlatform({ os: 'linux', architecture: config.architecture ?? 'amd64' })];
  return {
    pullspec,
    source,
    mirrorTag: `${labelVersion}-${architecture}`,
    digest: top.digest,
    mediaType: parsedTop.mediaType,
    version: labelVersion,
    architecture,
    platforms,
    channels: metadata.channels,
    previous: metadata.previous,
    components: parseImageReferences(references.toString('utf8')),
  };
}
