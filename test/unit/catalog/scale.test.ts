import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fbcObjects } from '../../../electron/engine/catalog/fbc-stream';
import { catalogFilter } from '../../../shared/catalog/filter';
import { CatalogBuilder, type Catalog } from '../../../shared/catalog/model';
import { parsePackageSpec, resolveSelection } from '../../../shared/catalog/resolve';
import { syntheticPackages } from '../../support/big-catalog';
import { FAKE_IMAGES, packageFile, packageObjects } from '../../support/catalog';

// Issue 18 (scale), without timing: a catalog of a few hundred packages streams through the FBC reader one
// object at a time, and resolves to the thousands of images it names. Times and peak RSS: `npm run bench`
// (BENCH_ONLY=catalog).
const PACKAGES = syntheticPackages(300);
const objects = PACKAGES.map((pkg) => packageObjects(pkg, 'v1', FAKE_IMAGES));
const CHUNK = 16 * 1024;

/**
 * Feeds `texts` (one per object, concatenated) in CHUNK-byte pieces and checks, as each object comes out, that
 * the reader has pulled no more than the chunk that holds its end: it never reads ahead to hold the file.
 */
async function streamed(texts: string[]): Promise<{ count: number; maxAhead: number; bytes: number }> {
  const whole = Buffer.from(texts.join(''));
  const ends: number[] = [];
  let end = 0;
  for (const t of texts) ends.push((end += Buffer.byteLength(t)));
  let produced = 0;
  const source = (async function* () {
    for (let i = 0; i < whole.length; i += CHUNK) {
      produced = Math.min(whole.length, i + CHUNK);
      yield whole.subarray(i, produced);
    }
  })();
  let count = 0;
  let maxAhead = 0;
  for await (const _ of fbcObjects(source, 'scale')) {
    maxAhead = Math.max(maxAhead, produced - ends[count]!);
    count++;
  }
  return { count, maxAhead, bytes: whole.length };
}

describe('a catalog of a few hundred packages (issue 18)', () => {
  it('streams a catalog.json of every package one object at a time, never reading ahead of the object it yields', async () => {
    const texts = objects.flat().map((o) => `${JSON.stringify(o, null, 4)}\n`);
    const r = await streamed(texts);
    assert.equal(r.count, texts.length);
    assert.ok(r.bytes > 20 * CHUNK, `the file (${r.bytes} bytes) spans many chunks`);
    assert.ok(r.maxAhead <= CHUNK, `read ${r.maxAhead} bytes past an object's end before yielding it`);
  });

  it('streams YAML documents the same way', async () => {
    // A hundred packages: YAML parses ten times slower than JSON, and the reading pattern is the same.
    const texts = PACKAGES.slice(0, 100).map((pkg, i) => packageFile({ ...pkg, format: 'yaml' }, objects[i]!).content);
    // One text per document: packageFile writes `---` before each.
    const docs = texts.flatMap((t) => t.split(/(?=^---\n)/m));
    const r = await streamed(docs);
    assert.equal(r.count, docs.length);
    assert.ok(r.bytes > 20 * CHUNK, `the file (${r.bytes} bytes) spans many chunks`);
    // A YAML document ends only where the next `---` line starts: at most one line more, within the next chunk.
    assert.ok(r.maxAhead <= CHUNK, `read ${r.maxAhead} bytes past a document's end before yielding it`);
  });

  it('resolves every default-channel head, and the whole catalog, to the images the bundles name', () => {
    const b = new CatalogBuilder();
    for (const o of objects.flat()) b.add(o, 'scale');
    const catalog: Catalog = b.finish();

    const heads = resolveSelection(catalog, PACKAGES.map((p) => parsePackageSpec(p.name)));
    assert.deepEqual(heads.missing, []);
    assert.equal(heads.bundles.length, PACKAGES.length);
    assert.ok(heads.bundles.every((x) => x.version === '1.2.0' && x.channels.join() === 'stable'));
    // Bundle, operator and two operands a package, each once.
    assert.equal(heads.images.length, 4 * PACKAGES.length);
    assert.equal(new Set(heads.images).size, heads.images.length);
    assert.equal(catalogFilter(catalog, heads).length, PACKAGES.length);

    const whole = resolveSelection(catalog, PACKAGES.flatMap((p) => Object.keys(p.channels).map((c) => parsePackageSpec(`${p.name}:${c}@0.0.0..`))));
    assert.deepEqual(whole.missing, []);
    assert.equal(whole.bundles.length, 4 * PACKAGES.length);
    // Four bundles and four operators a package, and its two operands.
    assert.equal(whole.images.length, 10 * PACKAGES.length);
  });

  it('reports the dependency a partial selection lacks, among hundreds of packages', () => {
    const b = new CatalogBuilder();
    for (const o of objects.flat()) b.add(o, 'scale');
    const r = resolveSelection(b.finish(), [parsePackageSpec('scale-op-0299')]);
    // In OLM's order of preference: the default channel (stable) head first, newer before older, then `fast`.
    assert.deepEqual(
      r.missing.map((m) => [m.requiredBy, m.providers.map((p) => `${p.package} ${p.version}`).join(', ')]),
      [['scale-op-0299/scale-op-0299.v1.2.0', 'scale-op-0298 1.2.0, scale-op-0298 1.1.0, scale-op-0298 1.0.0, scale-op-0298 1.3.0']],
    );
  });
});
