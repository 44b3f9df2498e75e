import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { buildLayer, writeLayerFile, type LayerEntry } from '../../../electron/engine/image-files/build-layer';
import { digestOf } from '../../../electron/engine/hashing/verified-stream';
import { tempDir } from '../../support/tmp';

const tmp = tempDir('build-layer');
after(() => tmp.cleanup());

/** Package-like files of several sizes, some larger than zlib's and tar-stream's buffers, in no particular order. */
function entries(): LayerEntry[] {
  const out: LayerEntry[] = [{ path: 'configs/', type: 'directory' }];
  for (const i of [7, 0, 3, 11, 1]) {
    out.push({ path: `configs/p${i}/catalog.json`, type: 'file', content: Buffer.from(randomBytes(i * 40_000 + 5).toString('hex')) });
    out.push({ path: `configs/p${i}/`, type: 'directory' });
  }
  return out;
}

describe('layers Ferry builds', () => {
  it('stream to the very bytes a one-shot gzip of the whole tar gives, so filtered catalog digests stay what they were', async () => {
    const layer = await buildLayer(entries());
    const tar = gunzipSync(layer.blob);
    const oneShot = gzipSync(tar, { level: 9 });
    oneShot[9] = 0xff;
    assert.ok(layer.blob.equals(oneShot));
    assert.equal(layer.digest, digestOf(layer.blob));
    assert.equal(layer.diffId, digestOf(tar));
    assert.equal(layer.size, layer.blob.length);
  });

  it('written to a file with contents made as they are written, one file at a time in path order: the same blob', async () => {
    const given = entries();
    const made: string[] = [];
    const lazy = given.map((e): LayerEntry => {
      const content = e.content;
      if (!Buffer.isBuffer(content)) return e;
      return {
        ...e,
        content: async () => {
          made.push(e.path);
          return content;
        },
      };
    });
    const file = await writeLayerFile(lazy, join(tmp.path, 'layer.tar.gz'));
    const inMemory = await buildLayer(given);
    const bytes = await readFile(file.path);
    assert.ok(bytes.equals(inMemory.blob));
    assert.deepEqual({ digest: file.digest, diffId: file.diffId, size: file.size }, { digest: inMemory.digest, diffId: inMemory.diffId, size: inMemory.size });
    assert.deepEqual(made, [...made].sort());
    assert.equal(made.length, 5);
  });

  it('never overwrites a file, and a failing content fails the layer', async () => {
    await assert.rejects(writeLayerFile(entries(), join(tmp.path, 'layer.tar.gz')), { code: 'EEXIST' });
    const failing: LayerEntry = { path: 'configs/x/catalog.json', type: 'file', content: () => Promise.reject(new Error('cannot make it')) };
    await assert.rejects(writeLayerFile([...entries(), failing], join(tmp.path, 'other.tar.gz')), /cannot make it/);
  });
});
