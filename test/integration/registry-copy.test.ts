import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEngineContext, type EngineContext } from '../../electron/engine/context';
import { copy } from '../../electron/engine/copy/copy';
import { inspect } from '../../electron/engine/copy/inspect';
import { parsePlatform } from '../../electron/engine/registry/manifest';
import { REF_NAME } from '../../electron/engine/oci-layout/directory';
import { pushFixtures, type Fixtures } from '../support/images';
import { inspectManifest } from '../support/push';
import { tempDir, type TempDir } from '../support/tmp';
import { registryLog, skopeo, startTestWorld, type TestWorld } from '../support/world';

// Copies through the engine API (what the release and desktop code call) against the real
// token-auth source and htpasswd mirror; skopeo reads every result.
let world: TestWorld;
let fixtures: Fixtures;
let ctx: EngineContext;
let tmp: TempDir;

before(async () => {
  world = await startTestWorld();
  fixtures = await pushFixtures(world);
  tmp = tempDir('copy-it');
  ctx = await createEngineContext({ authfile: world.authfile, caFiles: [], certDir: world.certDir, sourceMirrors: [], parallel: 4 });
});

after(async () => {
  await ctx?.close();
  await world?.stop();
  await tmp?.cleanup();
});

const src = (repo: string, tag = 'v1') => `docker://${world.source.host}/${repo}:${tag}`;
const dst = (repo: string, tag = 'v1') => `docker://${world.mirror.host}/${repo}:${tag}`;

describe('copy source (token) → mirror (htpasswd)', () => {
  for (const kind of ['schema2', 'oci', 'index'] as const) {
    it(`keeps the ${kind} manifest byte for byte and skopeo reads it`, async () => {
      const fx = fixtures[kind];
      const result = await copy(ctx, src(fx.repository), dst(`copied/${kind}`));
      assert.equal(result.digest, fx.digest);
      assert.equal(result.mediaType, fx.mediaType);
      const there = await inspectManifest(world, `${world.mirror.host}/copied/${kind}:v1`);
      assert.equal(there.digest, fx.digest);
      if (kind === 'index') {
        assert.deepEqual(result.manifests.map((m) => m.platform).sort(), Object.keys(fixtures.platforms).sort());
        for (const [platform, digest] of Object.entries(fixtures.platforms)) {
          const child = await inspectManifest(world, `${world.mirror.host}/copied/index@${digest}`);
          assert.equal(child.digest, digest, platform);
        }
      }
      const out = join(tmp.path, `skopeo-${kind}`);
      await skopeo(world, ['copy', ...(kind === 'index' ? ['--all'] : []), `${dst(`copied/${kind}`)}`, `dir:${out}`]);
      assert.ok((await readdir(out)).includes('manifest.json'));
    });
  }

  it('copies one platform of an index with --platform: the destination gets that platform manifest', async () => {
    const result = await copy(ctx, src(fixtures.index.repository), dst('copied/arm64'), { platform: parsePlatform('linux/arm64') });
    assert.equal(result.digest, fixtures.platforms['linux/arm64']);
    assert.equal((await inspectManifest(world, `${world.mirror.host}/copied/arm64:v1`)).digest, fixtures.platforms['linux/arm64']);
  });

  it('skips blobs the destination already has on a second copy', async () => {
    const again = await copy(ctx, src(fixtures.oci.repository), dst('copied/oci'));
    assert.equal(again.blobs.copied, 0);
    assert.equal(again.blobs.skipped, again.blobs.total);
  });

  it('mounts a shared layer from another repository of the same registry instead of uploading it', async () => {
    // A fresh context knows nothing of the earlier copies, so the first push really uploads.
    const fresh = await createEngineContext({ authfile: world.authfile, caFiles: [], certDir: world.certDir, sourceMirrors: [], parallel: 2 });
    try {
      const first = await copy(fresh, src(fixtures.schema2.repository, 'v1'), dst('mount/first'));
      assert.equal(first.blobs.copied, first.blobs.total);
      const second = await copy(fresh, src(fixtures.oci.repository), dst('mount/second'));
      assert.equal(second.blobs.mounted, 1, 'the layer shared with the first image');
      assert.equal(second.blobs.copied, second.blobs.total - 1);
    } finally {
      await fresh.close();
    }
    const log = await registryLog(world.mirror);
    const shared = encodeURIComponent(fixtures.sharedLayer);
    const mounts = log.split('\n').filter((l) => /"POST \/v2\/mount\/second\/blobs\/uploads\/\?[^"]*mount=/.test(l) && /from=mount(%2F|\/)first/.test(l));
    assert.ok(mounts.some((l) => l.includes(shared) || l.includes(fixtures.sharedLayer)), 'a mount request for the shared layer');
    const uploads = log.split('\n').filter((l) => /"(PUT|PATCH) \/v2\/mount\/second\/blobs\/uploads\//.test(l));
    assert.equal(uploads.length, 2, 'only the two blobs of its own were uploaded to the second repository');
    assert.ok(!uploads.some((l) => l.includes(shared)), 'the shared layer was never uploaded again');
  });
});

describe('OCI layout', () => {
  it('copies to oci:DIR:REF and back; skopeo reads what Ferry wrote', async () => {
    const dir = join(tmp.path, 'layout');
    const out = await copy(ctx, src(fixtures.index.repository), `oci:${dir}:multiarch`);
    assert.equal(out.digest, fixtures.index.digest);
    await copy(ctx, src(fixtures.schema2.repository), `oci:${dir}:schema2`);
    await copy(ctx, src(fixtures.oci.repository), `oci:${dir}:oci`);
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
    assert.deepEqual(
      index.manifests.map((m) => [m.annotations?.[REF_NAME], m.digest]),
      [
        ['multiarch', fixtures.index.digest],
        ['schema2', fixtures.schema2.digest],
        ['oci', fixtures.oci.digest],
      ],
    );
    // skopeo 1.9 only looks up OCI media types by name in index.json, so it is given the OCI image
    // and the OCI index; the Docker schema2 entry is kept byte for byte and read back by Ferry.
    for (const ref of ['oci', 'multiarch']) {
      const dirOut = join(tmp.path, `from-layout-${ref}`);
      await skopeo(world, ['copy', `oci:${dir}:${ref}`, `dir:${dirOut}`]);
      assert.ok((await readdir(dirOut)).includes('manifest.json'));
    }
    assert.equal((await copy(ctx, `oci:${dir}:schema2`, dst('from-oci/schema2'))).digest, fixtures.schema2.digest);
    const back = await copy(ctx, `oci:${dir}:multiarch`, dst('from-oci/multiarch'));
    assert.equal(back.digest, fixtures.index.digest);
    assert.equal((await inspectManifest(world, `${world.mirror.host}/from-oci/multiarch:v1`)).digest, fixtures.index.digest);
  });

  it('reads a layout skopeo wrote', async () => {
    const dir = join(tmp.path, 'skopeo-layout');
    await skopeo(world, ['copy', '--preserve-digests', src(fixtures.oci.repository), `oci:${dir}:from-skopeo`]);
    const info = await inspect(ctx, `oci:${dir}:from-skopeo`);
    assert.equal(info.digest, fixtures.oci.digest);
    const back = await copy(ctx, `oci:${dir}:from-skopeo`, dst('from-skopeo/oci'));
    assert.equal(back.digest, fixtures.oci.digest);
  });
});

describe('inspect', () => {
  it('shows the platforms of an index and the layers, config and labels of an image', async () => {
    const idx = await inspect(ctx, `${world.source.host}/${fixtures.index.repository}:v1`);
    assert.equal(idx.kind, 'index');
    assert.equal(idx.digest, fixtures.index.digest);
    assert.deepEqual(Object.fromEntries(idx.platforms!.map((p) => [p.platform, p.digest])), fixtures.platforms);
    const img = await inspect(ctx, src(fixtures.schema2.repository));
    assert.equal(img.kind, 'image');
    assert.equal(img.mediaType, fixtures.schema2.mediaType);
    assert.equal(img.layers?.length, 2);
    assert.ok(img.layers!.some((l) => l.digest === fixtures.sharedLayer));
    assert.equal(img.labels?.fixture, 'schema2');
    assert.equal(img.size, img.layers!.reduce((n, l) => n + l.size, 0));
  });

  it('fetches through --source-mirror: a reference under FROM comes from TO', async () => {
    const mirrored = await createEngineContext({
      authfile: world.authfile,
      caFiles: [],
      certDir: world.certDir,
      sourceMirrors: [{ from: 'quay.io/ferry', to: `${world.source.host}/ferry` }],
      parallel: 2,
    });
    try {
      const info = await inspect(mirrored, `quay.io/ferry/oci:v1`);
      assert.equal(info.digest, fixtures.oci.digest);
    } finally {
      await mirrored.close();
    }
  });
});
