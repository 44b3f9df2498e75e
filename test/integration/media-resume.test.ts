import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyTransfer } from '../../electron/engine/media/verify';
import { TransferWriter } from '../../electron/engine/media/writer';
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
});
