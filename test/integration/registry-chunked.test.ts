import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEngineContext, type EngineContext } from '../../electron/engine/context';
import { copy } from '../../electron/engine/copy/copy';
import { pushFixtures, type Fixtures } from '../support/images';
import { inspectManifest } from '../support/push';
import { tempDir } from '../support/tmp';
import { registryLog, skopeo, startTestWorld, type TestWorld } from '../support/world';

// Real registries take large blobs in PATCH chunks; lowering the single-PUT threshold makes the
// small fixtures exercise that path against the real distribution server.
let world: TestWorld;
let fixtures: Fixtures;
let ctx: EngineContext;

before(async () => {
  world = await startTestWorld();
  fixtures = await pushFixtures(world);
  ctx = await createEngineContext({
    authfile: world.authfile,
    caFiles: [world.ca.certPath],
    sourceMirrors: [],
    parallel: 2,
    upload: { monolithicLimit: 1024, chunkSize: 4096 },
  });
});

after(async () => {
  await ctx?.close();
  await world?.stop();
});

describe('chunked upload', () => {
  it('sends blobs above the single-PUT limit as PATCH chunks and the image arrives byte for byte', async () => {
    const fx = fixtures.schema2;
    const before = (await registryLog(world.mirror)).length;
    const result = await copy(ctx, `docker://${world.source.host}/${fx.repository}:v1`, `docker://${world.mirror.host}/chunked/schema2:v1`);
    assert.equal(result.digest, fx.digest);
    assert.ok(result.blobs.copied > 0);
    const log = (await registryLog(world.mirror)).slice(before);
    const patches = log.split('\n').filter((l) => /PATCH/.test(l) && l.includes('/v2/chunked/schema2/blobs/uploads/'));
    assert.ok(patches.length >= 2, `expected several PATCH requests in the mirror log, saw ${patches.length}`);
    assert.equal((await inspectManifest(world, `${world.mirror.host}/chunked/schema2:v1`)).digest, fx.digest);
    // skopeo pulls every blob back and checks each against its digest.
    const out = tempDir('chunked-pull');
    try {
      await skopeo(world, ['copy', `docker://${world.mirror.host}/chunked/schema2:v1`, `dir:${out.path}/image`]);
    } finally {
      await out.cleanup();
    }
  });
});
