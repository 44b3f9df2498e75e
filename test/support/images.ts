import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fillerText, flipByte, keystream } from './bytes';
import { addImage, addIndex, addLayer, type BuiltLayer } from './layers';
import { OciLayoutWriter } from './oci-layout';
import { inBatches, inspectManifest, pushFromLayout } from './push';
import type { RegistryEndpoint, TestWorld } from './world';

export interface FixtureImage {
  ref: string; // HOST/REPOSITORY:TAG
  digest: string; // manifest digest as the registry serves it
  mediaType: string;
  repository: string;
  tag: string;
}

export interface Fixtures {
  /** Docker schema2 manifest, gzip layers. */
  schema2: FixtureImage;
  /** OCI manifest, gzip layers; shares its base layer with schema2 and the index children. */
  oci: FixtureImage;
  /** OCI index with linux/amd64, linux/arm64 and linux/ppc64le children. */
  index: FixtureImage;
  /** "linux/amd64" -> child manifest digest. */
  platforms: Record<string, string>;
  /** The same three platforms as a Docker manifest list of schema2 children (`ferry/dockerlist:v1`). */
  dockerList: FixtureImage;
  /** "linux/amd64" -> child digest within dockerList. */
  dockerListPlatforms: Record<string, string>;
  /** Digest of the layer shared by schema2, oci and every index child. */
  sharedLayer: string;
}

const ARCHES = ['amd64', 'arm64', 'ppc64le'] as const;

function fixtureImage(ep: RegistryEndpoint, repository: string, tag: string, pushed: { digest: string; mediaType: string }): FixtureImage {
  return { ref: `${ep.host}/${repository}:${tag}`, repository, tag, digest: pushed.digest, mediaType: pushed.mediaType };
}

/**
 * Builds small images (deterministic content, one base layer shared by all) as an OCI layout and pushes
 * them with real skopeo into `ferry/schema2:v1`, `ferry/oci:v1`, `ferry/multiarch:v1` (OCI index) and
 * `ferry/dockerlist:v1` (the same platforms as a Docker manifest list): all four manifest media types.
 */
export async function pushFixtures(world: TestWorld, into: 'source' | 'mirror' = 'source'): Promise<Fixtures> {
  const ep = world[into];
  const layout = await new OciLayoutWriter(join(world.dir, `fixtures-${into}`)).init();
  const base = await addLayer(layout, [
    { path: 'etc/', type: 'directory' },
    { path: 'etc/os-release', content: 'NAME="Ferry fixture"\nID=ferry\n' },
    { path: 'usr/share/ferry/base.txt', content: fillerText('base', 48 * 1024) },
  ]);
  const own = (name: string): Promise<BuiltLayer> =>
    addLayer(layout, [{ path: `app/${name}.txt`, content: fillerText(name, 16 * 1024) }]);

  layout.tag('schema2', await addImage(layout, { layers: [base, await own('schema2')], labels: { fixture: 'schema2' } }));
  layout.tag('oci', await addImage(layout, { layers: [base, await own('oci')], labels: { fixture: 'oci' } }));
  const children = [];
  for (const arch of ARCHES) {
    children.push(
      await addImage(layout, {
        layers: [base, await own(`arch-${arch}`)],
        platform: { os: 'linux', architecture: arch },
        labels: { fixture: 'multiarch' },
      }),
    );
  }
  layout.tag('index', await addIndex(layout, children));
  await layout.save();

  const [schema2, oci, index, dockerList] = await inBatches(3, [
    () => pushFromLayout(world, layout, 'schema2', `${ep.host}/ferry/schema2:v1`, { format: 'v2s2' }),
    () => pushFromLayout(world, layout, 'oci', `${ep.host}/ferry/oci:v1`),
    () => pushFromLayout(world, layout, 'index', `${ep.host}/ferry/multiarch:v1`, { all: true }),
    () => pushFromLayout(world, layout, 'index', `${ep.host}/ferry/dockerlist:v1`, { all: true, format: 'v2s2' }),
  ]);
  // Pushed with --preserve-digests: the children the registry holds are the ones built here.
  const platforms: Record<string, string> = {};
  for (const child of children) platforms[`${child.platform!.os}/${child.platform!.architecture}`] = child.digest;
  // Converted children get new digests: read them from the list the registry holds.
  const dockerListPlatforms: Record<string, string> = {};
  const list = JSON.parse((await inspectManifest(world, `${ep.host}/ferry/dockerlist:v1`)).raw) as {
    manifests: Array<{ digest: string; platform: { os: string; architecture: string } }>;
  };
  for (const child of list.manifests) dockerListPlatforms[`${child.platform.os}/${child.platform.architecture}`] = child.digest;
  await rm(layout.dir, { recursive: true, force: true });
  return {
    schema2: fixtureImage(ep, 'ferry/schema2', 'v1', schema2!),
    oci: fixtureImage(ep, 'ferry/oci', 'v1', oci!),
    index: fixtureImage(ep, 'ferry/multiarch', 'v1', index!),
    platforms,
    dockerList: fixtureImage(ep, 'ferry/dockerlist', 'v1', dockerList!),
    dockerListPlatforms,
    sharedLayer: base.descriptor.digest,
  };
}

const TAR_BLOCK = 512;
/** A tar of one file: header block, data padded to a block, two zero blocks. */
const TAR_OVERHEAD = 3 * TAR_BLOCK;

/**
 * Pushes `ferry/big:SIZE` to the source: one uncompressed tar layer holding one file of incompressible
 * bytes, streamed to disk (bounded memory). The layer is exactly `sizeBytes` when that is a multiple of
 * 512 (and at least 2 KiB); `layerSize` is always the true blob size. The local copy is removed after.
 */
export async function pushBigImage(
  world: TestWorld,
  sizeBytes: number,
): Promise<FixtureImage & { layerDigest: string; layerSize: number }> {
  const payload = Math.max(0, sizeBytes - TAR_OVERHEAD);
  const layout = await new OciLayoutWriter(join(world.dir, `big-${sizeBytes}`)).init();
  try {
    const layer = await addLayer(
      layout,
      [{ path: 'data/big.bin', content: { size: payload, stream: () => keystream(`big-${sizeBytes}`, payload) } }],
      { gzip: false },
    );
    layout.tag('big', await addImage(layout, { layers: [layer], labels: { fixture: 'big' } }));
    await layout.save();
    const tag = `s${sizeBytes}`;
    const pushed = await pushFromLayout(world, layout, 'big', `${world.source.host}/ferry/big:${tag}`);
    return {
      ...fixtureImage(world.source, 'ferry/big', tag, pushed),
      layerDigest: layer.descriptor.digest,
      layerSize: layer.descriptor.size,
    };
  } finally {
    await rm(layout.dir, { recursive: true, force: true });
  }
}

/** Where distribution's filesystem driver keeps a blob's bytes. */
export function blobPath(ep: RegistryEndpoint, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return join(ep.dataDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

/** Flips one byte in the middle of the stored blob; the size stays the same, the digest no longer matches. */
export async function corruptBlob(ep: RegistryEndpoint, digest: string): Promise<void> {
  await flipByte(blobPath(ep, digest));
}
