import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalogRequests, packageSpec, planKey, type CatalogChoice } from '../../../renderer/src/journeys';
import { estimate, versionsInRange, type ListedPackage } from '../../../renderer/src/operator-choice';
import { GROUP_KINDS, groupPlan, type PlanImage } from '../../../renderer/src/plan-groups';
import { parsePackageSpec } from '../../../shared/catalog/resolve';

/**
 * The operators step's pure parts: the pick as `ferry mirror --package` reads it, the live estimate, and the
 * plan's catalog group. Versions as test/support/catalog.ts lists ferry-database's stable channel, head first.
 */
const STABLE = ['1.2.0', '1.1.1', '1.1.0', '1.0.0'];

test('a pick becomes NAME:CHANNEL@MIN..MAX, which the resolver reads back as picked', () => {
  const pick = { package: 'ferry-database', channel: 'stable', min: '1.1.0', max: '1.2.0' };
  assert.equal(packageSpec(pick), 'ferry-database:stable@1.1.0..1.2.0');
  assert.deepEqual(parsePackageSpec(packageSpec(pick)), { package: 'ferry-database', channel: 'stable', minVersion: '1.1.0', maxVersion: '1.2.0' });
  assert.deepEqual(parsePackageSpec(packageSpec({ ...pick, min: '' })), { package: 'ferry-database', channel: 'stable', maxVersion: '1.2.0' });
  assert.deepEqual(parsePackageSpec(packageSpec({ ...pick, max: '' })), { package: 'ferry-database', channel: 'stable', minVersion: '1.1.0' });
  assert.equal(packageSpec({ ...pick, min: '', max: '' }), 'ferry-database:stable');
});

test('nothing picked asks for no catalog; a picked catalog changes the plan key', () => {
  const none: CatalogChoice = { ref: 'r.example/cat:v1', packages: [], withDependencies: false };
  assert.deepEqual(catalogRequests(none), []);
  const some: CatalogChoice = { ...none, packages: [{ package: 'ferry-backup', channel: 'stable', min: '', max: '' }] };
  assert.deepEqual(catalogRequests(some), [{ catalog: 'r.example/cat:v1', packages: ['ferry-backup:stable'], withDependencies: false }]);
  const base = { release: '', images: [], toDir: '/m', volumeSize: '4000MiB', since: '', withRegistry: false };
  assert.notEqual(planKey({ ...base, catalog: none }), planKey({ ...base, catalog: some }));
  assert.notEqual(planKey({ ...base, catalog: some }), planKey({ ...base, catalog: { ...some, withDependencies: true } }));
});

test('a range takes the versions the resolver starts from: head, newest at or below, or all inside', () => {
  assert.deepEqual(versionsInRange(STABLE, '', ''), ['1.2.0']);
  assert.deepEqual(versionsInRange(STABLE, '', '1.1.1'), ['1.1.1']);
  assert.deepEqual(versionsInRange(STABLE, '1.1.0', '1.2.0'), ['1.2.0', '1.1.1', '1.1.0']);
  assert.deepEqual(versionsInRange(STABLE, '1.1.0', ''), ['1.2.0', '1.1.1', '1.1.0']);
  assert.deepEqual(versionsInRange(STABLE, '1.3.0', ''), []);
});

test('the estimate sums the picked bundles with their related images, and says when it is only a floor', () => {
  const size = (bytes: number, known = true) => ({ bytes, known });
  const pkg: ListedPackage = {
    name: 'ferry-database',
    defaultChannel: 'stable',
    channels: [{ name: 'stable', head: 'ferry-database.v1.2.0', versions: STABLE }],
    bundles: STABLE.map((v, i) => ({ name: `ferry-database.v${v}`, version: v, bundleImage: size(10), withRelatedImages: size(100 * (i + 1), v !== '1.0.0') })),
  };
  const pick = { package: 'ferry-database', channel: 'stable', min: '1.1.0', max: '1.2.0' };
  assert.deepEqual(estimate(pkg, pick), { versions: ['1.2.0', '1.1.1', '1.1.0'], bytes: 600, known: true });
  assert.equal(estimate(pkg, { ...pick, min: '1.0.0' })!.known, false, 'a lower-bound size makes the sum a lower bound');
  assert.equal(estimate({ ...pkg, bundles: undefined }, pick)!.known, false, 'not sized yet');
  assert.equal(estimate(pkg, { ...pick, channel: 'fast' }), undefined);
});

test('catalog images form their own plan group, ahead of the extra images', () => {
  const img = (source: string, extra: Partial<PlanImage> = {}): PlanImage => ({ source, role: 'extra', digest: `sha256:${'0'.repeat(64)}`, bytes: 5, written: [{ volume: 'ferry-000001.tar', bytes: 5 }], ...extra });
  const groups = groupPlan([img('r.example/tools/debug:1'), img('r.example/ops/db-bundle@sha256:…', { catalog: 'r.example/cat:v1' })], GROUP_KINDS);
  assert.deepEqual(groups.map((g) => [g.kind.id, g.images.length, g.bytes]), [['catalog', 1, 5], ['extra', 1, 5]]);
});
