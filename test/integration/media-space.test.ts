import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FerryError } from '../../shared/errors';
import { planVolumes } from '../../electron/engine/media/volume-plan';
import { checkSpace, requireSpace } from '../../electron/engine/media/space';
import { verifyTransfer } from '../../electron/engine/media/verify';
import { TransferWriter } from '../../electron/engine/media/writer';
import { FINISH_META, chunked, fixtureContent } from '../unit/media/fixtures';

const run = promisify(execFile);
const VOLUME_SIZE = 256 * 1024;

/** A real 2 MiB tmpfs as the "USB disk" (needs root, which the test machine has). */
describe('a target disk that is too small', () => {
  let root: string;
  let mnt: string;
  let mounted = false;
  const content = fixtureContent();
  const indexed = content.images.map((i) => ({ source: i.source, digest: i.digest, mediaType: i.mediaType, size: content.blobs.find((b) => b.digest === i.digest)!.size }));

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-space-'));
    mnt = join(root, 'usb');
    await mkdir(mnt);
    await run('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
    mounted = true;
  });
  after(async () => {
    if (mounted) await run('umount', [mnt]);
    await rm(root, { recursive: true, force: true });
  });

  it('refuses before writing, with needed and free bytes', async () => {
    const big = fixtureContent({ shared: 30_000, big: 2_500_000, medium: 150_000, small: 70_000 }, 'too-big');
    const plan = planVolumes(big.blobs, indexed, VOLUME_SIZE);
    const dir = join(mnt, 'refused');
    const check = await checkSpace(dir, plan.diskBytes);
    assert.equal(check.enough, false);
    assert.ok(check.free < check.needed && check.free > 1_000_000);
    await assert.rejects(requireSpace(dir, plan.diskBytes), (e: unknown) => {
      assert.ok(e instanceof FerryError && e.code === 'NO_SPACE');
      assert.ok(e.message.includes(String(plan.diskBytes)) && e.message.includes(String(check.free)), e.message);
      return true;
    });
    assert.deepEqual(await readdir(mnt), [], 'nothing was written');
    assert.equal((await checkSpace(dir, planVolumes(content.blobs, indexed, VOLUME_SIZE).diskBytes)).enough, true, 'the normal content fits');
  });

  it('stops with NO_SPACE when the disk fills mid-write, keeps a consistent state, and resumes once there is room', async () => {
    const dir = join(mnt, 'transfer');
    const filler = join(mnt, 'filler');
    // Leave about 500 KiB: the plan (about 1 MiB) passed the check, then something else took the space.
    const { free } = await checkSpace(mnt, 0);
    await writeFile(filler, Buffer.alloc(free - 500 * 1024));
    const writer = await TransferWriter.open(dir, { volumeSize: VOLUME_SIZE });
    let failure: unknown;
    for (const b of content.blobs) {
      try {
        await writer.addBlob(b, chunked(b.data));
      } catch (e) {
        failure = e;
        break;
      }
    }
    await writer.close();
    assert.ok(failure instanceof FerryError && failure.code === 'NO_SPACE', String(failure));
    assert.match(failure.message, /ferry-\d{6}\.tar could not take blob sha256:[0-9a-f]{64} \(\d+ bytes needed; \d+ bytes are free\)/);
    const kept = writer.committedBlobs;
    assert.ok(kept > 0 && kept < content.blobs.length);

    await rm(filler);
    const resumed = await TransferWriter.open(dir, { volumeSize: VOLUME_SIZE, resume: true });
    assert.equal(resumed.resumedBlobs, kept);
    for (const b of content.blobs) if (!resumed.has(b.digest)) await resumed.addBlob(b, chunked(b.data));
    for (const img of content.images) resumed.addImage(img);
    const manifest = await resumed.finish(FINISH_META);
    await resumed.close();
    for (const v of manifest.volumes) assert.ok((await stat(join(dir, v.name))).size <= VOLUME_SIZE);
    const report = await verifyTransfer(dir);
    assert.deepEqual(report.problems, []);
  });

  it('a disk that refuses a blob while it is being committed stops the writer; the journal keeps only committed blobs', async () => {
    // Blobs added all at once are written one at a time without a plan; the one the full disk refuses stops the writer.
    const small = fixtureContent({ shared: 40_000, big: 60_000, medium: 50_000, small: 30_000 }, 'commit-full');
    const dir = join(mnt, 'commit');
    const filler = join(mnt, 'filler');
    const { free } = await checkSpace(mnt, 0);
    await writeFile(filler, Buffer.alloc(free - 100 * 1024));
    const writer = await TransferWriter.open(dir, { volumeSize: VOLUME_SIZE });
    const results = await Promise.allSettled(small.blobs.map((b) => writer.addBlob(b, chunked(b.data))));
    await writer.close();
    const firstFailure = results.findIndex((r) => r.status === 'rejected');
    assert.ok(firstFailure > 0, 'some blobs fit before the disk filled');
    const failure = (results[firstFailure] as PromiseRejectedResult).reason;
    assert.ok(failure instanceof FerryError && failure.code === 'NO_SPACE', String(failure));
    assert.ok(failure.message.includes(small.blobs[firstFailure]!.digest), failure.message);
    assert.ok(results.slice(firstFailure).every((r) => r.status === 'rejected'), 'nothing after the failed commit is accepted');
    assert.equal(writer.committedBlobs, firstFailure);

    await rm(filler);
    const resumed = await TransferWriter.open(dir, { volumeSize: VOLUME_SIZE, resume: true });
    assert.equal(resumed.resumedBlobs, firstFailure);
    for (const b of small.blobs) if (!resumed.has(b.digest)) await resumed.addBlob(b, chunked(b.data));
    for (const img of small.images) resumed.addImage(img);
    await resumed.finish(FINISH_META);
    await resumed.close();
    assert.deepEqual((await verifyTransfer(dir)).problems, []);
  });
});
