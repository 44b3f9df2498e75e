import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runners } from '../../electron/worker/runners';
import { jobStartSchema, type JobParams } from '../../shared/api/jobs';
import type { ProgressEvent } from '../../shared/progress';
import type { TransferManifest } from '../../shared/transfer/manifest';
import { ferry, worldFlags } from '../support/cli';
import { pushBigImage } from '../support/images';
import { assertTruthfulProgress } from '../support/progress';
import { tempDir, type TempDir } from '../support/tmp';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

/** Completed blob uploads (PUT … ?digest= … 201) and mounts (POST … ?mount= … 201) in a registry access log. */
function requestsFor(log: string, digest: string): { uploads: string[]; mounts: string[] } {
  const hex = digest.slice('sha256:'.length);
  const uploads = [...log.matchAll(/"PUT \/v2\/(\S+?)\/blobs\/uploads\/\S*?[?&]digest=sha256(?::|%3A)([a-f0-9]{64})\S* HTTP\/[\d.]+" 201/g)].filter((m) => m[2] === hex).map((m) => m[1]!);
  const mounts = [...log.matchAll(/"POST \/v2\/(\S+?)\/blobs\/uploads\/\?\S*?mount=sha256(?::|%3A)([a-f0-9]{64})\S* HTTP\/[\d.]+" 201/g)].filter((m) => m[2] === hex).map((m) => m[1]!);
  return { uploads, mounts };
}

/**
 * Issue 15 item 6: two images in two repositories share one 16 MiB layer and are pushed at the same
 * moment, so both find it missing while it is still travelling. It must travel once; the other repository
 * gets it by cross-repository mount. Counted in the real mirror registry's access log, not in Ferry's report.
 */
describe('a blob shared by images pushed at the same moment', () => {
  let world: TestWorld;
  let work: TempDir;
  let big: Awaited<ReturnType<typeof pushBigImage>>;
  let twin: string;

  before(async () => {
    world = await startTestWorld();
    big = await pushBigImage(world, 16 * 1024 * 1024);
    twin = `${world.source.host}/ferry/big-twin:v1`;
    await skopeo(world, ['copy', `docker://${big.ref}`, `docker://${twin}`]);
    work = tempDir('push-shared');
  });
  after(async () => {
    await world?.stop();
    await work?.cleanup();
  });

  it('is uploaded once and mounted into the other repository', async () => {
    const dir = join(work.path, 'transfer');
    const m = await ferry(['mirror', '--image', big.ref, '--image', twin, '--to-dir', dir, ...worldFlags(world)]);
    assert.equal(m.code, 0, m.stderr);
    const logBefore = (await readFile(world.mirror.logFile, 'utf8')).length;

    const p = await ferry(['push', '--from-dir', dir, '--to', `${world.mirror.host}/shared`, '--parallel', '4', '--allow-unsigned', ...worldFlags(world)]);
    assert.equal(p.code, 0, p.stderr);

    const log = (await readFile(world.mirror.logFile, 'utf8')).slice(logBefore);
    const { uploads, mounts } = requestsFor(log, big.layerDigest);
    assert.equal(uploads.length, 1, `the shared layer was uploaded ${uploads.length} times: ${uploads.join(', ')}`);
    assert.equal(mounts.length, 1, 'the other repository got it by mount');
    assert.notEqual(uploads[0], mounts[0]);
  });

  it("counts the shared layer once in the app's push progress, for the image that needs it first", async () => {
    const dir = join(work.path, 'transfer');
    const transfer = JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
    const events: ProgressEvent[] = [];
    const params = jobStartSchema.parse({ kind: 'push', params: { fromDir: dir, to: `${world.mirror.host}/shared-app`, allowUnsigned: true, parallel: 4, receipt: join(work.path, 'receipt-app', 'receipt.json') } }).params as JobParams<'push'>;
    await runners.push!(params, {
      id: 'push-shared',
      signal: new AbortController().signal,
      pullSecret: undefined,
      defaults: { caFiles: [world.ca.certPath], authfile: world.authfile, sourceMirrors: [] },
      onProgress: (e) => events.push(e),
      checkpoint: async () => undefined,
    });
    assertTruthfulProgress(events, { finished: true });
    assert.equal(events.at(-1)!.bytesTotal, transfer.blobs.reduce((n, b) => n + b.size, 0), 'every blob once, the 16 MiB layer too');
    const layer = transfer.blobs.find((b) => b.digest === big.layerDigest)!;
    // The image that owns the layer carries its bytes; the other's own bytes are only its config and manifest.
    const owners = events.flatMap((e) => e.images?.active ?? []).filter((i) => i.bytesTotal >= layer.size);
    assert.ok(owners.length > 0, 'the layer was seen under way');
    assert.equal(new Set(owners.map((i) => i.source)).size, 1, 'one image owns the shared layer');
  });
});
