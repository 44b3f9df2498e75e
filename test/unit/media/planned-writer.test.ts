import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TransferWriter } from '../../../electron/engine/media/writer';
import { FerryError } from '../../../shared/errors';
import { isPartsLocation, type TransferManifest } from '../../../shared/transfer/manifest';
import { journalLines } from '../../support/kill';
import { tempDir } from '../../support/tmp';
import { chunked, fixtureContent, FINISH_META, pseudoRandom, writeFixture } from './fixtures';

const VOLUME_SIZE = 256 * 1024;

/**
 * The planned writer (issue 16): every blob placed up front, written in any order and at once, gives the
 * bytes of a serial run; a resume keeps each intact journaled blob where it is, drops a damaged one alone,
 * and fills the holes.
 */
describe('planned media writer', () => {
  const content = fixtureContent();
  const planned = { volumeSize: VOLUME_SIZE, planned: content.blobs };
  let root: { path: string; cleanup(): Promise<void> };
  let serial: TransferManifest;

  before(async () => {
    root = tempDir('ferry-planned-');
    serial = await writeFixture(join(root.path, 'serial'), content, { volumeSize: VOLUME_SIZE });
  });
  after(() => root.cleanup());

  it('writes the volumes and blob list of a serial run whatever order blobs arrive in', async () => {
    assert.ok(serial.volumes.length >= 3 && serial.blobs.some((b) => isPartsLocation(b.location)), 'several volumes and a split blob');
    const dir = join(root.path, 'reversed');
    const writer = await TransferWriter.open(dir, planned);
    try {
      await Promise.all([...content.blobs].reverse().map((b) => writer.addBlob(b, chunked(b.data))));
      for (const img of content.images) writer.addImage(img);
      const m = await writer.finish(FINISH_META);
      assert.deepEqual(m.volumes, serial.volumes);
      assert.deepEqual(m.blobs, serial.blobs);
    } finally {
      await writer.close();
    }
  });

  it('resumes with holes: a failed blob and blobs never sent are fetched, a damaged kept blob alone is written again', async () => {
    const dir = join(root.path, 'holes');
    const first = await TransferWriter.open(dir, planned);
    const bad = content.blobs[1]!;
    const skipped = new Set(content.blobs.filter((_, i) => i % 3 === 0).map((b) => b.digest));
    const sent = [...content.blobs].reverse().filter((b) => !skipped.has(b.digest) && b !== bad);
    const results = await Promise.allSettled([first.addBlob(bad, chunked(pseudoRandom('not-it', bad.size))), ...sent.map((b) => first.addBlob(b, chunked(b.data)))]);
    await first.close();
    assert.ok(results[0]!.status === 'rejected' && results[0].reason instanceof FerryError && results[0].reason.code === 'DIGEST_MISMATCH');
    assert.ok(results.slice(1).every((r) => r.status === 'fulfilled'));

    // Damage one byte of a kept blob whose volume is still open (a closed volume would be reopened as a whole).
    const lines = (await journalLines<{ t: string; blob?: { digest: string; location: { volume?: string; offset?: number } }; closed?: Array<{ name: string }> }>(join(dir, '.ferry-journal.jsonl'))).filter((l) => l.t === 'blob');
    assert.equal(lines.length, sent.length);
    const closed = new Set(lines.flatMap((l) => (l.closed ?? []).map((v) => v.name)));
    const victim = lines.find((l) => l.blob!.location.volume && !closed.has(l.blob!.location.volume))!.blob!;
    const fh = await open(join(dir, victim.location.volume!), 'r+');
    const one = Buffer.alloc(1);
    await fh.read(one, 0, 1, victim.location.offset!);
    one[0] = one[0]! ^ 0xff;
    await fh.write(one, 0, 1, victim.location.offset!);
    await fh.close();

    const resumed = await TransferWriter.open(dir, { ...planned, resume: true });
    try {
      assert.equal(resumed.resumedBlobs, sent.length - 1);
      assert.deepEqual(resumed.repaired.map((p) => p.blob), [victim.digest]);
      const refetched = content.blobs.filter((b) => !resumed.has(b.digest));
      assert.deepEqual(new Set(refetched.map((b) => b.digest)), new Set([...skipped, bad.digest, victim.digest]));
      await Promise.all(refetched.map((b) => resumed.addBlob(b, chunked(b.data))));
      for (const img of content.images) resumed.addImage(img);
      const m = await resumed.finish(FINISH_META);
      assert.deepEqual(m.volumes, serial.volumes);
      assert.deepEqual(m.blobs, serial.blobs);
    } finally {
      await resumed.close();
    }
  });
});
