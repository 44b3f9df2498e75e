import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatalogBuilder, channelBundles, channelHead, type Catalog } from '../../../shared/catalog/model';
import { parsePackageSpec, resolveSelection, type Resolution } from '../../../shared/catalog/resolve';
import { FerryError } from '../../../shared/errors';
import { catalogObjects, FAKE_IMAGES } from '../../support/catalog';

function build(objects: unknown[]): Catalog {
  const b = new CatalogBuilder();
  for (const o of objects) b.add(o, 'test');
  return b.finish();
}

const v1 = build(catalogObjects('v1'));
const v2 = build(catalogObjects('v2'));
const names = (r: Resolution): string[] => r.bundles.map((b) => b.name);

/** A one-package catalog with the given channel entries and bundle versions (name `p.vX`). */
function tiny(entries: Array<{ v: string; replaces?: string; skips?: string[]; skipRange?: string }>): Catalog {
  return build([
    { schema: 'olm.package', name: 'p', defaultChannel: 'c' },
    {
      schema: 'olm.channel',
      package: 'p',
      name: 'c',
      entries: entries.map((e) => ({ name: `p.v${e.v}`, ...(e.replaces ? { replaces: `p.v${e.replaces}` } : {}), ...(e.skips ? { skips: e.skips.map((s) => `p.v${s}`) } : {}), ...(e.skipRange ? { skipRange: e.skipRange } : {}) })),
    },
    ...entries.map((e) => ({ schema: 'olm.bundle', package: 'p', name: `p.v${e.v}`, image: `img/p:${e.v}`, properties: [{ type: 'olm.package', value: { packageName: 'p', version: e.v } }] })),
  ]);
}

describe('catalog model (operator-registry declcfg → model)', () => {
  it('keeps packages, channels, bundles and deprecations, and drops bundle objects', () => {
    assert.deepEqual(Object.keys(v1.packages), ['ferry-backup', 'ferry-database', 'ferry-legacy', 'ferry-storage']);
    const db = v1.packages['ferry-database']!;
    assert.equal(db.defaultChannel, 'stable');
    assert.deepEqual(Object.keys(db.channels), ['fast', 'stable']);
    const b = db.bundles['ferry-database.v1.2.0']!;
    assert.equal(b.version, '1.2.0');
    assert.equal(b.image, FAKE_IMAGES.bundle('ferry-database', '1.2.0'));
    assert.deepEqual(b.provides, [{ group: 'database.ferry.example', version: 'v1', kind: 'Database' }]);
    assert.deepEqual(b.relatedImages.map((r) => r.image), [FAKE_IMAGES.operand('postgres'), FAKE_IMAGES.bundle('ferry-database', '1.2.0'), FAKE_IMAGES.operator('ferry-database', '1.2.0')]);
    assert.equal(JSON.stringify(b).includes('olm.bundle.object'), false);
    assert.deepEqual(v1.packages['ferry-legacy']!.deprecations.map((d) => d.schema), ['olm.package', 'olm.channel']);
  });

  it('finds the channel head as model.Channel.Head does: the one entry nothing replaces or skips', () => {
    const db = v1.packages['ferry-database']!;
    assert.equal(channelHead('ferry-database', db.channels.stable!), 'ferry-database.v1.2.0');
    assert.equal(channelHead('ferry-database', db.channels.fast!), 'ferry-database.v1.3.0');
    assert.equal(channelHead('ferry-database', v2.packages['ferry-database']!.channels.fast!), 'ferry-database.v1.4.0');
    assert.deepEqual(channelBundles(db, 'stable').map((b) => b.version), ['1.2.0', '1.1.1', '1.1.0', '1.0.0']);
    const twoHeads = tiny([{ v: '1.0.0' }, { v: '1.1.0' }]);
    assert.throws(() => channelHead('p', twoHeads.packages.p!.channels.c!), /several heads \(p\.v1\.0\.0, p\.v1\.1\.0\)/);
  });

  it('refuses FBC whose references do not hold, naming what is wrong', () => {
    const bad = (objects: unknown[], pattern: RegExp): void => {
      assert.throws(() => build(objects), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && pattern.test(e.message));
    };
    const pkg = { schema: 'olm.package', name: 'p', defaultChannel: 'c' };
    bad([pkg], /default channel "c" does not exist/);
    bad([pkg, { schema: 'olm.channel', package: 'p', name: 'c', entries: [{ name: 'p.v1' }] }], /names bundle "p.v1", which the package does not have/);
    bad([{ schema: 'olm.channel', package: 'q', name: 'c', entries: [] }], /names package "q", which has no olm.package/);
    bad([pkg, { schema: 'olm.bundle', package: 'p', name: 'p.v1', image: 'x', properties: [] }], /exactly one olm.package property/);
    bad([pkg, pkg], /declared twice/);
    bad([{ name: 'no schema' }], /has no schema/);
  });

  it('ignores objects of other schemas, as declcfg keeps them aside', () => {
    const c = build([...catalogObjects('v1'), { schema: 'example.custom', package: 'ferry-database', data: 1 }]);
    assert.deepEqual(Object.keys(c.packages), Object.keys(v1.packages));
  });
});

describe('resolving a selection along the channel upgrade graph', () => {
  it('without a range takes the channel head only', () => {
    assert.deepEqual(names(resolveSelection(v1, [{ package: 'ferry-database' }])), ['ferry-database.v1.2.0']);
    assert.deepEqual(names(resolveSelection(v1, [{ package: 'ferry-database', channel: 'fast' }])), ['ferry-database.v1.3.0']);
  });

  it('with only a maximum takes the newest bundle at or below it', () => {
    assert.deepEqual(names(resolveSelection(v1, [{ package: 'ferry-database', maxVersion: '1.1.5' }])), ['ferry-database.v1.1.1']);
  });

  it('with a range takes every bundle in it; replaces and skips give each a path to the newest', () => {
    const r = resolveSelection(v1, [{ package: 'ferry-database', minVersion: '1.1.0', maxVersion: '1.2.0' }]);
    assert.deepEqual(names(r), ['ferry-database.v1.1.0', 'ferry-database.v1.1.1', 'ferry-database.v1.2.0']);
    assert.deepEqual(r.stranded, []);
    assert.ok(r.bundles.every((b) => b.reason === 'selected' && b.channels.join() === 'stable'));
  });

  it('follows skipRange: in fast, 1.3.0 upgrades any 1.0.0 <= v < 1.3.0 directly', () => {
    // fast holds 1.2.0 and 1.3.0; 1.2.0 reaches 1.3.0 by replaces and by skipRange alike.
    const r = resolveSelection(v2, [{ package: 'ferry-database', channel: 'fast', minVersion: '1.2.0' }]);
    assert.deepEqual(names(r), ['ferry-database.v1.2.0', 'ferry-database.v1.3.0', 'ferry-database.v1.4.0']);
    // 1.0.0 is skipped by 1.3.0 only (above the range); 1.2.0's skipRange is its one way to the range's newest.
    const viaRange = tiny([{ v: '1.0.0' }, { v: '1.1.0' }, { v: '1.2.0', replaces: '1.1.0', skipRange: '>=1.0.0 <1.1.0' }, { v: '1.3.0', replaces: '1.2.0', skips: ['1.0.0'] }]);
    const r2 = resolveSelection(viaRange, [{ package: 'p', minVersion: '1.0.0', maxVersion: '1.2.0' }]);
    assert.deepEqual(r2.stranded, []);
    assert.deepEqual(names(r2), ['p.v1.0.0', 'p.v1.1.0', 'p.v1.2.0']);
  });

  it('adds bundles outside the range that lie on the only upgrade path, and reports bundles with none as stranded', () => {
    // A respin with a lower version: 1.1.0 → 1.0.5 → 1.2.0.
    const respin = tiny([{ v: '1.1.0' }, { v: '1.0.5', replaces: '1.1.0' }, { v: '1.2.0', replaces: '1.0.5' }]);
    const r = resolveSelection(respin, [{ package: 'p', minVersion: '1.1.0', maxVersion: '1.2.0' }]);
    assert.deepEqual(r.bundles.map((b) => [b.name, b.reason]), [
      ['p.v1.0.5', 'upgrade-path'],
      ['p.v1.1.0', 'selected'],
      ['p.v1.2.0', 'selected'],
    ]);
    // 1.0.0 is only skipped by 1.3.0, above the range's newest (1.2.0): a cluster on it cannot upgrade within the mirror.
    const c = tiny([{ v: '1.0.0' }, { v: '1.1.0' }, { v: '1.2.0', replaces: '1.1.0' }, { v: '1.3.0', replaces: '1.2.0', skips: ['1.0.0'] }]);
    const s = resolveSelection(c, [{ package: 'p', minVersion: '1.0.0', maxVersion: '1.2.0' }]);
    assert.deepEqual(s.stranded, [{ package: 'p', channel: 'c', bundle: 'p.v1.0.0', version: '1.0.0', target: 'p.v1.2.0' }]);
  });

  it('lists each image once: bundle images, operator and operand images', () => {
    const r = resolveSelection(v1, [{ package: 'ferry-database', minVersion: '1.1.0', maxVersion: '1.2.0' }]);
    const expected = new Set([FAKE_IMAGES.operand('postgres'), ...['1.1.0', '1.1.1', '1.2.0'].flatMap((v) => [FAKE_IMAGES.bundle('ferry-database', v), FAKE_IMAGES.operator('ferry-database', v)])]);
    assert.deepEqual(r.images, [...expected].sort());
  });

  it('reports deprecations that apply to what was chosen', () => {
    const r = resolveSelection(v1, [{ package: 'ferry-database', minVersion: '1.0.0', maxVersion: '1.1.0' }, { package: 'ferry-legacy' }]);
    assert.deepEqual(
      r.deprecations.map((d) => [d.package, d.channel, d.bundle]),
      [
        ['ferry-database', undefined, 'ferry-database.v1.0.0'],
        ['ferry-legacy', undefined, undefined],
        ['ferry-legacy', 'alpha', undefined],
      ],
    );
  });

  it('refuses unknown packages, channels and empty ranges', () => {
    assert.throws(() => resolveSelection(v1, [{ package: 'nope' }]), /no package "nope"/);
    assert.throws(() => resolveSelection(v1, [{ package: 'ferry-database', channel: 'beta' }]), /no channel "beta".*/);
    assert.throws(() => resolveSelection(v1, [{ package: 'ferry-database', minVersion: '3.0.0' }]), /no bundle in 3\.0\.0\.\./);
    assert.throws(() => resolveSelection(v1, [{ package: 'ferry-database', minVersion: '1.2.0', maxVersion: '1.1.0' }]), /is empty/);
  });
});

describe('dependency preflight', () => {
  it('reports package and GVK requirements the selection lacks, with the bundles that provide them', () => {
    const r = resolveSelection(v1, [{ package: 'ferry-backup' }]);
    assert.deepEqual(names(r), ['ferry-backup.v2.1.0']);
    assert.deepEqual(
      r.missing.map((m) => [m.requiredBy, m.requirement.kind, m.providers.map((p) => p.bundle)]),
      [
        // Providers in OLM's order of preference: default channel first, head first, then other channels.
        ['ferry-backup/ferry-backup.v2.1.0', 'package', ['ferry-database.v1.2.0', 'ferry-database.v1.1.1', 'ferry-database.v1.1.0', 'ferry-database.v1.3.0']],
        ['ferry-backup/ferry-backup.v2.1.0', 'gvk', ['ferry-storage.v0.9.0']],
      ],
    );
  });

  it('counts a selected bundle in the version range as meeting a package requirement, one outside it not', () => {
    const within = resolveSelection(v1, [{ package: 'ferry-backup' }, { package: 'ferry-database', maxVersion: '1.1.0' }, { package: 'ferry-storage' }]);
    assert.deepEqual(within.missing, []);
    const below = resolveSelection(v1, [{ package: 'ferry-backup' }, { package: 'ferry-database', maxVersion: '1.0.0' }, { package: 'ferry-storage' }]);
    assert.deepEqual(below.missing.map((m) => m.requirement), [{ kind: 'package', packageName: 'ferry-database', versionRange: '>=1.1.0 <2.0.0' }]);
  });

  it('with withDependencies adds the preferred provider of each, and says what for', () => {
    const r = resolveSelection(v1, [{ package: 'ferry-backup' }], { withDependencies: true });
    assert.deepEqual(r.missing, []);
    assert.deepEqual(r.bundles.map((b) => [b.name, b.reason, b.channels.join()]), [
      ['ferry-backup.v2.1.0', 'selected', 'stable'],
      ['ferry-database.v1.2.0', 'dependency', 'stable'],
      ['ferry-storage.v0.9.0', 'dependency', 'stable'],
    ]);
    assert.deepEqual(r.bundles[2]!.satisfies, [{ requiredBy: 'ferry-backup/ferry-backup.v2.1.0', requirement: { kind: 'gvk', gvk: { group: 'storage.ferry.example', version: 'v1alpha1', kind: 'Bucket' } } }]);
  });

  it('keeps requirements nothing in the catalog provides as missing even with withDependencies', () => {
    const c = build([
      { schema: 'olm.package', name: 'p', defaultChannel: 'c' },
      { schema: 'olm.channel', package: 'p', name: 'c', entries: [{ name: 'p.v1.0.0' }] },
      { schema: 'olm.bundle', package: 'p', name: 'p.v1.0.0', image: 'i', properties: [{ type: 'olm.package', value: { packageName: 'p', version: '1.0.0' } }, { type: 'olm.gvk.required', value: { group: 'g', version: 'v1', kind: 'K' } }] },
    ]);
    const r = resolveSelection(c, [{ package: 'p' }], { withDependencies: true });
    assert.deepEqual(r.missing.map((m) => m.providers), [[]]);
  });
});

describe('olm.constraint properties', () => {
  const withConstraints = (constraints: unknown[]): Catalog =>
    build([
      ...catalogObjects('v1'),
      { schema: 'olm.package', name: 'c', defaultChannel: 's' },
      { schema: 'olm.channel', package: 'c', name: 's', entries: [{ name: 'c.v1.0.0' }] },
      { schema: 'olm.bundle', package: 'c', name: 'c.v1.0.0', image: 'i', properties: [{ type: 'olm.package', value: { packageName: 'c', version: '1.0.0' } }, ...constraints.map((value) => ({ type: 'olm.constraint', value }))] },
    ]);

  it('treats a top-level gvk or package constraint as the same requirement as olm.gvk.required / olm.package.required', () => {
    const c = withConstraints([
      { failureMessage: 'needs buckets', gvk: { group: 'storage.ferry.example', version: 'v1alpha1', kind: 'Bucket' } },
      { failureMessage: 'needs a database', package: { packageName: 'ferry-database', versionRange: '>=1.3.0' } },
    ]);
    const r = resolveSelection(c, [{ package: 'c' }]);
    assert.deepEqual(r.missing.map((m) => [m.requirement.kind, m.providers.map((p) => p.bundle)]), [
      ['package', ['ferry-database.v1.3.0']],
      ['gvk', ['ferry-storage.v0.9.0']],
    ]);
    assert.deepEqual(resolveSelection(c, [{ package: 'c' }], { withDependencies: true }).missing, []);
  });

  it('lists compound and CEL constraints as not checked rather than passing them silently', () => {
    const c = withConstraints([{ failureMessage: 'one of these APIs', any: { constraints: [{ gvk: { group: 'g', version: 'v1', kind: 'K' } }] } }, { cel: { rule: 'true' } }]);
    const r = resolveSelection(c, [{ package: 'c' }]);
    assert.deepEqual(r.unevaluated, [
      { bundle: 'c/c.v1.0.0', constraint: 'any constraint: one of these APIs' },
      { bundle: 'c/c.v1.0.0', constraint: 'cel constraint' },
    ]);
    assert.deepEqual(r.missing, []);
  });
});

describe('package selection syntax NAME[:CHANNEL][@MIN..MAX]', () => {
  it('parses every form', () => {
    assert.deepEqual(parsePackageSpec('ferry-database'), { package: 'ferry-database' });
    assert.deepEqual(parsePackageSpec('ferry-database:fast'), { package: 'ferry-database', channel: 'fast' });
    assert.deepEqual(parsePackageSpec('db:stable@1.1.0..1.2.0'), { package: 'db', channel: 'stable', minVersion: '1.1.0', maxVersion: '1.2.0' });
    assert.deepEqual(parsePackageSpec('db@v1.1.0..'), { package: 'db', minVersion: '1.1.0' });
    assert.deepEqual(parsePackageSpec('db@..1.2.0'), { package: 'db', maxVersion: '1.2.0' });
    assert.deepEqual(parsePackageSpec('db@1.2.0'), { package: 'db', minVersion: '1.2.0', maxVersion: '1.2.0' });
  });

  it('refuses malformed selections as usage errors', () => {
    for (const bad of ['', 'db@', 'db@..', 'db@1.0..2.0.0', 'db@1.0.0..2.0.0..3.0.0', 'Db Two', 'db:@1.0.0']) {
      assert.throws(() => parsePackageSpec(bad), (e: unknown) => e instanceof FerryError && e.code === 'USAGE', bad);
    }
  });
});
