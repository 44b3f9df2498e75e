import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VolumeHasher } from '../../../electron/engine/media/volume-hasher';
import { pseudoRandom } from './fixtures';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('volume hasher thread', () => {
  let dir: string;
  let hasher: VolumeHasher;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-hasher-'));
    hasher = new VolumeHasher();
  });
  after(async () => {
    await hasher.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('hashes a file as it grows, to exactly the length asked for', async () => {
    const path = join(dir, 'grow.tar');
    const data = pseudoRandom('grow', 3 * 1024 * 1024 + 123);
    await writeFile(path, data.subarray(0, 1_000_000));
    hasher.advance(path, 1_000_000);
    await appendFile(path, data.subarray(1_000_000));
    hasher.advance(path, data.length);
    assert.equal(await hasher.digest(path, data.length), sha256(data));
  });

  it('starts over after a file is cut back or deleted and written again', async () => {
    const path = join(dir, 'undo.tar');
    const data = pseudoRandom('undo', 2 * 1024 * 1024);
    await writeFile(path, data);
    hasher.advance(path, data.length);
    await truncate(path, 5000);
    hasher.reset(path, 5000);
    const other = pseudoRandom('other', 70_000);
    await appendFile(path, other);
    const expected = sha256(Buffer.concat([data.subarray(0, 5000), other]));
    assert.equal(await hasher.digest(path, 75_000), expected);

    await writeFile(path, data);
    hasher.advance(path, data.length);
    await unlink(path);
    hasher.reset(path, 0);
    await writeFile(path, other);
    assert.equal(await hasher.digest(path, other.length), sha256(other));
  });

  it('reports a file that is missing or shorter than asked', async () => {
    await assert.rejects(hasher.digest(join(dir, 'absent.tar'), 10), /Could not hash the volume: .*ENOENT/);
    const path = join(dir, 'short.tar');
    await writeFile(path, Buffer.alloc(100));
    await assert.rejects(hasher.digest(path, 200), /ends at byte 100, before 200/);
  });
});
