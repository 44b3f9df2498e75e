import type { ImageRole } from '../../../shared/mirror-mapping';
import type { ImageReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import { DockerSource } from '../copy/docker';
import type { FetchedManifest } from '../registry/client';
import { parseManifest } from '../registry/manifest';

/**
 * Signature artifacts that sit beside an image in its source repository and must travel with it, so that a
 * cluster verifying image signatures finds them in the mirror too:
 * - cosign's tag `sha256-<hex>.sig` (sigstore/cosign pkg/oci/remote: the digest with ':' turned into '-',
 *   then `.sig`);
 * - OCI 1.1 referrers (manifests whose `subject` is the image): through the referrers API, or, on a registry
 *   without it (docker-registry 2.8 answers 404), the referrers tag schema of the distribution spec: an image
 *   index tagged `sha256-<hex>` listing them.
 * Either way the referrers travel as that index (the API's answer is such an index), pushed under the same
 * tag so a mirror without the API still serves them by the fallback, and a mirror with it indexes each
 * referrer by its `subject`.
 */
export interface ArtifactRequest {
  /** The subject's repository with the artifact's tag, in the name clusters know. */
  ref: ImageReference;
  role: ImageRole;
  /** The referrers index as the API answered it (no tag in the source holds it). */
  root?: FetchedManifest;
}

const COSIGN_SIGNATURE_SUFFIX = '.sig';

/** `sha256-<hex>`: the referrers tag of a digest, and the stem of cosign's tags. */
export function digestTag(digest: string): string {
  return digest.replace(':', '-');
}

/** A tag naming a signature artifact: kept as it is in the mirror (the tag is how clients find it). */
export function isSignatureArtifactTag(tag: string | undefined): boolean {
  return tag !== undefined && /^[a-z0-9]+-[a-f0-9]{32,}(\.sig)?$/.test(tag);
}

export interface ArtifactSubject {
  ref: ImageReference;
  role: ImageRole;
  digest: string;
}

/**
 * Per registry, whether it answers the referrers API, as the first image asked there learnt it: the images
 * planned beside it wait for that answer rather than each asking a registry that 404s them all (a request
 * per image less on one without the API, at no extra round trip: the tag check follows the answer either
 * way). Undefined when that first request failed: the images waiting ask for themselves, the next one learns again.
 */
const referrersApi = new WeakMap<EngineContext, Map<string, Promise<boolean | undefined>>>();

async function referrersIndex(ctx: EngineContext, src: DockerSource, subject: ArtifactSubject): Promise<ArtifactRequest | undefined> {
  const tagged: ArtifactRequest = { ref: { registry: subject.ref.registry, repository: subject.ref.repository, tag: digestTag(subject.digest) }, role: subject.role };
  let known = referrersApi.get(ctx);
  if (!known) referrersApi.set(ctx, (known = new Map()));
  const registry = src.location.registry;
  const learnt = known.get(registry);
  // No await before the first asker records its request: the images planned beside it must find it.
  if (learnt === undefined || (await learnt) !== false) {
    const asked = src.referrers(subject.digest, ctx.signal);
    if (!learnt) {
      const learning: Promise<boolean | undefined> = asked.then(
        (index) => index !== undefined,
        () => {
          if (known.get(registry) === learning) known.delete(registry);
          return undefined;
        },
      );
      known.set(registry, learning);
    }
    const index = await asked;
    if (index) {
      const parsed = parseManifest(index.bytes, index.mediaType, `referrers of ${src.name}`);
      return parsed.kind === 'index' && parsed.manifests.length > 0 ? { ...tagged, root: index } : undefined;
    }
  }
  return (await src.hasTag(tagged.ref.tag!, ctx.signal)) ? tagged : undefined;
}

/** The signature artifacts of one image in its source repository (none is the usual answer). */
export async function signatureArtifacts(ctx: EngineContext, subject: ArtifactSubject): Promise<ArtifactRequest[]> {
  const repo = { registry: subject.ref.registry, repository: subject.ref.repository };
  const src = new DockerSource(ctx, { ...repo, digest: subject.digest });
  const cosignTag = `${digestTag(subject.digest)}${COSIGN_SIGNATURE_SUFFIX}`;
  const [cosign, referrers] = await Promise.all([src.hasTag(cosignTag, ctx.signal), referrersIndex(ctx, src, subject)]);
  return [...(cosign ? [{ ref: { ...repo, tag: cosignTag }, role: subject.role }] : []), ...(referrers ? [referrers] : [])];
}
