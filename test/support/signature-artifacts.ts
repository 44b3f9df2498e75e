import { join } from 'node:path';
import { MEDIA, OciLayoutWriter, sha256, type Descriptor } from './oci-layout';
import { pushFromLayout } from './push';
import type { TestWorld } from './world';

/**
 * Signature artifacts beside an image in a registry, made the way their tools make them and pushed with real
 * skopeo (digests preserved):
 * - a cosign signature (sigstore/cosign pkg/oci/static + pkg/oci/remote): an OCI image manifest whose one layer
 *   is the simple-signing payload (`application/vnd.dev.cosign.simplesigning.v1+json`) carrying the signature in
 *   the `dev.cosignproject.cosign/signature` annotation, tagged `sha256-<hex>.sig`;
 * - an OCI 1.1 referrer (an artifact manifest with `subject` and `artifactType`, empty config) and, since
 *   docker-registry 2.8 has no referrers API, the referrers tag schema index `sha256-<hex>` listing it, as
 *   clients like oras write it (opencontainers/distribution-spec spec.md "Referrers Tag Schema").
 */
export const COSIGN_PAYLOAD = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SBOM_ARTIFACT = 'application/vnd.example.sbom.v1+json';
const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';

export interface PushedArtifact {
  tag: string;
  digest: string;
}

const digestTag = (digest: string) => digest.replace(':', '-');

export async function pushCosignSignature(world: TestWorld, repo: string, subject: { digest: string; reference: string }, dir: string): Promise<PushedArtifact> {
  const layout = await new OciLayoutWriter(join(dir, `cosign-${subject.digest.slice(7, 19)}`)).init();
  const payload = JSON.stringify({
    critical: { identity: { 'docker-reference': subject.reference }, image: { 'docker-manifest-digest': subject.digest }, type: 'cosign container image signature' },
    optional: null,
  });
  const layer: Descriptor = { ...(await layout.addBlob(payload, COSIGN_PAYLOAD)), annotations: { 'dev.cosignproject.cosign/signature': Buffer.from(`test signature of ${subject.digest}`).toString('base64') } };
  const config = await layout.addJson({ architecture: '', created: '0001-01-01T00:00:00Z', history: [{ created: '0001-01-01T00:00:00Z' }], os: '', rootfs: { type: 'layers', diff_ids: [sha256(payload)] }, config: {} }, MEDIA.ociConfig);
  const manifest = await layout.addJson({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config, layers: [layer] }, MEDIA.ociManifest);
  const tag = `${digestTag(subject.digest)}.sig`;
  layout.tag(tag, manifest);
  await layout.save();
  const pushed = await pushFromLayout(world, layout, tag, `${repo}:${tag}`);
  return { tag, digest: pushed.digest };
}

export async function pushReferrer(world: TestWorld, repo: string, subject: { digest: string; mediaType: string; size: number }, dir: string): Promise<PushedArtifact & { index: string }> {
  const layout = await new OciLayoutWriter(join(dir, `referrer-${subject.digest.slice(7, 19)}`)).init();
  const config = await layout.addBlob('{}', EMPTY_CONFIG);
  const sbom = await layout.addJson({ spdxVersion: 'SPDX-2.3', name: `sbom of ${subject.digest}` }, SBOM_ARTIFACT);
  const artifact = { schemaVersion: 2, mediaType: MEDIA.ociManifest, artifactType: SBOM_ARTIFACT, config, layers: [sbom], subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size } };
  const manifest = await layout.addJson(artifact, MEDIA.ociManifest);
  // The spec wants the artifactType copied into the descriptor; skopeo 1.9 (Debian) then refuses to copy the index
  // with digests preserved ("must be converted"), so the fixture's descriptor goes without it.
  const index = await layout.addJson({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [manifest] }, MEDIA.ociIndex);
  const tag = digestTag(subject.digest);
  layout.tag('artifact', manifest);
  layout.tag(tag, index);
  await layout.save();
  // skopeo 1.9 cannot copy an index of artifacts with --all while keeping digests: the referrer by digest, then the index alone.
  await pushFromLayout(world, layout, 'artifact', `${repo}@${manifest.digest}`);
  const pushed = await pushFromLayout(world, layout, tag, `${repo}:${tag}`, { indexOnly: true });
  return { tag, digest: manifest.digest, index: pushed.digest };
}
