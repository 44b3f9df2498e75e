import { FerryError } from '../../../shared/errors';
import { formatReference, parseReference, withDigest, type ImageReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import { DockerSource } from '../copy/docker';
import { readSmallBlob } from '../copy/inspect';
import type { FetchedManifest } from '../registry/client';
import { formatPlatform, parseManifest, platformMatches, type Platform } from '../registry/manifest';
import { readFilesFromLayers } from '../image-files/layers';
import { IMAGE_REFERENCES_PATH, parseImageReferences, parseReleaseMetadata, RELEASE_METADATA_PATH, RELEASE_VERSION_LABEL, type ReleaseComponent } from './payload';

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
  /** OpenShift's name: x86_64, aarch64, ppc64le, s390x. */
  architecture: string;
  channels: string[];
  previous: string[];
  components: ReleaseComponent[];
}

/** Go/OCI architecture names ↔ the names OpenShift release tags use. */
const OPENSHIFT_ARCH: Record<string, string> = { amd64: 'x86_64', arm64: 'aarch64', ppc64le: 'ppc64le', s390x: 's390x', multi: 'multi' };

export function toOpenShiftArch(arch: string): string {
  return OPENSHIFT_ARCH[arch] ?? arch;
}

export function toOciArch(arch: string): string {
  return Object.entries(OPENSHIFT_ARCH).find(([, os]) => os === arch)?.[0] ?? arch;
}

/** `--version 4.15.3 --arch x86_64` → the public pullspec, as `oc adm release mirror` builds it from OCP_RELEASE. */
export function releasePullspec(version: string, arch: string): string {
  if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw new FerryError('USAGE', `"${version}" is not an OpenShift version.`, { hint: 'Give a version like 4.15.3.' });
  }
  return `quay.io/openshift-release-dev/ocp-release:${version}-${toOpenShiftArch(arch)}`;
}

interface ReleaseConfig {
  architecture?: string;
  config?: { Labels?: Record<string, string> | null };
}

export async function resolveRelease(ctx: EngineContext, pullspec: string, opts: { arch?: string } = {}): Promise<ResolvedRelease> {
  const ref = parseReference(pullspec);
  const src = new DockerSource(ctx, ref);
  const top = await src.getManifest(undefined, ctx.signal);
  const parsedTop = parseManifest(top.bytes, top.mediaType, src.name);
  if (parsedTop.kind === 'schema1') throw new FerryError('UNSUPPORTED', `${pullspec} is a Docker schema 1 image, not an OpenShift release payload.`);

  // A multi-arch payload is an index; the payload of one architecture is one of its children.
  let image: FetchedManifest = top;
  if (parsedTop.kind === 'index') {
    const want: Platform = { os: 'linux', architecture: toOciArch(opts.arch ?? 'x86_64') };
    const child = parsedTop.manifests.find((m) => platformMatches(want, m.platform));
    if (!child) {
      throw new FerryError('NOT_FOUND', `The release ${pullspec} has no ${formatPlatform(want)} payload.`, {
        hint: `It has: ${parsedTop.manifests.map((m) => (m.platform ? formatPlatform(m.platform) : m.digest)).join(', ')}. Pass --arch.`,
      });
    }
    image = await src.getManifest(child.digest, ctx.signal);
  }
  const parsed = parseManifest(image.bytes, image.mediaType, `${src.name}@${image.digest}`);
  if (parsed.kind !== 'image') throw new FerryError('MEDIA_CORRUPT', `${pullspec} does not resolve to a release payload image.`);

  const config = JSON.parse((await readSmallBlob(src, parsed.config, ctx.signal)).toString('utf8')) as ReleaseConfig;
  const labelVersion = config.config?.Labels?.[RELEASE_VERSION_LABEL];
  if (!labelVersion) {
    throw new FerryError('INVALID_INPUT', `${pullspec} is not an OpenShift release payload: it has no ${RELEASE_VERSION_LABEL} label.`, {
      hint: 'Give the release image (…/ocp-release:VERSION-ARCH), not a component image.',
    });
  }
  const files = await readFilesFromLayers(
    parsed.layers.map((layer) => ({ digest: layer.digest, open: () => src.openBlob(layer, { image: src.name, ...(ctx.signal ? { signal: ctx.signal } : {}) }) })),
    [IMAGE_REFERENCES_PATH, RELEASE_METADATA_PATH],
  );
  const references = files.get(IMAGE_REFERENCES_PATH);
  if (!references) {
    throw new FerryError('INVALID_INPUT', `${pullspec} has no ${IMAGE_REFERENCES_PATH}; it is not an OpenShift release payload.`);
  }
  const metadataText = files.get(RELEASE_METADATA_PATH);
  const metadata = metadataText ? parseReleaseMetadata(metadataText.toString('utf8')) : { version: labelVersion, previous: [], channels: [] };
  if (metadata.version !== labelVersion) {
    throw new FerryError('MEDIA_CORRUPT', `${pullspec} says it is ${labelVersion} in its label but ${metadata.version} in ${RELEASE_METADATA_PATH}.`);
  }
  const architecture = toOpenShiftArch(parsedTop.kind === 'index' ? 'multi' : (config.architecture ?? 'amd64'));
  return {
    pullspec,
    source: { ...withDigest(ref, top.digest), digest: top.digest },
    mirrorTag: `${labelVersion}-${architecture}`,
    digest: top.digest,
    mediaType: parsedTop.mediaType,
    version: labelVersion,
    architecture,
    channels: metadata.channels,
    previous: metadata.previous,
    components: parseImageReferences(references.toString('utf8')),
  };
}

/** For messages: `quay.io/…/ocp-release@sha256:…`. */
export function releaseName(r: ResolvedRelease): string {
  return formatReference(r.source);
}
