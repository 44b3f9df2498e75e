import { mirrorRepositoryFor, type ImageRole, type MirrorTarget } from '../../../shared/mirror-mapping';
import { formatReference, parseReference, type ImageReference } from '../../../shared/reference';
import { isSignatureArtifactTag } from './signature-artifacts';

/**
 * Where one image of a transfer lands in the mirror and under which name, as `oc adm release mirror`
 * does it: the release at `NS/ocp-release:VERSION-ARCH`, components in `NS/ocp-v4.0-art-dev` by digest,
 * extra images under NS with their own path and tag (or digest); signature artifacts beside their image under their tag. Push, direct mirror, verify --against
 * and the receipt all use this.
 */
export interface MirroredImage {
  source: string;
  role: ImageRole;
  digest: string;
}

export function mirrorReference(image: MirroredImage, target: MirrorTarget, release?: { version: string; architecture: string }): ImageReference {
  const src = parseReference(image.source);
  const repo = mirrorRepositoryFor(src, image.role, target);
  // Signature artifacts are found by their tag beside the image (cosign `.sig`, the OCI referrers tag).
  if (isSignatureArtifactTag(src.tag)) return { ...repo, tag: src.tag! };
  if (image.role === 'release' && release) return { ...repo, tag: `${release.version}-${release.architecture}` };
  if (image.role === 'extra' && src.tag) return { ...repo, tag: src.tag };
  return { ...repo, digest: image.digest };
}

/** `HOST:PORT/NS/REPO@sha256:…`: the mirror location by digest, as recorded in receipts. */
export function mirrorLocationByDigest(image: MirroredImage, target: MirrorTarget): string {
  const repo = mirrorRepositoryFor(parseReference(image.source), image.role, target);
  return formatReference({ ...repo, digest: image.digest });
}
