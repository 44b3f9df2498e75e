// Proves the synthetic OpenShift releases are what the release-transfer work expects, with real
// skopeo and GNU tar: every image by digest, the payload files, the installer layering, and the delta.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { blobPath } from '../support/images';
import { run } from '../support/processes';
import { COMPONENT_REPOSITORY, RELEASE_REPOSITORY, pushRelease, type FixtureRelease } from '../support/release';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

interface Blob {
  digest: string;
  size: number;
}

const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Copies an image to a `dir:` directory and returns its layer files in manifest order. */
async function layerFiles(world: TestWorld, ref: string, dir: string): Promise<string[]> {
  await mkdir(dirname(dir), { recursive: true });
  await skopeo(world, ['copy', '--quiet', `docker://${ref}`, `dir:${dir}`]);
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { layers: Array<{ digest: string }> };
  return manifest.layers.map((l) => join(dir, l.digest.replace('sha256:', '')));
}

/** Extracts layers with GNU tar in the given order, applying OCI whiteouts after each one. */
async function applyLayers(layers: string[], root: string): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const layer of layers) {
    const listed = (await run('tar', ['-tzf', layer])).stdout.split('\n').filter(Boolean);
    await run('tar', ['-xzf', layer, '-C', root]);
    for (const entry of listed.filter((e) => /(^|\/)\.wh\.[^/]+$/.test(e))) {
      const target = join(root, dirname(entry), entry.slice(entry.lastIndexOf('.wh.') + 4));
      await rm(target, { recursive: true, force: true });
      await rm(join(root, entry), { force: true });
    }
  }
}

describe('synthetic OpenShift releases', () => {
  let world: TestWorld;
  let r3: FixtureRelease;
  let r4: FixtureRelease;

  before(async () => {
    world = await startTestWorld();
    r3 = await pushRelease(world, '4.15.3');
    r4 = await pushRelease(world, '4.15.4');
  });
  after(() => world?.stop());

  test('release image: schema2 by digest and by tag, version label, quay pullspec', async () => {
    assert.equal(r3.pullspec, `${world.source.host}/${RELEASE_REPOSITORY}:4.15.3-x86_64`);
    assert.equal(r3.quayPullspec, `quay.io/${RELEASE_REPOSITORY}@${r3.digest}`);
    for (const ref of [r3.pullspec, `${world.source.host}/${RELEASE_REPOSITORY}@${r3.digest}`]) {
      const raw = (await skopeo(world, ['inspect', '--raw', `docker://${ref}`])).stdout;
      assert.equal(sha256(raw), r3.digest);
      assert.equal(JSON.parse(raw).mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    }
    const info = JSON.parse((await skopeo(world, ['inspect', `docker://${r4.pullspec}`])).stdout) as { Labels: Record<string, string> };
    assert.equal(info.Labels['io.openshift.release'], '4.15.4');
  });

  test('image-references and release-metadata in the payload name every component on quay.io by digest', async () => {
    const work = join(world.dir, 'payload-check');
    const layers = await layerFiles(world, r3.pullspec, join(work, 'image'));
    await applyLayers(layers, join(work, 'root'));
    const refs = JSON.parse(await readFile(join(work, 'root', 'release-manifests', 'image-references'), 'utf8')) as {
      kind: string;
      apiVersion: string;
      metadata: { name: string };
      spec: { tags: Array<{ name: string; from: { kind: string; name: string } }> };
    };
    assert.equal(refs.kind, 'ImageStream');
    assert.equal(refs.apiVersion, 'image.openshift.io/v1');
    assert.equal(refs.metadata.name, '4.15.3');
    assert.deepEqual(
      refs.spec.tags.map((t) => [t.name, t.from.kind, t.from.name]),
      r3.components.map((c) => [c.name, 'DockerImage', c.quayRef]),
    );
    for (const c of r3.components) assert.equal(c.quayRef, `quay.io/${COMPONENT_REPOSITORY}@${c.digest}`);
    const meta = JSON.parse(await readFile(join(work, 'root', 'release-manifests', 'release-metadata'), 'utf8'));
    assert.equal(meta.kind, 'cincinnati-metadata-v0');
    assert.equal(meta.version, '4.15.3');
    assert.ok(Array.isArray(meta.previous) && meta.previous.length > 0);
    await rm(work, { recursive: true, force: true });
  });

  test('every component is in the source by digest; schema2, OCI and a multi-arch index are all present', async () => {
    assert.ok(r3.components.length >= 20, `${r3.components.length} components`);
    const types = new Set<string>();
    /** Checks the manifest by digest and that the blob table accounts for every blob it references. */
    const check = async (repo: string, digest: string, what: string): Promise<string> => {
      const raw = (await skopeo(world, ['inspect', '--raw', `docker://${world.source.host}/${repo}@${digest}`])).stdout;
      assert.equal(sha256(raw), digest, what);
      const doc = JSON.parse(raw) as { mediaType: string; config?: Blob; layers?: Blob[]; manifests?: Array<{ digest: string }> };
      for (const blob of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
        assert.equal(r3.blobs.get(blob.digest), blob.size, `${what}: ${blob.digest} in the blob table`);
      }
      for (const child of doc.manifests ?? []) await check(repo, child.digest, `${what} ${child.digest}`);
      return doc.mediaType;
    };
    await check(RELEASE_REPOSITORY, r3.digest, 'release image');
    for (const c of r3.components) {
      assert.equal(await check(COMPONENT_REPOSITORY, c.digest, c.name), c.mediaType, c.name);
      types.add(c.mediaType);
    }
    assert.deepEqual(
      [...types].sort(),
      [
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.oci.image.manifest.v1+json',
      ],
    );
  });

  test('components share base layers, and the blob table matches what the registry stores', async () => {
    const layersOf = async (name: string): Promise<string[]> => {
      const c = r3.components.find((x) => x.name === name)!;
      return (JSON.parse((await skopeo(world, ['inspect', `docker://${world.source.host}/${COMPONENT_REPOSITORY}@${c.digest}`])).stdout) as {
        Layers: string[];
      }).Layers;
    };
    const [cli, etcd, mco, console] = await Promise.all(['cli', 'etcd', 'machine-config-operator', 'console-operator'].map(layersOf));
    assert.equal(cli![0], etcd![0], 'every component starts from the same base layer');
    assert.notEqual(cli![1], etcd![1]);
    assert.equal(mco![1], console![1], 'operators share a second layer');

    for (const [digest, size] of r3.blobs) {
      assert.equal((await stat(blobPath(world.source, digest))).size, size, digest);
    }
    for (const l of [...cli!, ...etcd!]) assert.ok(r3.blobs.has(l), `${l} accounted`);
  });

  test('the installer binary comes out right only when layers are applied in order with whiteouts', async () => {
    assert.equal(r3.installer.digest, r3.components.find((c) => c.name === 'installer')!.digest);
    const work = join(world.dir, 'installer-check');
    const layers = await layerFiles(world, `${world.source.host}/${COMPONENT_REPOSITORY}@${r3.installer.digest}`, join(work, 'image'));
    await applyLayers(layers, join(work, 'in-order'));
    const binary = await readFile(join(work, 'in-order', 'usr', 'bin', 'openshift-install'));
    assert.deepEqual(binary, r3.installer.binary.bytes);
    assert.match(binary.toString('latin1'), /Build v4\.15\.3\./);
    assert.ok(((await stat(join(work, 'in-order', 'usr', 'bin', 'openshift-install'))).mode & 0o111) !== 0, 'executable');
    assert.equal(existsSync(join(work, 'in-order', 'usr', 'share', 'openshift', 'stale-notes.txt')), false);

    await applyLayers([...layers].reverse(), join(work, 'reversed'));
    const wrong = await readFile(join(work, 'reversed', 'usr', 'bin', 'openshift-install')).catch(() => undefined);
    assert.notDeepEqual(wrong, r3.installer.binary.bytes, 'a different openshift-install sits in an earlier layer');
    assert.ok((await readdir(join(work, 'reversed', 'usr', 'bin'))).length > 0);
    await rm(work, { recursive: true, force: true });

    assert.match(r4.installer.binary.bytes.toString('latin1'), /Build v4\.15\.4\./);
  });

  test('4.15.4 shares every component with 4.15.3 except the few it changes', () => {
    assert.notEqual(r3.digest, r4.digest);
    assert.deepEqual(r3.components.map((c) => c.name), r4.components.map((c) => c.name));
    const differing = r3.components.filter((c, i) => c.digest !== r4.components[i]!.digest).map((c) => c.name);
    assert.deepEqual(differing.sort(), [...r4.changed].sort());
    assert.ok(differing.length >= 3 && differing.length <= 4, differing.join(','));

    const added = [...r4.blobs.keys()].filter((d) => !r3.blobs.has(d));
    assert.ok(added.length > 0);
    // New blobs: per changed component one layer and one config (the installer's last layer only),
    // plus the release image's manifests layer and config.
    assert.ok(added.length <= differing.length * 2 + 2, `${added.length} new blobs`);
  });
});
