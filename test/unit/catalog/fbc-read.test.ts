import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { fbcObjects } from '../../../electron/engine/catalog/fbc-stream';
import { walkFilesFromLayers, type LayerSource } from '../../../electron/engine/image-files/layers';
import { FerryError } from '../../../shared/errors';
import { CATALOG_PACKAGES, FAKE_IMAGES, packageFile, packageObjects } from '../../support/catalog';

/** Feeds `text` in chunks of `size` bytes, so objects and lines straddle chunk boundaries. */
function chunked(text: string, size: number): AsyncIterable<Buffer> {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function all(text: string, size = 7, max?: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const o of fbcObjects(chunked(text, size), 'test', max)) out.push(o);
  return out;
}

describe('FBC files as operator-registry loads them (JSON stream or YAML documents)', () => {
  it('reads opm-rendered catalog.json and catalog.yaml back to the objects written', async () => {
    for (const pkg of CATALOG_PACKAGES) {
      const objects = packageObjects(pkg, 'v2', FAKE_IMAGES);
      const file = packageFile(pkg, objects);
      assert.deepEqual(await all(file.content, 13), objects, file.path);
    }
  });

  it('splits JSON objects with braces inside strings, escapes and no separator between them', async () => {
    const text = ' \n{"a":"}{\\"","b":[{"c":1}]}{"d":"\\\\"}\n\n{"e":{}}';
    assert.deepEqual(await all(text, 3), [{ a: '}{"', b: [{ c: 1 }] }, { d: '\\' }, { e: {} }]);
  });

  it('splits YAML at --- lines only, skipping empty documents', async () => {
    const text = '---\nschema: olm.package\nname: a\ndescription: "--- not a separator"\n---   \n\n---\nschema: olm.package\nname: b\n';
    assert.deepEqual(await all(text, 5), [
      { schema: 'olm.package', name: 'a', description: '--- not a separator' },
      { schema: 'olm.package', name: 'b' },
    ]);
  });

  it('refuses broken JSON and YAML, and objects over the cap, as typed errors', async () => {
    const fails = async (text: string, pattern: RegExp, max?: number): Promise<void> => {
      await assert.rejects(all(text, 4, max), (e: unknown) => e instanceof FerryError && pattern.test(e.message));
    };
    await fails('{"a":1} [1]', /other than a JSON object/);
    await fails('{"a":1}{"b":', /ends in the middle/);
    await fails('{"a":tru}', /not valid JSON/);
    await fails('a: [1\n', /not valid YAML/);
    await fails(`{"a":"${'x'.repeat(100)}"}`, /larger than 64 bytes/, 64);
    await fails(`a: ${'x'.repeat(100)}\n`, /larger than 64 bytes/, 64);
  });
});

async function layerOf(entries: Array<{ name: string; body?: string }>): Promise<LayerSource> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, mode: 0o644 }, e.body ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const bytes = gzipSync(Buffer.concat(chunks));
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, open: async () => Readable.from([bytes]) };
}

describe('walking a directory across layers', () => {
  it('gives each path once, from the topmost layer, and honours whiteouts and opaque directories', async () => {
    const base = await layerOf([
      { name: 'configs/a/catalog.json', body: 'a-old' },
      { name: 'configs/b/catalog.json', body: 'b' },
      { name: 'configs/c/catalog.json', body: 'c' },
      { name: 'configs/d/x.json', body: 'd-old' },
      { name: 'other/file', body: 'o' },
    ]);
    const top = await layerOf([
      { name: './configs/a/catalog.json', body: 'a-new' },
      { name: 'configs/.wh.b' },
      { name: 'configs/d/.wh..wh..opq' },
      { name: 'configs/d/y.json', body: 'd-new' },
    ]);
    const seen: Array<[string, string]> = [];
    await walkFilesFromLayers([base, top], '/configs', async (path, content) => {
      const parts: Buffer[] = [];
      for await (const c of content) parts.push(c);
      seen.push([path, Buffer.concat(parts).toString()]);
    });
    assert.deepEqual(seen.sort(), [
      ['configs/a/catalog.json', 'a-new'],
      ['configs/c/catalog.json', 'c'],
      ['configs/d/y.json', 'd-new'],
    ]);
  });
});
