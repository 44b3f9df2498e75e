import assert from 'node:assert/strict';
import { readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TransferManifest } from '../../shared/transfer/manifest';
import { runners } from '../../electron/worker/runners';
import type { JobContext } from '../../electron/worker/runtime';
import { jobStartSchema, type JobParams } from '../../shared/api/jobs';
import { ferry, worldFlags } from '../support/cli';
import { blobPath, corruptBlob, pushBigImage, pushFixtures, type Fixtures } from '../support/images';
import { pushRelease } from '../support/release';
import { tempDir } from '../support/tmp';
import { registryLog, skopeo, startTestWorld, type TestWorld } from '../support/world';

/**
 * Issue 18 point 8, keep going, with the real CLI, registries and skopeo: three extra images, one missing.
 * The mirror carries the other two and lists the failure (exit 1), verify passes the carried bytes and says
 * what is missing, push pushes two and says one failed; once the image exists the same command fetches only
 * it and the transfer has three and no failures. A blob a lying server corrupts fails its image while every
 * other blob is written; release content still stops at its first failure, and so does --fail-fast.
 */
async function readManifest(dir: string): Promise<TransferManifest> {
  return JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Blob GETs in the source's access log after `from` characters, by repository. */
function blobGets(log: string, from: number): string[] {
  return [...log.slice(from).matchAll(/"GET \/v2\/(.+?)\/blobs\/(sha256:[a-f0-9]{64})/g)].map((m) => `${m[1]}@${m[2]}`);
}

const BIG = 256 * 1024;

/** How transfer.json and the receipt name a carried image asked for by tag: the tag, pinned to the digest it resolved to. */
const carried = (image: { ref: string; digest: string }) => `${image.ref}@${image.digest}`;

describe('keep going: one failing extra image does not lose the others', () => {
  let world: TestWorld;
  let fx: Fixtures;
  let work: { path: string; cleanup(): Promise<void> };
  let flags: string[];
  const later = () => `${world.source.host}/ferry/big:s${BIG}`;
  const images = () => ['--image', fx.schema2.ref, '--image', later(), '--image', fx.oci.ref];
  const dir = () => join(work.path, 'partial');
  const mirror = () => `${world.mirror.host}/keep`;
  let first: { code: number; stdout: string; stderr: string };
  let partial: TransferManifest;

  before(async () => {
    world = await startTestWorld();
    fx = await pushFixtures(world);
    work = tempDir('ferry-keep-going-');
    flags = worldFlags(world);
    // The missing image sits between the other two: the rerun must leave theirs where they are on the media.
    first = await ferry(['mirror', ...images(), '--to-dir', dir(), ...flags]);
    partial = await readManifest(dir());
  });
  after(async () => {
    await world?.stop();
    await work?.cleanup();
  });

  it('writes the two that exist, lists the missing one as failed and exits 1', () => {
    assert.equal(first.code, 1, first.stderr);
    assert.deepEqual(partial.images.map((i) => i.source).sort(), [carried(fx.oci), carried(fx.schema2)].sort());
    assert.deepEqual(
      partial.failed?.map((f) => ({ ref: f.ref, role: f.role, code: f.code })),
      [{ ref: later(), role: 'extra', code: 'NOT_FOUND' }],
    );
    assert.match(first.stdout, /NOT CARRIED: 1 image\(s\) failed and were left out/);
    assert.ok(first.stdout.includes(later()));
    assert.match(first.stdout, /Run the same command again to fetch only these/);
    // What was asked is recorded whole: the rerun repeats it.
    assert.deepEqual(partial.requested.images, [fx.schema2.ref, later(), fx.oci.ref]);
  });

  it('verify passes the carried bytes and reports the image that is not on the media', async () => {
    const v = await ferry(['verify', '--dir', dir()]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /OK: every volume, blob and carried image verified/);
    assert.match(v.stdout, /PARTIAL: 1 image\(s\) asked for failed on the connected side and are not on these media/);
    assert.ok(v.stdout.includes(`${later()} (extra) NOT_FOUND`));
    const json = JSON.parse((await ferry(['verify', '--dir', dir(), '--json'])).stdout) as { ok: boolean; failed: unknown[] };
    assert.equal(json.ok, true);
    assert.equal(json.failed.length, 1);
  });

  it('--dry-run says which image a real run would leave out', async () => {
    const dry = await ferry(['mirror', ...images(), '--to-dir', join(work.path, 'dry'), '--dry-run', ...flags]);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /Plan: 2 images/);
    assert.ok(dry.stdout.includes(`WILL NOT BE CARRIED: ${later()}  NOT_FOUND`));
  });

  it('push pushes the two carried images, says the third was not carried, and the mirror lacks it', async () => {
    const p = await ferry(['push', '--from-dir', dir(), '--to', mirror(), '--allow-unsigned', ...flags]);
    assert.equal(p.code, 0, p.stdout + p.stderr);
    assert.match(p.stdout, /Pushed 2 of 2 images/);
    assert.match(p.stdout, /PARTIAL: 1 image\(s\) asked for failed/);
    assert.ok(p.stdout.includes(later()));
    const receipt = JSON.parse(await readFile(join(dir(), 'receipt.json'), 'utf8')) as { images: Array<{ source: string }> };
    assert.deepEqual(receipt.images.map((i) => i.source).sort(), [carried(fx.oci), carried(fx.schema2)].sort());
    await assert.rejects(skopeo(world, ['inspect', '--raw', `docker://${mirror()}/ferry/big:s${BIG}`]));
  });

  it('another command into the partial transfer is refused and changes nothing', async () => {
    const before = await readFile(join(dir(), 'transfer.json'), 'utf8');
    const other = await ferry(['mirror', '--image', fx.schema2.ref, '--to-dir', dir(), ...flags]);
    assert.equal(other.code, 2, other.stdout + other.stderr);
    assert.match(other.stderr, /partial \(1 image\(s\) failed\), and written for another request/);
    assert.equal(await readFile(join(dir(), 'transfer.json'), 'utf8'), before);
  });

  it('the same command, once the image exists, fetches only it: three images, no failures', async () => {
    const big = await pushBigImage(world, BIG);
    const logFrom = (await registryLog(world.source)).length;
    const again = await ferry(['mirror', ...images(), '--to-dir', dir(), ...flags]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const done = await readManifest(dir());
    assert.equal(done.failed, undefined);
    assert.deepEqual(done.images.map((i) => i.source).sort(), [carried(fx.oci), carried(fx.schema2), carried(big)].sort());
    // Every blob the partial transfer held was kept where it was, read back, not fetched again.
    assert.match(again.stdout, new RegExp(`Resumed: ${partial.blobs.length} blob\\(s\\) already on the media were kept`));
    const fetched = blobGets(await registryLog(world.source), logFrom);
    assert.ok(fetched.length > 0);
    for (const g of fetched) assert.ok(g.startsWith('ferry/big@'), `only the retried image's blobs travel, not ${g}`);
    assert.ok(fetched.includes(`ferry/big@${big.layerDigest}`));
    const moved = new Map(partial.blobs.map((b) => [b.digest, b.location]));
    for (const b of done.blobs) if (moved.has(b.digest)) assert.deepEqual(b.location, moved.get(b.digest), `blob ${b.digest} stayed in place`);
    assert.notEqual(done.id, partial.id);

    const v = await ferry(['verify', '--dir', dir()]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.doesNotMatch(v.stdout, /PARTIAL/);
    const p = await ferry(['push', '--from-dir', dir(), '--to', mirror(), '--allow-unsigned', ...flags]);
    assert.equal(p.code, 0, p.stdout + p.stderr);
    assert.match(p.stdout, /Pushed 3 of 3 images/);
    const inMirror = await skopeo(world, ['inspect', '--raw', `docker://${mirror()}/ferry/big:s${BIG}`]);
    assert.ok(inMirror.stdout.includes(big.layerDigest));
  });

  it('a blob that does not match its digest fails its image; every other blob is written and the rerun fetches only it', async () => {
    const lying = join(work.path, 'lying');
    const big = await pushBigImage(world, BIG);
    await corruptBlob(world.source, big.layerDigest);
    const run = await ferry(['mirror', ...images(), '--to-dir', lying, ...flags]);
    await corruptBlob(world.source, big.layerDigest); // the source serves the right bytes again
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /1 image\(s\) failed while their blobs were fetched; every other blob is written/);
    assert.ok(run.stderr.includes(later()));
    assert.equal(await exists(join(lying, 'transfer.json')), false, 'an image with a hole is never listed as carried');
    const journal = (await readFile(join(lying, '.ferry-journal.jsonl'), 'utf8')).trim().split('\n').slice(1);
    const journaled = new Set(journal.map((l) => (JSON.parse(l) as { blob: { digest: string } }).blob.digest));
    assert.ok(!journaled.has(big.layerDigest));
    for (const d of [fx.schema2.digest, fx.oci.digest, fx.sharedLayer]) assert.ok(journaled.has(d), `${d} was written while the failing image failed`);

    const logFrom = (await registryLog(world.source)).length;
    const again = await ferry(['mirror', ...images(), '--to-dir', lying, ...flags]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.deepEqual(blobGets(await registryLog(world.source), logFrom), [`ferry/big@${big.layerDigest}`]);
    const done = await readManifest(lying);
    assert.equal(done.images.length, 3);
    assert.equal(done.failed, undefined);
    assert.equal((await ferry(['verify', '--dir', lying])).code, 0);
  });

  it('the resume of an interrupted run leaves out again what it left out, even once it exists; the rerun after it fetches it', async () => {
    const interrupted = join(work.path, 'interrupted');
    const smaller = `${world.source.host}/ferry/big:s${BIG / 2}`;
    const asked = ['--image', fx.schema2.ref, '--image', smaller, '--image', later(), '--to-dir', interrupted, ...flags];
    const big = await pushBigImage(world, BIG);
    await corruptBlob(world.source, big.layerDigest);
    const cut = await ferry(['mirror', ...asked]);
    await corruptBlob(world.source, big.layerDigest);
    assert.equal(cut.code, 1, cut.stdout + cut.stderr);
    assert.equal(await exists(join(interrupted, 'transfer.json')), false);

    const appeared = await pushBigImage(world, BIG / 2);
    const resumed = await ferry(['mirror', ...asked]);
    assert.equal(resumed.code, 1, resumed.stdout + resumed.stderr);
    const partialAgain = await readManifest(interrupted);
    assert.deepEqual(partialAgain.failed?.map((f) => [f.ref, f.code]), [[smaller, 'NOT_FOUND']]);
    assert.equal(partialAgain.images.length, 2);

    const logFrom = (await registryLog(world.source)).length;
    const completed = await ferry(['mirror', ...asked]);
    assert.equal(completed.code, 0, completed.stdout + completed.stderr);
    const fetched = blobGets(await registryLog(world.source), logFrom);
    assert.ok(fetched.includes(`ferry/big@${appeared.layerDigest}`));
    assert.ok(!fetched.includes(`ferry/big@${big.layerDigest}`), 'what the resumed run wrote is not fetched again');
    const done = await readManifest(interrupted);
    assert.equal(done.failed, undefined);
    assert.equal(done.images.length, 3);
  });

  it('--fail-fast stops at the missing image and writes no transfer', async () => {
    const ff = join(work.path, 'fail-fast');
    const r = await ferry(['mirror', '--image', fx.schema2.ref, '--image', `${world.source.host}/ferry/absent:v1`, '--to-dir', ff, '--fail-fast', ...flags]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /ferry\/absent:v1: the registry .* answered 404/);
    assert.equal(await exists(join(ff, 'transfer.json')), false);
  });

  it("the app's mirror job finishes with the failure in its report", async () => {
    const toDir = join(work.path, 'app');
    const defaults = { caFiles: [world.ca.certPath], authfile: world.authfile, sourceMirrors: [] };
    const job: JobContext = { id: 'keep-going', signal: new AbortController().signal, pullSecret: undefined, defaults, onProgress: () => undefined, checkpoint: async () => undefined };
    const absent = `${world.source.host}/ferry/absent:v1`;
    const params = jobStartSchema.parse({ kind: 'mirror', params: { images: [fx.schema2.ref, absent], toDir } }).params as JobParams<'mirror'>;
    const report = (await runners.mirror!(params, job)) as { images: number; failed?: Array<{ ref: string; code: string }> };
    assert.equal(report.images, 1);
    assert.deepEqual(report.failed?.map((f) => [f.ref, f.code]), [[absent, 'NOT_FOUND']]);
  });

  it('a rerun in which an image carried before fails too leaves no volume of it behind', async () => {
    const shrink = join(work.path, 'shrink');
    const absent = `${world.source.host}/ferry/absent:v1`;
    const asked = ['--image', fx.schema2.ref, '--image', absent, '--image', later(), '--to-dir', shrink, '--volume-size', '64K', ...flags];
    const big = await pushBigImage(world, BIG);
    const first = await ferry(['mirror', ...asked]);
    assert.equal(first.code, 1, first.stdout + first.stderr);
    const before = await readManifest(shrink);
    assert.ok(before.volumes.length > 3, 'the big image fills volumes of its own');
    const stored = blobPath(world.source, big.digest);
    await rename(stored, `${stored}.gone`);
    try {
      const again = await ferry(['mirror', ...asked]);
      assert.equal(again.code, 1, again.stdout + again.stderr);
      const after = await readManifest(shrink);
      assert.deepEqual(after.failed?.map((f) => f.ref).sort(), [absent, later()].sort());
      assert.ok(after.volumes.length < before.volumes.length);
      for (const v of before.volumes.slice(after.volumes.length)) assert.equal(await exists(join(shrink, v.name)), false, `${v.name} was removed`);
      const v = await ferry(['verify', '--dir', shrink]);
      assert.equal(v.code, 0, v.stdout + v.stderr);
    } finally {
      await rename(`${stored}.gone`, stored);
    }
  });

  it('release content with a missing component still stops at the first failure', async () => {
    const rel = await pushRelease(world, '4.15.3');
    const component = rel.components.find((c) => c.name !== 'installer')!;
    const stored = blobPath(world.source, component.digest);
    await rename(stored, `${stored}.gone`);
    const toDir = join(work.path, 'release');
    const r = await ferry([
      'mirror',
      '--release',
      'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64',
      '--image',
      fx.schema2.ref,
      '--to-dir',
      toDir,
      '--no-release-signatures',
      '--source-mirror',
      `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`,
      ...flags,
    ]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(component.digest), r.stderr);
    assert.equal(await exists(join(toDir, 'transfer.json')), false, 'a release is whole or not written');
    assert.ok(!r.stdout.includes('NOT CARRIED'));
  });
});
