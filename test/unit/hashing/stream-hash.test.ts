import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { OFF_THREAD_MIN, streamHash, type StreamHash } from '../../../electron/engine/hashing/stream-hash';
import { pseudoRandom } from '../media/fixtures';

const hex = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('hex');

/** Feeds `data` in chunks of the given sizes (cycled), honouring the hash's back-pressure. */
async function feed(hash: StreamHash, data: Buffer, sizes: number[]): Promise<{ waits: number }> {
  let waits = 0;
  for (let off = 0, i = 0; off < data.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, data.length - off);
    const room = hash.update(data.subarray(off, off + n));
    off += n;
    if (room) {
      waits++;
      await room;
    }
  }
  return { waits };
}

describe('stream hash', () => {
  it('hashes a large stream off the thread to the same digest, whatever the chunking', async () => {
    const data = pseudoRandom('large', 5 * OFF_THREAD_MIN + 12345);
    for (const sizes of [[16 * 1024], [1, 777_777, 3 * OFF_THREAD_MIN], [data.length]]) {
      const hash = streamHash('sha256', data.length);
      await feed(hash, data, sizes);
      assert.equal(await hash.digest(), hex('sha256', data), `chunks of ${sizes.join(',')}`);
    }
  });

  it('copies what it is given: the caller may reuse its buffer at once', async () => {
    const data = pseudoRandom('reuse', 3 * OFF_THREAD_MIN);
    const hash = streamHash('sha256', data.length);
    const scratch = Buffer.alloc(64 * 1024);
    for (let off = 0; off < data.length; off += scratch.length) {
      data.copy(scratch, 0, off, off + scratch.length);
      await hash.update(scratch);
      scratch.fill(0);
    }
    assert.equal(await hash.digest(), hex('sha256', data));
  });

  it('holds the caller back once a few batches are out, instead of queueing without bound', async () => {
    const data = pseudoRandom('pressure', 12 * OFF_THREAD_MIN);
    const hash = streamHash('sha256', data.length);
    const { waits } = await feed(hash, data, [data.length]);
    assert.equal(waits, 1, 'one huge chunk: the caller waits once');
    assert.equal(await hash.digest(), hex('sha256', data));
  });

  it('hashes small streams in place, never asking the caller to wait', async () => {
    const data = pseudoRandom('small', OFF_THREAD_MIN - 1);
    const hash = streamHash('sha512', data.length);
    assert.equal((await feed(hash, data, [4096])).waits, 0);
    assert.equal(await hash.digest(), hex('sha512', data));
  });

  it('keeps concurrent hashes apart, and a disposed one does not disturb the rest', async () => {
    const inputs = ['a', 'b', 'c', 'd'].map((seed, i) => pseudoRandom(seed, 2 * OFF_THREAD_MIN + i * 1000));
    const abandoned = streamHash('sha256', 4 * OFF_THREAD_MIN);
    await abandoned.update(pseudoRandom('abandoned', 2 * OFF_THREAD_MIN));
    const digests = Promise.all(
      inputs.map(async (data, i) => {
        const hash = streamHash(i % 2 ? 'sha512' : 'sha256', data.length);
        await feed(hash, data, [300_000 + i]);
        return hash.digest();
      }),
    );
    abandoned.dispose();
    abandoned.dispose();
    assert.deepEqual(await digests, inputs.map((data, i) => hex(i % 2 ? 'sha512' : 'sha256', data)));
  });

  it('lets the process exit once nothing is owed, even with a hash left open', async () => {
    const module = fileURLToPath(new URL('../../../electron/engine/hashing/stream-hash.ts', import.meta.url));
    const dir = await mkdtemp(join(tmpdir(), 'ferry-hash-'));
    // A script file, not -e: tsx ends an -e script with process.exit, which would hide a thread kept alive.
    const script = join(dir, 'left-open.mts');
    await writeFile(
      script,
      `import { streamHash } from ${JSON.stringify(module)};
      const hash = streamHash('sha256', 8 << 20);
      await hash.update(Buffer.alloc(3 << 20, 1));
      console.log('fed');`,
    );
    try {
      const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(child.signal, null, 'the process had to be killed: the hashing thread kept it alive');
      assert.equal(child.status, 0, child.stderr);
      assert.equal(child.stdout.trim(), 'fed');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
