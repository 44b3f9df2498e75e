import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createEngineContext } from '../../../electron/engine/context';
import { digestOf } from '../../../electron/engine/hashing/verified-stream';
import { MediaType } from '../../../electron/engine/registry/manifest';
import { plannedSource, type GeneratedBlob, type PlannedImage } from '../../../electron/engine/transfer/plan';

// Blobs Ferry makes itself (a filtered catalog's) are served by the plan, from memory or from a file in the
// engine context's scratch directory, which lives as long as the context.
describe('generated blobs', () => {
  it('the scratch directory is private, one per context, and gone with everything in it once the context closes', async () => {
    const ctx = await createEngineContext({ caFiles: [], sourceMirrors: [], parallel: 1 });
    const dir = await ctx.scratchDir();
    assert.equal(await ctx.scratchDir(), dir);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    await writeFile(join(dir, 'layer'), 'x');
    await ctx.close();
    await assert.rejects(stat(dir), { code: 'ENOENT' });
  });

  it('a planned image serves its generated blobs from memory and from scratch files, not from the registry', async () => {
    const ctx = await createEngineContext({ caFiles: [], sourceMirrors: [], parallel: 1 });
    try {
      const inMemory = Buffer.from('{"config":true}');
      const onDisk = Buffer.from('layer bytes '.repeat(1000));
      const file = join(await ctx.scratchDir(), 'layer');
      await writeFile(file, onDisk);
      const root = { bytes: Buffer.from('{}'), mediaType: MediaType.ociManifest, digest: digestOf(Buffer.from('{}')) };
      const image: PlannedImage = {
        source: 'registry.invalid/ns/catalog:v1',
        ref: { registry: 'registry.invalid', repository: 'ns/catalog', tag: 'v1', digest: root.digest },
        role: 'extra',
        digest: root.digest,
        mediaType: root.mediaType,
        root,
        images: [],
        bytes: 0,
        generated: new Map<string, GeneratedBlob>([
          [digestOf(inMemory), inMemory],
          [digestOf(onDisk), { file }],
        ]),
      };
      const src = plannedSource(ctx, image);
      const read = async (b: Buffer) => {
        const chunks: Buffer[] = [];
        for await (const c of await src.openBlob({ mediaType: 'application/octet-stream', digest: digestOf(b), size: b.length })) chunks.push(c as Buffer);
        return Buffer.concat(chunks);
      };
      assert.ok((await read(inMemory)).equals(inMemory));
      assert.ok((await read(onDisk)).equals(onDisk));
    } finally {
      await ctx.close();
    }
  });
});
