import { createHash } from 'node:crypto';
import type { BlobDescriptor, ImageInput } from '../../../electron/engine/media/writer';
import { TransferWriter, type WriterOptions } from '../../../electron/engine/media/writer';
import type { TransferManifest } from '../../../shared/transfer/manifest';

/**
 * Generated transfer content for the media tests: layers of deterministic pseudo-random bytes, configs
 * and manifests built here (OCI and Docker schema2, plus a two-platform OCI index), so every digest is
 * real and the same on every run.
 */
export interface FixtureBlob extends BlobDescriptor {
  data: Buffer;
}

export interface FixtureContent {
  /** In the order a pipeline would add them: each image's layers, config, then manifests. */
  blobs: FixtureBlob[];
  images: Array<ImageInput & { manifests: string[] }>;
}

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** `size` bytes derived from `seed` (SHA-256 in counter mode): incompressible and reproducible. */
export function pseudoRandom(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let off = 0, i = 0; off < size; off += 32, i++) createHash('sha256').update(`${seed}:${i}`).digest().copy(out, off);
  return out;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';

function blob(data: Buffer, mediaType: string, kind: FixtureBlob['kind']): FixtureBlob {
  return { digest: sha256(data), size: data.length, mediaType, kind, data };
}

function layer(seed: string, size: number, mediaType: string): FixtureBlob {
  return blob(pseudoRandom(seed, size), mediaType, 'layer');
}

function config(layers: FixtureBlob[], arch: string, mediaType: string, label: string): FixtureBlob {
  const doc = {
    architecture: arch,
    os: 'linux',
    config: { Labels: { 'io.ferry.fixture': label } },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
  };
  return blob(Buffer.from(JSON.stringify(doc)), mediaType, 'config');
}

function imageManifest(cfg: FixtureBlob, layers: FixtureBlob[], docker: boolean): FixtureBlob {
  const doc = {
    schemaVersion: 2,
    mediaType: docker ? DOCKER_MANIFEST : OCI_MANIFEST,
    config: { mediaType: cfg.mediaType, digest: cfg.digest, size: cfg.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  return blob(Buffer.from(JSON.stringify(doc, null, 2)), docker ? DOCKER_MANIFEST : OCI_MANIFEST, 'manifest');
}

export interface ContentSizes {
  shared: number;
  big: number;
  medium: number;
  small: number;
}

/**
 * Three images: a Docker schema2 "release" image, an OCI component whose big layer is meant to exceed
 * the volume size (so it is split), and an "extra" two-platform OCI index. One layer is shared by all.
 */
export function fixtureContent(sizes: ContentSizes = { shared: 30_000, big: 600_000, medium: 150_000, small: 70_000 }, seed = 'ferry'): FixtureContent {
  const blobs: FixtureBlob[] = [];
  const images: FixtureContent['images'] = [];
  const push = (...b: FixtureBlob[]): void => {
    for (const x of b) if (!blobs.some((y) => y.digest === x.digest)) blobs.push(x);
  };

  const sharedOci = layer(`${seed}/shared`, sizes.shared, OCI_LAYER);
  const sharedDocker = { ...sharedOci, mediaType: DOCKER_LAYER };

  const relLayers = [sharedDocker, layer(`${seed}/release`, sizes.medium, DOCKER_LAYER)];
  const relConfig = config(relLayers, 'amd64', DOCKER_CONFIG, 'release');
  const relManifest = imageManifest(relConfig, relLayers, true);
  push(...relLayers, relConfig, relManifest);
  images.push({ source: 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64', role: 'release', digest: relManifest.digest, mediaType: relManifest.mediaType!, tag: '4.15.3-x86_64', manifests: [relManifest.digest] });

  const compLayers = [sharedOci, layer(`${seed}/component-big`, sizes.big, OCI_LAYER), layer(`${seed}/component-small`, sizes.small, OCI_LAYER)];
  const compConfig = config(compLayers, 'amd64', OCI_CONFIG, 'component');
  const compManifest = imageManifest(compConfig, compLayers, false);
  push(...compLayers, compConfig, compManifest);
  images.push({ source: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${compManifest.digest}`, role: 'component', digest: compManifest.digest, mediaType: OCI_MANIFEST, manifests: [compManifest.digest] });

  const children: FixtureBlob[] = [];
  for (const arch of ['amd64', 'arm64']) {
    const layers = [sharedOci, layer(`${seed}/extra-${arch}`, sizes.small, OCI_LAYER)];
    const cfg = config(layers, arch, OCI_CONFIG, `extra-${arch}`);
    const m = imageManifest(cfg, layers, false);
    push(...layers, cfg, m);
    children.push(m);
  }
  const index = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: children.map((m, i) => ({ mediaType: OCI_MANIFEST, digest: m.digest, size: m.size, platform: { architecture: i === 0 ? 'amd64' : 'arm64', os: 'linux' } })),
      }),
    ),
    OCI_INDEX,
    'manifest',
  );
  push(index);
  images.push({ source: 'registry.example.com/extra/tools:1.0', role: 'extra', digest: index.digest, mediaType: OCI_INDEX, tag: '1.0', platforms: ['linux/amd64', 'linux/arm64'], manifests: [index.digest, ...children.map((c) => c.digest)] });
  return { blobs, images };
}

/** The blob's bytes in chunks of varying size, as a network stream would deliver them. */
export async function* chunked(data: Buffer, chunk = 16_384): AsyncGenerator<Buffer> {
  for (let off = 0, i = 0; off < data.length; i++) {
    const n = chunk + (i % 3) * 1000;
    yield data.subarray(off, off + n);
    off += n;
  }
}

export const FINISH_META = { toolVersion: '0.1.0-test', requested: { release: 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64', images: ['registry.example.com/extra/tools:1.0'] } };

/** Writes the whole content in one go, as an uninterrupted mirror-to-disk would. */
export async function writeFixture(dir: string, content: FixtureContent, options: WriterOptions): Promise<TransferManifest> {
  const writer = await TransferWriter.open(dir, options);
  try {
    await Promise.all(content.blobs.map((b) => writer.addBlob(b, chunked(b.data))));
    for (const img of content.images) writer.addImage(img);
    return await writer.finish(FINISH_META);
  } finally {
    await writer.close();
  }
}
