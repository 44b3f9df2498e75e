import { mirrorRepositoryFor, type ImageRole, type MirrorTarget } from '../../../shared/mirror-mapping';
import { formatReference, parseReference, type ImageReference } from '../../../shared/reference';
import type { ReleaseMember } from '../../../shared/transfer/carried-releases';
import { isSignatureArtifactTag } from './signature-artifacts';

/**
 * Where one image of a transfer lands in the mirror and under which name, as `oc adm release mirror`
 * does it: the release at `NS/ocp-release:VERSION-ARCH`, components in `NS/ocp-v4.0-art-dev` by digest
 * and tagged `VERSION-ARCH-NAME`, extra images under NS with their own path and tag (or digest), signature artifacts beside their
 * image under their tag. Push,
 * direct mirror, verify --against and the receipt all use this.
 */
export interface MirroredImage {
  source: string;
  role: ImageRole;
  digest: string;
  /** A release component's image-references names. */
  components?: readonly string[];
  /** Digests of the image's manifests: the top one and, for a manifest list, its children. */
  manifests?: readonly string[];
  /**
   * The releases the image belongs to when a transfer carries several (releaseMembers): then they, not `components`
   * and the one release passed below, give its release tags.
   */
  releases?: readonly ReleaseMember[];
}

type Release = { version: string; architecture: string };

function membersOf(image: MirroredImage, release?: Release): readonly ReleaseMember[] {
  if (image.releases) return image.releases;
  return release ? [{ ...release, ...(image.components ? { components: image.components } : {}) }] : [];
}

export function mirrorReference(image: MirroredImage, target: MirrorTarget, release?: { version: string; architecture: string }): ImageReference {
  const src = parseReference(image.source);
  const repo = mirrorRepositoryFor(src, image.role, target);
  // Signature artifacts are found by their tag beside the image (cosign `.sig`, the OCI referrers tag).
  if (isSignatureArtifactTag(src.tag)) return { ...repo, tag: src.tag! };
  const own = image.role === 'release' ? membersOf(image, release)[0] : undefined;
  if (own) return { ...repo, tag: `${own.version}-${own.architecture}` };
  if (image.role === 'extra' && src.tag) return { ...repo, tag: src.tag };
  return { ...repo, digest: image.digest };
}

/** `HOST:PORT/NS/REPO@sha256:…`: the mirror location by digest, as recorded in receipts. */
export function mirrorLocationByDigest(image: MirroredImage, target: MirrorTarget): string {
  const repo = mirrorRepositoryFor(parseReference(image.source), image.role, target);
  return formatReference({ ...repo, digest: image.digest });
}

/**
 * The tags a release component gets beside its digest, one per image-references name, in the form of
 * openshift/oc pkg/cli/admin/release/mirror.go: `fmt.Sprintf("%s%s-%s", version, archExt, name)`, the
 * version being the payload's name and archExt `-` plus its architecture as release tags spell it
 * (amd64 → x86_64, arm64 → aarch64, `multi` for a manifest list kept whole). Clusters pull by digest;
 * the tags keep registries that garbage-collect untagged manifests (Quay) from deleting components.
 */
export function componentTags(image: MirroredImage, release?: { version: string; architecture: string }): string[] {
  if (image.role !== 'component') return [];
  return membersOf(image, release).flatMap((r) => (r.components ?? []).map((name) => `${r.version}-${r.architecture}-${name}`));
}

export interface MirrorTag {
  tag: string;
  digest: string;
}

/**
 * Every tag push writes for a release image or component, and the digest each names: the component
 * tags above, the release's own `VERSION-ARCH`, and, when the image is a manifest list, one tag per
 * child, `TAG-<first 12 hex of its digest>`. oc gives children no tag, and Quay keeps the children of a
 * tagged list; but docker-registry 2.x (the `registry:2` a mirror node often runs) deletes untagged
 * children with `garbage-collect --delete-untagged` (distribution/distribution#3178), which would leave
 * a multi-arch component, or a `-multi` payload, unpullable. Extra images keep only their own names.
 */
export function mirrorTags(image: MirroredImage, release?: { version: string; architecture: string }): MirrorTag[] {
  const own = image.role === 'release' ? membersOf(image, release).map((r) => `${r.version}-${r.architecture}`) : componentTags(image, release);
  const children = (image.manifests ?? []).filter((d) => d !== image.digest);
  return own.flatMap((tag) => [{ tag, digest: image.digest }, ...children.map((d) => ({ tag: `${tag}-${d.slice(d.indexOf(':') + 1, d.indexOf(':') + 13)}`, digest: d }))]);
}

/**
 * Every tag an image has in the mirror once pushed: the tag of the name it is pushed by (an extra image's own tag,
 * a filtered catalog's catalog tag, the release's) and the tags above. What verify --against checks, and what push
 * writes for an image a delta takes from its parent, which no copy names.
 */
export function allMirrorTags(image: MirroredImage, target: MirrorTarget, release?: { version: string; architecture: string }): MirrorTag[] {
  const named = mirrorReference(image, target, release);
  return [...(named.tag ? [{ tag: named.tag, digest: image.digest }] : []), ...mirrorTags(image, release).filter((t) => t.tag !== named.tag)];
}
