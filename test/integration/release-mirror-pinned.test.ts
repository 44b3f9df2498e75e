import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createEngineContext, engineOptionsFrom } from '../../electron/engine/context';
import { TransferReader } from '../../electron/engine/media/reader';
import { MediaSource } from '../../electron/engine/transfer/media-source';
import { pushImages, releaseOf } from '../../electron/engine/transfer/push';
import { parseMirrorTarget } from '../../shared/mirror-mapping';
import type { TransferManifest } from '../../shared/transfer/manifest';
import type { Receipt } from '../../shared/transfer/receipt';
import { ferry, worldFlags } from '../support/cli';
import { pinnedBytes, readPlaceholders, UPSTREAM_MARKERS } from '../support/installer-binary';
import { pushRelease, type FixtureRelease } from '../support/release';
import { tempDir } from '../support/tmp';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

const exec = promisify(execFile);
const RELEASE = 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64';

/**
 * Issue 14 items 2 and 3 against the real registries, skopeo and docker-registry: the binaries
 * `ferry extract` writes are pinned as `oc adm release extract --command` pins them, and a push tags
 * every component as `oc adm release mirror` does, so a garbage collection of untagged manifests
 * (docker-registry `garbage-collect --delete-untagged`, Quay's behaviour) keeps the whole release.
 */
describe('pinned client binaries and components kept in the mirror', () => {
  let world: TestWorld;
  let rel: FixtureRelease;
  let work: { path: string; cleanup(): Promise<void> };
  let flags: string[];
  let manifest: TransferManifest;
  let mirror: string;
  const dir = () => join(work.path, 'usb');
  const componentTag = (name: string) => `4.15.3-x86_64-${name}`;

  before(async () => {
    world = await startTestWorld();
    rel = await pushRelease(world, '4.15.3');
    work = tempDir('ferry-pinned-');
    flags = [...worldFlags(world), '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`];
    mirror = `${world.mirror.host}/ocp4`;
    const m = await ferry(['mirror', '--release', RELEASE, '--to-dir', dir(), ...flags]);
    assert.equal(m.code, 0, m.stderr);
    manifest = JSON.parse(await readFile(join(dir(), 'transfer.json'), 'utf8')) as TransferManifest;
    const p = await ferry(['push', '--from-dir', dir(), '--to', mirror, '--allow-unsigned', ...worldFlags(world)]);
    assert.equal(p.code, 0, p.stdout + p.stderr);
  });
  after(async () => {
    await world?.stop();
    await work?.cleanup();
  });

  describe('ferry extract', () => {
    const installerKey = 'installer:usr/bin/openshift-install';
    const onMirror = () => `${mirror}/ocp-release@${rel.digest}`;

    it('pins openshift-install to the release: from the registry, from the media, and from the media for the site mirror', async () => {
      const cases = [
        { args: ['--release', RELEASE, ...flags], image: rel.quayPullspec },
        { args: ['--from-dir', dir()], image: rel.quayPullspec },
        { args: ['--from-dir', dir(), '--mirror', mirror], image: onMirror() },
        // What oc writes extracting from the mirror after the push (seed 001, components found through the
        // mirror as with oc's --idms-file): the same location.
        {
          args: ['--release', `${mirror}/ocp-release:4.15.3-x86_64`, ...worldFlags(world), '--source-mirror', `quay.io/openshift-release-dev/ocp-v4.0-art-dev=${mirror}/ocp-v4.0-art-dev`],
          image: onMirror(),
        },
      ];
      const bin = rel.binaries.get(installerKey)!;
      for (const [i, c] of cases.entries()) {
        const to = join(work.path, `install-${i}`);
        const r = await ferry(['extract', ...c.args, '--command', 'openshift-install', '--to', to, '--json']);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const file = join(to, 'openshift-install');
        const bytes = await readFile(file);
        assert.deepEqual(readPlaceholders(bin, bytes), { releaseImage: c.image, releaseVersion: '4.15.3', releaseArchitecture: 'linux/amd64' }, `case ${i}`);
        assert.ok(bytes.equals(pinnedBytes(bin, { releaseImage: c.image, releaseVersion: '4.15.3', releaseArchitecture: 'linux/amd64' })), `case ${i}: only the placeholders changed`);
        assert.equal((await stat(file)).mode & 0o777, 0o755);
        assert.equal((JSON.parse(r.stdout) as { releaseImage: string }).releaseImage, c.image);
      }
    });

    it('the pinned installer names the mirror release itself, and strings shows the marker region replaced, length kept', async () => {
      const file = join(work.path, 'install-2', 'openshift-install');
      const { stdout } = await exec(file, ['version']);
      assert.match(stdout, new RegExp(`^release image ${onMirror().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      assert.match(stdout, /openshift-install 4\.15\.3$/m);
      assert.match(stdout, /^release architecture amd64$/m);
      // The unpinned binary, for contrast, falls back to its built-in default.
      const plain = join(work.path, 'plain-openshift-install');
      await writeFile(plain, rel.binaries.get(installerKey)!.bytes, { mode: 0o755 });
      assert.match((await exec(plain, ['version'])).stdout, /^release image registry\.ci\.openshift\.org\/origin\/release:4\.15$/m);

      const strings = (await exec('strings', ['-a', '-n', '8', file])).stdout.split('\n');
      assert.ok(strings.includes(onMirror()), 'strings finds the pullspec as one NUL-terminated string');
      const plainStrings = (await exec('strings', ['-a', '-n', '8', plain])).stdout;
      assert.ok(plainStrings.includes(`_RELEASE_IMAGE_LOCATION_`) && !plainStrings.includes(onMirror()));
      // Byte scan: the full marker is gone, its tail of X padding is still there after the NUL, the size is the same.
      const bytes = await readFile(file);
      const bin = rel.binaries.get(installerKey)!;
      assert.equal(bytes.length, bin.bytes.length);
      assert.equal(bytes.indexOf(Buffer.from(UPSTREAM_MARKERS.releaseImage, 'latin1')), -1);
      const at = bin.offsets.releaseImage!;
      assert.equal(bytes.subarray(at, at + onMirror().length + 1).toString('latin1'), `${onMirror()}\0`);
      assert.match(bytes.subarray(at + onMirror().length + 1, at + UPSTREAM_MARKERS.releaseImage.length).toString('latin1'), /^X+\0$/);
    });

    it('extracts oc from cli and the other platforms from the artifacts images, as oc maps --command-os', async () => {
      const cases = [
        { command: 'oc', os: undefined, key: 'cli:usr/bin/oc', name: 'oc' },
        { command: 'oc', os: 'windows', key: 'cli-artifacts:usr/share/openshift/windows/oc.exe', name: 'oc' },
        { command: 'oc', os: 'mac/arm64', key: 'cli-artifacts:usr/share/openshift/mac_arm64/oc', name: 'oc' },
        { command: 'openshift-install', os: 'mac', key: 'installer-artifacts:usr/share/openshift/mac/openshift-install', name: 'openshift-install' },
        { command: 'openshift-install', os: 'linux/arm64', key: 'installer-artifacts:usr/share/openshift/linux_arm64/openshift-install', name: 'openshift-install' },
      ];
      for (const [i, c] of cases.entries()) {
        const to = join(work.path, `client-${i}`);
        const r = await ferry(['extract', '--from-dir', dir(), '--mirror', mirror, '--command', c.command, ...(c.os ? ['--command-os', c.os] : []), '--to', to]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const bin = rel.binaries.get(c.key)!;
        const values = c.command === 'oc' ? { releaseVersion: '4.15.3' } : { releaseImage: onMirror(), releaseVersion: '4.15.3', releaseArchitecture: 'linux/amd64' };
        assert.ok((await readFile(join(to, c.name))).equals(pinnedBytes(bin, values)), `case ${i}: ${c.key} pinned`);
      }
      assert.match((await exec(join(work.path, 'client-0', 'oc'), ['version'])).stdout, /^Client Version: 4\.15\.3$/m);
      const bad = await ferry(['extract', '--from-dir', dir(), '--command', 'openshift-install', '--command-os', 'windows', '--to', join(work.path, 'client-x')]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /does not exist for windows\/amd64/);
    });
  });

  describe('component tags in the mirror', () => {
    it('tags every component as oc adm release mirror does, records the tags in the receipt, and verify --against checks them', async () => {
      const { stdout } = await skopeo(world, ['list-tags', `docker://${mirror}/ocp-v4.0-art-dev`]);
      const tags = new Set((JSON.parse(stdout) as { Tags: string[] }).Tags);
      // oc's tag for each component; the multi-arch one's children get TAG-<12 hex> (docker-registry 2.x GC, see destination.ts).
      const want = new Map(rel.components.map((c) => [componentTag(c.name), c.digest]));
      const pod = manifest.images.find((i) => i.components?.includes('pod'))!;
      for (const child of pod.manifests.filter((d) => d !== pod.digest)) want.set(`${componentTag('pod')}-${child.slice(7, 19)}`, child);
      assert.equal(pod.manifests.length, 4, 'the pod component is an index of three');
      assert.deepEqual([...tags].sort(), [...want.keys()].sort());
      for (const [tag, digest] of want) {
        const raw = await skopeo(world, ['inspect', '--raw', `docker://${mirror}/ocp-v4.0-art-dev:${tag}`]);
        assert.equal(`sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`, digest, `${tag} names ${digest}`);
      }
      const receipt = JSON.parse(await readFile(join(dir(), 'receipt.json'), 'utf8')) as Receipt;
      for (const c of rel.components) {
        const img = receipt.images.find((i) => i.digest === c.digest)!;
        assert.ok(img.tags?.includes(componentTag(c.name)), `receipt: ${c.name}`);
        assert.match(img.mirror, /@sha256:/, 'the receipt still names the mirror location by digest');
      }
      assert.ok(manifest.images.filter((i) => i.role === 'component').every((i) => i.components?.length), 'transfer.json names each component');
      const v = await ferry(['verify', '--dir', dir(), '--against', mirror, ...worldFlags(world)]);
      assert.equal(v.code, 0, v.stdout + v.stderr);

      // A component tag moved to another image: verify --against names it; pushing again puts it back.
      const etcd = rel.components.find((c) => c.name === 'etcd')!;
      await skopeo(world, ['copy', `docker://${mirror}/ocp-release@${rel.digest}`, `docker://${mirror}/ocp-v4.0-art-dev:${componentTag('etcd')}`]);
      const moved = await ferry(['verify', '--dir', dir(), '--against', mirror, ...worldFlags(world)]);
      assert.equal(moved.code, 1, moved.stdout + moved.stderr);
      assert.ok(moved.stdout.includes(`${mirror}/ocp-v4.0-art-dev:${componentTag('etcd')} points at ${rel.digest}, not ${etcd.digest}`), moved.stdout);
      const again = await ferry(['push', '--from-dir', dir(), '--to', mirror, '--allow-unsigned', ...worldFlags(world)]);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.equal((await ferry(['verify', '--dir', dir(), '--against', mirror, ...worldFlags(world)])).code, 0);
    });

    it('garbage-collect --delete-untagged keeps every image of the release; the same release pushed without tags loses its components', async () => {
      // Control: the same transfer into another namespace, components by digest only (as before this change).
      const reader = await TransferReader.open(dir());
      const ctx = await createEngineContext(engineOptionsFrom({ authfile: world.authfile, caFile: [world.ca.certPath] }));
      try {
        const release = releaseOf(reader.manifest)!;
        const untagged = await pushImages(
          ctx,
          reader.manifest.images.map((image) => ({ source: image.source, role: image.role, digest: image.digest, open: () => new MediaSource(reader, image) })),
          parseMirrorTarget(`${world.mirror.host}/control`),
          { targetSpec: `${world.mirror.host}/control`, transferId: reader.manifest.id, release },
        );
        assert.ok(untagged.images.every((o) => o.result && !o.tags));
      } finally {
        await ctx.close();
      }
      const byDigest = (ns: string, c: { digest: string }) => `docker://${world.mirror.host}/${ns}/ocp-v4.0-art-dev@${c.digest}`;
      for (const c of rel.components) await skopeo(world, ['inspect', '--raw', byDigest('control', c)]);
      // docker-registry 2.8's garbage-collect --delete-untagged fails on a repository with no tag at all
      // ("failed to retrieve tags unknown repository"); one unrelated tag lets it run, and keeps no component.
      await skopeo(world, ['copy', `docker://${mirror}/ocp-release@${rel.digest}`, `docker://${world.mirror.host}/control/ocp-v4.0-art-dev:unrelated`]);

      const registry = world.mirror.process;
      await registry.stop();
      const gc = await registry.garbageCollect(['--delete-untagged']);
      await registry.start();
      assert.match(gc.stdout + gc.stderr, /deleting manifest|blob eligible for deletion|marking manifest/i);

      // Every image of the release, pulled whole by digest from the tagged mirror.
      const out = join(work.path, 'after-gc');
      for (const c of rel.components) {
        await skopeo(world, ['copy', '--all', '--preserve-digests', byDigest('ocp4', c), `oci:${out}:${c.name}`]);
      }
      await skopeo(world, ['copy', '--preserve-digests', `docker://${mirror}/ocp-release@${rel.digest}`, `oci:${out}:release`]);
      const v = await ferry(['verify', '--dir', dir(), '--against', mirror, ...worldFlags(world)]);
      assert.equal(v.code, 0, v.stdout + v.stderr);

      // The control lost its components: the test would fail if the tags did not matter.
      const lost: string[] = [];
      for (const c of rel.components) {
        const r = await skopeo(world, ['inspect', '--raw', byDigest('control', c)]).then(
          () => false,
          () => true,
        );
        if (r) lost.push(c.name);
      }
      assert.deepEqual(lost.sort(), rel.components.map((c) => c.name).sort(), 'every untagged component was collected');
    });
  });
});
