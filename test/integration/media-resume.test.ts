import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, open, readdir, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyTransfer } from '../../electron/engine/media/verify';
import { TransferWriter } from '../../electron/engine/media/writer';
import type { FerryError } from '../../shared/errors';
import type { TransferManifest } from '../../shared/transfer/manifest';
import { FINISH_META, chunked, fixtureContent, writeFixture } from '../unit/media/fixtures';

const VOLUME_SIZE = 256 * 1024;
const child = new URL('../unit/media/write-child.ts', import.meta.url).pathname;

/** Runs the writer in a child and SIGKILLs it once it is stuck inside blob `index` at byte `atByte`. */
function killMidBlob(dir: string, index: number, atByte: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir, String(index), String(atByte), String(VOLUME_SIZE)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('STALLED')) p.kill('SIGKILL');
    });
    p.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer child exited with ${code} before stalling`))));
  });
}

describe('resume after kill -9 while writing', () => {
  const content = fixtureContent();
  let root: string;
  let reference: TransferManifest;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-resume-'));
    reference = await writeFixture(join(root, 'uninterrupted'), content, { volumeSize: VOLUME_SIZE });
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const bigIndex = (): number => content.blobs.findIndex((b) => b.size === 600_000);
  for (const [label, point] of [
    ['inside an ordinary blob in the first volume', (): [number, number] => [1, 70_000]],
    ['inside the split blob, after it crossed into later volumes', (): [number, number] => [bigIndex(), 500_000]],
  ] as const) {
    it(`continues from the last complete blob when killed ${label}`, async () => {
      const dir = join(root, label.split(' ').slice(0, 3).join('-'));
      const [index, atByte] = point();
      await killMidBlob(dir, index, atByte);
      assert.ok((await readdir(dir)).includes('.ferry-journal.jsonl'));
      assert.ok(!(await readdir(dir)).includes('transfer.json'), 'a killed write is not a finished transfer');

      const writer = await TransferWriter.open(dir, { volumeSize: VOLUME_SIZE, resume: true });
      assert.equal(writer.resumedBlobs, index, 'every blob before the interrupted one was kept');
      let rewritten = 0;
      for (const b of content.blobs) {
        if (writer.has(b.digest)) continue;
        await writer.addBlob(b, chunked(b.data));
        rewritten++;
      }
      assert.equal(rewritten, content.blobs.length - index);
      for (const img of content.images) writer.addImage(img);
      const resumed = await writer.finish(FINISH_META);
      await writer.close();

      assert.deepEqual(resumed.blobs, reference.blobs, 'same blobs at the same places');
      assert.deepEqual(resumed.volumes, reference.volumes, 'byte-identical volumes');
      assert.deepEqual(resumed.images, reference.images);
      const report = await verifyTransfer(dir);
      assert.deepEqual(report.problems, []);
    });
  }

  for (const [label, damage] of [
    ['a byte flipped in a kept blob', async (dir: string, at: Kept) => flip(join(dir, at.volume), at.offset + 7)],
    ['a kept tar header changed', async (dir: string, at: Kept) => flip(join(dir, at.volume), at.offset - 512 + 3)],
    ['the open volume cut short inside a kept blob', async (dir: string, at: Kept) => truncate(join(dir, at.volume), at.offset + 10)],
  ] as const) {
    it(`finds ${label} on resume, cuts the transfer back to it and ends with the volumes of an uninterrupted run`, async () => {
      const dir = join(root, `damaged-${label.split(' ').slice(1, 4).join('-')}`);
      // Killed inside a config; the layer before it, the last blob kept, sits in the open volume.
      const index = bigIndex() + 5;
      await killMidBlob(dir, index, 100);
      const victim = content.blobs[index - 1]!;
      const loc = reference.blobs.find((b) => b.digest === victim.digest)!.location as { volume: string; offset: number };
      await damage(dir, loc);

      const writer = await TransferWriter.open(dir, { volumeSize: VOLUME_SIZE, resume: true });
      assert.equal(writer.resumedBlobs, index - 1, 'the damaged blob and everything after it are written again');
      assert.deepEqual(
        writer.repaired.map((p) => p.blob),
        [victim.digest],
      );
      for (const b of content.blobs) if (!writer.has(b.digest)) await writer.addBlob(b, chunked(b.data));
      for (const img of content.images) writer.addImage(img);
      const resumed = await writer.finish(FINISH_META);
      await writer.close();
      assert.deepEqual(resumed.volumes, reference.volumes, 'byte-identical volumes: nothing damaged was kept');
      assert.deepEqual((await verifyTransfer(dir)).problems, []);
    });
  }

  it('refuses a second writer while the first holds the directory, and lets it in once the first is closed', async () => {
    const dir = join(root, 'two-writers');
    const first = await TransferWriter.open(dir, { volumeSize: VOLUME_SIZE });
    await assert.rejects(TransferWriter.open(dir, { volumeSize: VOLUME_SIZE, resume: true }), (e: FerryError) => {
      assert.equal(e.code, 'CONFLICT');
      assert.match(e.message, new RegExp(`held by a Ferry transfer writer \\(pid ${process.pid} on `));
      return true;
    });
    await first.close();
    const second = await TransferWriter.open(dir, { volumeSize: VOLUME_SIZE, resume: true });
    await second.close();
  });
});

type Kept = { volume: string; offset: number };

async function flip(path: string, at: number): Promise<void> {
  const fh = await open(path, 'r+');
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, at);
  await fh.write(Buffer.from([b[0]! ^ 0x5a]), 0, 1, at);
  await fh.close();
}
