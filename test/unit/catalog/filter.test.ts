import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { catalogFilter, fbcJson, filteredObjects, keepsMeta } from '../../../shared/catalog/filter';
import { CatalogBuilder, type Catalog } from '../../../shared/catalog/model';
import { parsePackageSpec, resolveSelection } from '../../../shared/catalog/resolve';
import { FerryError } from '../../../shared/errors';
import { withoutCacheFlags } from '../../../electron/engine/catalog/filtered-image';
import { buildLayer } from '../../../electron/engine/image-files/build-layer';
import { catalogObjects } from '../../support/catalog';

// The filter follows operator-registry alpha/declcfg/filter/config/v1alpha1/filter.go; the writer alpha/declcfg/write.go.
const objects = catalogObjects('v1');

function build(objs: unknown[]): Catalog {
  const b = new CatalogBuilder();
  for (const o of objs) b.add(o, 'test');
  return b.finish();
}

const v1 = build(objects);
const select = (catalog: Catalog, specs: string[], withDependencies = false) => catalogFilter(catalog, resolveSelection(catalog, specs.map(parsePackageSpec), { withDependencies }));

describe('filtered catalog content', () => {
  it('keeps the selected packages, the channels gone through and the chosen bundles in channel order', () => {
    const kept = select(v1, ['ferry-database:stable@1.1.0..1.2.0', 'ferry-backup'], true);
    assert.deepEqual(
      kept.map((p) => [p.name, p.defaultChannel, p.channels]),
      [
        ['ferry-backup', 'stable', [{ name: 'stable', bundles: ['ferry-backup.v2.1.0'] }]],
        ['ferry-database', 'stable', [{ name: 'stable', bundles: ['ferry-database.v1.1.0', 'ferry-database.v1.1.1', 'ferry-database.v1.2.0'] }]],
        ['ferry-storage', 'stable', [{ name: 'stable', bundles: ['ferry-storage.v0.9.0'] }]],
      ],
    );
  });

  it('a default channel the selection drops is replaced by the kept channel with the newest head', () => {
    const [db] = select(v1, ['ferry-database:fast']);
    assert.equal(db!.defaultChannel, 'fast');
    assert.equal(db!.replacedDefaultChannel, 'stable');
  });

  it('objects: the package, channels trimmed to kept entries, whole bundles, deprecations of what is kept only', () => {
    const filter = new Map(select(v1, ['ferry-database:stable@1.0.0..1.1.0']).map((p) => [p.name, p]));
    const kept = objects.filter((o) => keepsMeta(filter, o));
    const out = filteredObjects(filter.get('ferry-database')!, kept);
    assert.deepEqual(out.map((o) => `${o.schema} ${String(o.name ?? o.package)}`), [
      'olm.package ferry-database',
      'olm.channel stable',
      'olm.bundle ferry-database.v1.0.0',
      'olm.bundle ferry-database.v1.1.0',
      'olm.deprecations ferry-database',
    ]);
    assert.deepEqual((out[1]!.entries as Array<{ name: string; replaces?: string }>).map((e) => [e.name, e.replaces]), [
      ['ferry-database.v1.0.0', undefined],
      ['ferry-database.v1.1.0', 'ferry-database.v1.0.0'],
    ]);
    // The bundle objects travel whole: bundle manifests included.
    const source = objects.find((o) => (o as { name?: string }).name === 'ferry-database.v1.1.0');
    assert.deepEqual(out[3], source);
    // Without 1.0.0 its deprecation goes too, and with no entry left the object does.
    const without = new Map(select(v1, ['ferry-database:stable@1.1.0..1.2.0']).map((p) => [p.name, p]));
    assert.ok(!filteredObjects(without.get('ferry-database')!, objects.filter((o) => keepsMeta(without, o))).some((o) => o.schema === 'olm.deprecations'));
    // opm's JSON: four-space indent, one object after another.
    assert.match(fbcJson(out.slice(0, 1)), /^\{\n {4}"schema": "olm\.package",/);
  });

  it('bundles that would leave a channel with two heads (a stranded bundle) are refused', () => {
    const catalog = build([
      { schema: 'olm.package', name: 'p', defaultChannel: 'c' },
      {
        schema: 'olm.channel',
        package: 'p',
        name: 'c',
        entries: [{ name: 'p.v1.0.0' }, { name: 'p.v1.0.5', replaces: 'p.v1.0.0' }, { name: 'p.v1.1.0', replaces: 'p.v1.0.0' }, { name: 'p.v1.2.0', replaces: 'p.v1.1.0', skips: ['p.v1.0.5'] }],
      },
      ...['1.0.0', '1.0.5', '1.1.0', '1.2.0'].map((v) => ({ schema: 'olm.bundle', package: 'p', name: `p.v${v}`, image: `img/p:${v}`, properties: [{ type: 'olm.package', value: { packageName: 'p', version: v } }] })),
    ]);
    assert.throws(
      () => select(catalog, ['p@1.0.5..1.1.0']),
      (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && /several heads \(p\.v1\.0\.5, p\.v1\.1\.0\)/.test(e.message) && /narrow the version range/.test(e.hint ?? ''),
    );
  });

  it('bundles a kept head would no longer reach by replaces or skips are refused, as opm refuses stranded bundles', () => {
    // 1.2.0 replaces 0.9.0 (outside the range) and skips 1.1.0; 1.1.0 replaces 1.0.0: without 0.9.0, 1.0.0 is stranded.
    const catalog = build([
      { schema: 'olm.package', name: 'p', defaultChannel: 'c' },
      {
        schema: 'olm.channel',
        package: 'p',
        name: 'c',
        entries: [{ name: 'p.v1.0.0' }, { name: 'p.v1.1.0', replaces: 'p.v1.0.0' }, { name: 'p.v0.9.0', replaces: 'p.v1.1.0' }, { name: 'p.v1.2.0', replaces: 'p.v0.9.0', skips: ['p.v1.1.0'] }],
      },
      ...['1.0.0', '1.1.0', '0.9.0', '1.2.0'].map((v) => ({ schema: 'olm.bundle', package: 'p', name: `p.v${v}`, image: `img/p:${v}`, properties: [{ type: 'olm.package', value: { packageName: 'p', version: v } }] })),
    ]);
    assert.throws(
      () => select(catalog, ['p@1.0.0..1.2.0']),
      (e: unknown) => e instanceof FerryError && /no longer reaches by replaces or skips: p\.v1\.0\.0\./.test(e.message),
    );
    assert.deepEqual(select(catalog, ['p@0.9.0..1.2.0'])[0]!.channels[0]!.bundles, ['p.v1.0.0', 'p.v1.1.0', 'p.v0.9.0', 'p.v1.2.0']);
  });
});

describe('filtered catalog image parts', () => {
  it('the command loses opm cache flags in both spellings; the cache directory is named', () => {
    assert.deepEqual(withoutCacheFlags(['serve', '/configs', '--cache-dir=/tmp/cache']), { cmd: ['serve', '/configs'], cacheDir: '/tmp/cache' });
    assert.deepEqual(withoutCacheFlags(['serve', '/configs', '--cache-dir', '/var/cache', '--cache-only', '--cache-enforce-integrity=true', '--port', '50051']), {
      cmd: ['serve', '/configs', '--port', '50051'],
      cacheDir: '/var/cache',
    });
    assert.deepEqual(withoutCacheFlags(['serve', '/configs']), { cmd: ['serve', '/configs'] });
  });

  it('layers are deterministic whatever the entry order, and gzip carries no time and no OS', async () => {
    const a = await buildLayer([
      { path: 'configs/', type: 'directory' },
      { path: 'configs/p/catalog.json', type: 'file', content: Buffer.from('{}\n') },
    ]);
    const b = await buildLayer([
      { path: 'configs/p/catalog.json', type: 'file', content: Buffer.from('{}\n') },
      { path: 'configs/', type: 'directory' },
    ]);
    assert.equal(a.digest, b.digest);
    assert.deepEqual([...a.blob.subarray(4, 8)], [0, 0, 0, 0]);
    assert.equal(a.blob[9], 0xff);
    assert.notEqual(a.diffId, a.digest);
    const tar = gunzipSync(a.blob);
    assert.equal(tar.subarray(0, 8).toString(), 'configs/');
    const other = await buildLayer([{ path: 'configs/p/catalog.json', type: 'file', content: Buffer.from('{ }\n') }]);
    assert.notEqual(other.digest, a.digest);
  });
});
