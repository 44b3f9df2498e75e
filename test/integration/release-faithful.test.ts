import { pinnedBytes, readPlaceholders } from '../support/installer-binary';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEngineContext, engineOptionsFrom } from '../../electron/engine/context';
import { DockerSource } from '../../electron/engine/copy/docker';
import { parseReference } from '../../shared/reference';
import type { TransferManifest } from '../../shared/transfer/manifest';
import { startCdnFront, type CdnFront } from '../support/cdn';
import { ferry } from '../support/cli';
import { pushFaithfulRelease, MULTI_ARCHES, type FaithfulRelease } from '../support/faithful-release';
import { inspectManifest } from '../support/push';
import { tempDir } from '../support/tmp';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

const VERSION = '4.16.3';
const X86 = `quay.io/openshift-release-dev/ocp-release:${VERSION}-x86_64`;
const MULTI = `quay.io/openshift-release-dev/ocp-release:${VERSION}-multi`;
/** A -multi payload of a representative subset (every architecture of each is one more image to push). */
const MULTI_COMPONENTS = 16;

/**
 * Issue 14: a release built as `oc adm release new` builds it (183 real component names, the
 * installer and client tools, a -multi manifest list), pulled through a source whose blob GETs are
 * redirected to a CDN that refuses Authorization, through the whole disconnected pipeline with the
 * real CLI: release info → mirror to disk → push → verify --against → config → extract.
 */
describe('a faithful OpenShift release through the whole pipeline, blobs from a CDN', () => {
  let world: TestWorld;
  let cdn: CdnFront;
  /** A front whose CDN links are expired before they are used. */
  let stale: CdnFront;
  let x86: FaithfulRelease;
  let multi: FaithfulRelease;
  let work: { path: string; cleanup(): Promise<void> };
  let flags: string[];
  const mirrorFlags = (): string[] => ['--authfile', world.authfile, '--ca-file', world.ca.certPath];

  before(async () => {
    world = await startTestWorld();
    x86 = await pushFaithfulRelease(world, { version: VERSION });
    multi = await pushFaithfulRelease(world, { version: VERSION, arch: 'multi', components: MULTI_COMPONENTS });
    // Cut the first two CDN answers mid-body: the download must resume with Range through a new redirect.
    cdn = await startCdnFront(world, { cut: { afterBytes: 8 * 1024, times: 2 } });
    stale = await startCdnFront(world, { ttlSeconds: -60 });
    work = tempDir('ferry-faithful-');
    // The fronts are other hosts: the same source credentials, under their names.
    const auths = JSON.parse(await readFile(world.authfile, 'utf8')) as { auths: Record<string, unknown> };
    for (const front of [cdn, stale]) auths.auths[front.host] = auths.auths[world.source.host];
    const authfile = join(work.path, 'auth.json');
    await writeFile(authfile, JSON.stringify(auths), { mode: 0o600 });
    flags = ['--authfile', authfile, '--ca-file', world.ca.certPath, '--source-mirror', `quay.io/openshift-release-dev=${cdn.host}/openshift-release-dev`];
  });
  after(async () => {
    await cdn?.close();
    await stale?.close();
    await world?.stop();
    await work?.cleanup();
  });

  describe('x86_64', () => {
    const dir = (): string => join(work.path, 'usb-x86_64');
    let manifest: TransferManifest;

    it('the payload is built as oc adm release new builds it: the CVO image plus one release-manifests layer', async () => {
      const release = JSON.parse((await inspectManifest(world, x86.pullspec)).raw) as { mediaType: string; config: { digest: string }; layers: Array<{ digest: string; mediaType: string }> };
      assert.equal(release.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
      const cvo = x86.components.find((c) => c.name === 'cluster-version-operator')!;
      assert.equal(x86.baseImageDigests.amd64, cvo.digest);
      const base = JSON.parse((await inspectManifest(world, `${world.source.host}/openshift-release-dev/ocp-v4.0-art-dev@${cvo.digest}`)).raw) as { layers: Array<{ digest: string }> };
      assert.deepEqual(release.layers.slice(0, -1).map((l) => l.digest), base.layers.map((l) => l.digest));
      assert.equal(release.layers.at(-1)!.mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
      const { stdout } = await skopeo(world, ['inspect', '--config', `docker://${x86.pullspec}`]);
      const config = JSON.parse(stdout) as { architecture: string; config: { Labels: Record<string, string> }; history: unknown[] };
      assert.deepEqual(config.config.Labels, { 'io.openshift.release': VERSION, 'io.openshift.release.base-image-digest': cvo.digest });
      assert.equal(config.architecture, 'amd64');
      assert.equal(config.history.length, 1);
    });

    it('release info reads the payload as oc does: version, architecture, every component, no channels', async () => {
      const r = await ferry(['release', 'info', X86, '--json', ...flags]);
      assert.equal(r.code, 0, r.stderr);
      const info = JSON.parse(r.stdout) as {
        release: { version: string; architecture: string; digest: string; channels: string[]; components: number };
        images: Array<{ name?: string; digest: string }>;
        uniqueBlobs: number;
      };
      assert.equal(info.release.version, VERSION);
      assert.equal(info.release.architecture, 'x86_64');
      assert.equal(info.release.digest, x86.digest);
      assert.deepEqual(info.release.channels, []);
      assert.equal(info.release.components, 183);
      for (const c of x86.components) assert.equal(info.images.find((i) => i.name === c.name)?.digest, c.digest, c.name);
      assert.equal(info.uniqueBlobs, x86.blobs.size);

      for (const arch of ['amd64', 'x86_64']) {
        const byVersion = await ferry(['release', 'info', '--version', VERSION, '--arch', arch, '--json', ...flags]);
        assert.equal(byVersion.code, 0, byVersion.stderr);
        assert.equal((JSON.parse(byVersion.stdout) as { release: { digest: string } }).release.digest, x86.digest, arch);
      }
    });

    it('the CDN stand-in refuses what quay\'s CDN refuses: an Authorization header, an unsigned URL', async () => {
      const get = (path: string, headers: Record<string, string>): Promise<number> =>
        new Promise((resolve, reject) => {
          httpsGet({ host: '127.0.0.1', port: Number(cdn.cdnHost.split(':')[1]), path, headers, ca: world.ca.certPem }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          }).on('error', reject);
        });
      const blob = `/blobs/${[...x86.blobs.keys()][0]}`;
      assert.equal(await get(blob, { authorization: 'Bearer anything' }), 400);
      assert.equal(await get(blob, {}), 403);
      assert.equal(await get(`${blob}?Expires=9999999999&Signature=forged`, {}), 403);
    });

    it('a source whose blob GETs go to a CDN keeps --parallel however quickly it answers itself: its link says nothing of the CDN\'s', async () => {
      const ctx = await createEngineContext(engineOptionsFrom({ authfile: join(work.path, 'auth.json'), caFile: [world.ca.certPath], parallel: 16 }));
      try {
        const src = new DockerSource(ctx, parseReference(x86.pullspec.replace(world.source.host, cdn.host)));
        const { config } = JSON.parse((await src.getManifest(undefined)).bytes.toString('utf8')) as { config: { digest: string; size: number } };
        for await (const _ of await src.openBlob(config)) void _;
        assert.equal(ctx.registry(cdn.host).link().redirected, true);
        assert.equal(ctx.parallelFor([cdn.host]), 16);
      } finally {
        await ctx.close();
      }
    });

    it('mirrors to disk with every blob fetched from the CDN, which never saw an Authorization header', async () => {
      const before = cdn.cdnRequests.length;
      const redirectsBefore = cdn.redirects;
      const r = await ferry(['mirror', '--release', X86, '--to-dir', dir(), ...flags]);
      assert.equal(r.code, 0, r.stderr);
      manifest = JSON.parse(await readFile(join(dir(), 'transfer.json'), 'utf8')) as TransferManifest;
      const served = cdn.cdnRequests.slice(before);
      assert.ok(served.length >= x86.blobs.size, `${served.length} CDN requests for ${x86.blobs.size} blobs`);
      assert.deepEqual(served.filter((s) => s.authorization), [], 'no Authorization header reached the CDN');
      assert.ok(served.every((s) => s.status === 200 || s.status === 206), JSON.stringify(served.filter((s) => s.status >= 300)));
      // The cuts fell on whichever blobs came first (release info read the release image's): each resumed.
      assert.equal(cdn.cuts, 2);
      assert.equal(cdn.cdnRequests.filter((s) => s.status === 206 && s.range).length, 2, 'each cut download resumed with Range at the CDN');
      assert.equal(cdn.redirects - redirectsBefore, served.length, 'every blob GET was redirected, and every redirect followed');
      assert.deepEqual(new Set(served.filter((s) => s.status === 200).map((s) => s.path.slice('/blobs/'.length))), new Set(x86.blobs.keys()));

      const layerDigests = manifest.blobs.filter((b) => b.kind !== 'manifest').map((b) => b.digest);
      assert.deepEqual(new Set(layerDigests), new Set(x86.blobs.keys()), 'exactly the payload blobs');
      assert.equal(manifest.release?.digest, x86.digest);
      assert.equal(manifest.images.length, 184);
      assert.equal((await ferry(['verify', '--dir', dir()])).code, 0);
    });

    it('pushes into the mirror with every digest unchanged, checked by verify --against', async () => {
      const target = `${world.mirror.host}/ocp4`;
      const r = await ferry(['push', '--from-dir', dir(), '--to', target, '--allow-unsigned', ...mirrorFlags()]);
      assert.equal(r.code, 0, r.stderr);
      const v = await ferry(['verify', '--dir', dir(), '--against', target, ...mirrorFlags()]);
      assert.equal(v.code, 0, v.stdout + v.stderr);
      assert.match(v.stdout, /184 of 184 image\(s\) present/);
      const tagged = await inspectManifest(world, `${target}/ocp-release:${VERSION}-x86_64`);
      assert.equal(tagged.digest, x86.digest);
      for (const name of ['installer', 'installer-artifacts', 'cli', 'cli-artifacts']) {
        const c = x86.components.find((x) => x.name === name)!;
        assert.equal((await inspectManifest(world, `${target}/ocp-v4.0-art-dev@${c.digest}`)).digest, c.digest, name);
      }
    });

    it('hands out the mirror configuration for both release repositories', async () => {
      const r = await ferry(['config', 'idms', '--from-dir', dir(), '--mirror', `${world.mirror.host}/ocp4`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /kind: ImageDigestMirrorSet/);
      for (const repo of ['ocp-release', 'ocp-v4.0-art-dev']) {
        assert.ok(r.stdout.includes(`quay.io/openshift-release-dev/${repo}`), repo);
        assert.ok(r.stdout.includes(`${world.mirror.host}/ocp4/${repo}`), repo);
      }
    });

    it('extracts openshift-install from the transfer and from the mirror', async () => {
      const shipped = x86.tools.find((t) => t.component === 'installer')!;
      const fromDisk = join(work.path, 'bin-disk');
      const d = await ferry(['extract', '--from-dir', dir(), '--command', 'openshift-install', '--to', fromDisk]);
      assert.equal(d.code, 0, d.stderr);
      const fromMirror = join(work.path, 'bin-mirror');
      // On the disconnected side the components are reached through the mirror, as the IDMS maps them.
      const m = await ferry([
        'extract', '--release', `${world.mirror.host}/ocp4/ocp-release:${VERSION}-x86_64`, '--command', 'openshift-install', '--to', fromMirror,
        ...mirrorFlags(), '--source-mirror', `quay.io/openshift-release-dev=${world.mirror.host}/ocp4`,
      ]);
      assert.equal(m.code, 0, m.stderr);
      // Pinned as oc adm release extract --command pins: the release by digest where it was read, and the version.
      const pinned = {
        [fromDisk]: `quay.io/openshift-release-dev/ocp-release@${x86.digest}`,
        [fromMirror]: `${world.mirror.host}/ocp4/ocp-release@${x86.digest}`,
      };
      for (const out of [fromDisk, fromMirror]) {
        const file = join(out, 'openshift-install');
        assert.equal((await stat(file)).mode & 0o777, 0o755);
        const values = { releaseImage: pinned[out]!, releaseVersion: VERSION, releaseArchitecture: 'linux/amd64' };
        const bytes = await readFile(file);
        assert.deepEqual(readPlaceholders(shipped.binary, bytes), values);
        assert.ok(bytes.equals(pinnedBytes(shipped.binary, values)), 'only the placeholders changed');
      }
    });
  });

  describe('multi', () => {
    const dir = (): string => join(work.path, 'usb-multi');

    it('release info names the payload multi and every architecture of every component', async () => {
      for (const args of [[MULTI], [MULTI, '--arch', 'multi'], ['--version', VERSION, '--arch', 'multi']]) {
        const r = await ferry(['release', 'info', ...args, '--json', ...flags]);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        const info = JSON.parse(r.stdout) as {
          release: { architecture: string; digest: string; platforms: string[]; components: number };
          images: Array<{ name?: string; digest: string; platforms: string[] }>;
        };
        assert.equal(info.release.architecture, 'multi');
        assert.equal(info.release.digest, multi.digest);
        assert.deepEqual(info.release.platforms, MULTI_ARCHES.map((a) => `linux/${a}`));
        assert.equal(info.release.components, MULTI_COMPONENTS);
        for (const c of multi.components) {
          const img = info.images.find((i) => i.name === c.name);
          assert.equal(img?.digest, c.digest, c.name);
          assert.deepEqual(img?.platforms, MULTI_ARCHES.map((a) => `linux/${a}`), c.name);
        }
      }
      const text = await ferry(['release', 'info', MULTI, ...flags]);
      assert.match(text.stdout, /multi.*every architecture/);
    });

    it('the dry run says the whole multi-architecture release travels', async () => {
      const r = await ferry(['mirror', '--release', MULTI, '--to-dir', dir(), '--dry-run', ...flags]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Release 4\.16\.3 \(multi/);
      assert.match(r.stdout, /linux\/amd64, linux\/arm64, linux\/ppc64le, linux\/s390x/);
    });

    it('mirrors, pushes and verifies every architecture, the release tagged VERSION-multi', async () => {
      const r = await ferry(['mirror', '--release', MULTI, '--arch', 'multi', '--to-dir', dir(), ...flags]);
      assert.equal(r.code, 0, r.stderr);
      const manifest = JSON.parse(await readFile(join(dir(), 'transfer.json'), 'utf8')) as TransferManifest;
      assert.equal(manifest.release?.architecture, 'multi');
      const layerDigests = manifest.blobs.filter((b) => b.kind !== 'manifest').map((b) => b.digest);
      assert.deepEqual(new Set(layerDigests), new Set(multi.blobs.keys()), 'every architecture\'s blobs');
      const carried = new Set(manifest.images.flatMap((i) => i.manifests));
      for (const d of multi.manifests) assert.ok(carried.has(d), `manifest ${d} travels`);

      const target = `${world.mirror.host}/multi`;
      const p = await ferry(['push', '--from-dir', dir(), '--to', target, '--allow-unsigned', ...mirrorFlags()]);
      assert.equal(p.code, 0, p.stderr);
      const v = await ferry(['verify', '--dir', dir(), '--against', target, ...mirrorFlags()]);
      assert.equal(v.code, 0, v.stdout + v.stderr);
      const tagged = await inspectManifest(world, `${target}/ocp-release:${VERSION}-multi`);
      assert.equal(tagged.digest, multi.digest);
      const installer = multi.components.find((c) => c.name === 'installer')!;
      assert.equal((await inspectManifest(world, `${target}/ocp-v4.0-art-dev@${installer.platforms!.s390x}`)).digest, installer.platforms!.s390x);
    });

    it('extracts the installer of the architecture asked for from the multi transfer', async () => {
      const out = join(work.path, 'bin-multi-arm64');
      const r = await ferry(['extract', '--from-dir', dir(), '--command', 'openshift-install', '--arch', 'aarch64', '--to', out]);
      assert.equal(r.code, 0, r.stderr);
      const shipped = multi.tools.find((t) => t.component === 'installer' && t.payloadArch === 'arm64')!;
      const bytes = await readFile(join(out, 'openshift-install'));
      // A multi payload is pinned by its manifest list's digest, as oc pins it.
      assert.deepEqual(readPlaceholders(shipped.binary, bytes), {
        releaseImage: `quay.io/openshift-release-dev/ocp-release@${multi.digest}`,
        releaseVersion: VERSION,
        releaseArchitecture: 'multi (linux/arm64)',
      });
    });
  });

  it('names the CDN host, not the registry, when the CDN refuses, and keeps the signed link out of the message', async () => {
    const installer = x86.components.find((c) => c.name === 'installer')!;
    const r = await ferry(['copy', `docker://${stale.host}/openshift-release-dev/ocp-v4.0-art-dev@${installer.digest}`, `oci:${join(work.path, 'stale')}:installer`, ...flags]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`${stale.cdnHost}, where ${stale.host} redirected a download`), r.stderr);
    assert.match(r.stderr, /answered 403/);
    assert.doesNotMatch(r.stderr, /Signature|Expires/);
    assert.ok(stale.cdnRequests.length > 0 && stale.cdnRequests.every((q) => !q.authorization && q.status === 403));
  });

  describe('architecture names', () => {
    it('refuses an architecture oc does not know, naming the ones it does (exit 2)', async () => {
      const r = await ferry(['release', 'info', '--version', VERSION, '--arch', 'sparc', ...flags]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /sparc/);
      assert.match(r.stderr, /aarch64/);
    });

    it('refuses a single-architecture payload asked for as another architecture (exit 2)', async () => {
      const r = await ferry(['release', 'info', X86, '--arch', 'aarch64', ...flags]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /x86_64/);
    });
  });
});
