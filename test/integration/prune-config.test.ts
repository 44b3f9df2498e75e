import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PrunePlan, PruneResult } from '../../electron/engine/transfer/prune';
import { pushCatalog, type PushedCatalog } from '../support/catalog';
import { ferry, worldFlags } from '../support/cli';
import { pushFixtures, type Fixtures } from '../support/images';
import { pushRelease } from '../support/release';
import { pushCosignSignature, type PushedArtifact } from '../support/signature-artifacts';
import { mirrorAndPush, pushedManifests, type PushedTransfer } from '../support/pushed-transfer';
import { tempDir } from '../support/tmp';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

const release = (v: string) => `quay.io/openshift-release-dev/ocp-release:${v}-x86_64`;

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Issue 19 point 4, "and from a config": `ferry prune --config imageset.yaml` on the disconnected side, where no
 * update graph and no source registry answer. 4.15.3 (with a catalog selection of two packages and one extra image)
 * and then 4.15.4 (one package, another extra image) are pushed into one namespace; an ImageSetConfiguration whose
 * channel starts at 4.15.4, with the 4.15.4 transfer's package and extra image, resolved against the mirror alone,
 * must plan exactly what the receipts-only prune plans (what only 4.15.3 needed), and delete just that.
 */
describe('ferry prune --config: keep what an ImageSetConfiguration selects, resolved against the mirror', () => {
  let world: TestWorld;
  let work: { path: string; cleanup(): Promise<void> };
  let mirror: string;
  let catalog: PushedCatalog;
  let fixtures: Fixtures;
  /** cosign signatures of the extra images, beside them in the source: they travel with them. */
  let sigOld: PushedArtifact;
  let sigNew: PushedArtifact;
  let old: PushedTransfer;
  let kept: PushedTransfer;
  let receiptPlan: PrunePlan;
  const dir = (name: string) => join(work.path, name);
  const extraOld = () => fixtures.oci.ref;
  const extraNew = () => fixtures.schema2.ref;

  const carry = (version: string, more: string[]) =>
    mirrorAndPush(
      world,
      ['--release', release(version), ...more, '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`, '--no-release-signatures'],
      dir(version),
      mirror,
    );

  const imageset = (mirrorPart: string) => `kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
mirror:
${mirrorPart}`;
  const platform = (channel: string) => `  platform:
    channels:
    - name: stable-4.15
${channel}`;
  const operators = () => `  operators:
  - catalog: ${catalog.ref}
    packages:
    - name: ferry-database
`;
  const additional = (...names: string[]) => `  additionalImages:\n${names.map((n) => `  - name: ${n}\n`).join('')}`;
  const file = async (name: string, text: string) => {
    await writeFile(dir(name), text);
    return dir(name);
  };
  const prune = (...args: string[]) => ferry(['prune', '--mirror', mirror, ...args, ...worldFlags(world)]);
  const planOf = async (...args: string[]): Promise<PrunePlan> => {
    const r = await prune(...args, '--json');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return (JSON.parse(r.stdout) as { plan: PrunePlan }).plan;
  };
  const planned = (p: PrunePlan) => p.manifests.map((m) => `${m.repository}@${m.digest}`).sort();
  const present = async (at: string) => skopeo(world, ['inspect', '--raw', `docker://${world.mirror.host}/${at}`]).then(() => true, () => false);

  before(async () => {
    world = await startTestWorld();
    work = tempDir('ferry-prune-config-');
    mirror = `${world.mirror.host}/ocp4`;
    await pushRelease(world, '4.15.3');
    await pushRelease(world, '4.15.4');
    catalog = await pushCatalog(world, 'v1');
    fixtures = await pushFixtures(world);
    sigOld = await pushCosignSignature(world, `${world.source.host}/ferry/oci`, { digest: fixtures.oci.digest, reference: fixtures.oci.ref }, work.path);
    sigNew = await pushCosignSignature(world, `${world.source.host}/ferry/schema2`, { digest: fixtures.schema2.digest, reference: fixtures.schema2.ref }, work.path);
    old = await carry('4.15.3', ['--catalog', catalog.ref, '--package', 'ferry-database', '--package', 'ferry-storage', '--image', extraOld()]);
    kept = await carry('4.15.4', ['--catalog', catalog.ref, '--package', 'ferry-database', '--image', extraNew()]);
    receiptPlan = await planOf('--keep', join(dir('4.15.4'), 'receipt.json'));
  });
  after(async () => {
    await world?.stop();
    await work?.cleanup();
  });

  it('a channel from 4.15.4, the catalog and the extra image plan exactly what the receipts-only prune plans', async () => {
    const keptSet = new Set([...kept.receipt.blobs, ...kept.receipt.images.map((i) => i.digest)]);
    const onlyOld = [...pushedManifests(old)].filter((at) => !keptSet.has(at.slice(at.indexOf('@') + 1))).sort();
    assert.ok(onlyOld.some((at) => at.startsWith('ocp4/ocp-release@')), 'the 4.15.3 release image is only 4.15.3\'s');
    assert.ok(onlyOld.includes(`ocp4/ferry/oci@${fixtures.oci.digest}`), 'the 4.15.3 extra image is only 4.15.3\'s');
    // Prune examines tags: what only 4.15.3 needed and the receipts-only plan leaves is untagged catalog content
    // (pushed by digest; the old filtered catalog lost its tag to the new one), which no prune deletes.
    assert.ok(planned(receiptPlan).every((at) => onlyOld.includes(at)), 'the receipts-only plan is what only 4.15.3 needed');
    assert.ok(planned(receiptPlan).includes(`ocp4/ferry/oci@${fixtures.oci.digest}`) && planned(receiptPlan).some((at) => at.startsWith('ocp4/ocp-release@')));
    const left = onlyOld.filter((at) => !planned(receiptPlan).includes(at));
    assert.ok(left.every((at) => /^ocp4\/ferry-(catalogs|bundles|operators|operands)\//.test(at)), left.join(', '));

    const path = await file('from-4.15.4.yaml', imageset(`${platform('      minVersion: 4.15.4\n')}${operators()}${additional(extraNew())}`));
    const plan = await planOf('--config', path);
    assert.deepEqual(planned(plan), planned(receiptPlan));
    assert.equal(plan.bytes, receiptPlan.bytes);
    // The file names images, not their signatures: the one beside a kept image stays, the one beside a pruned image goes.
    assert.ok(planned(plan).includes(`ocp4/ferry/oci@${sigOld.digest}`));
    assert.ok(!planned(plan).includes(`ocp4/ferry/schema2@${sigNew.digest}`));
    const config = plan.config!;
    assert.deepEqual(config.missing, []);
    assert.deepEqual(config.releases.map((r) => `${r.version}-${r.arch}`), ['4.15.4-x86_64']);
    assert.equal(config.releases[0]!.image, kept.receipt.images.find((i) => i.role === 'release')!.mirror);
    assert.equal(config.releases[0]!.components, kept.receipt.images.filter((i) => i.role === 'component').length);
    const filtered = kept.manifest.catalogs![0]!.filtered;
    assert.deepEqual(config.catalogs.map((c) => c.image), [`${world.mirror.host}/ocp4/ferry-catalogs/operator-index@${filtered.digest}`]);
    assert.deepEqual(config.catalogs[0]!.bundles, kept.manifest.catalogs![0]!.bundles.map((b) => `${b.package} ${b.version}`));
    assert.deepEqual(config.additional.map((a) => a.source), [extraNew()]);
    assert.match(config.notes.join('\n'), /open end of a channel range runs to the newest/);

    const both = await planOf('--keep', join(dir('4.15.3'), 'receipt.json'), '--config', path);
    assert.deepEqual(planned(both), [], 'with the 4.15.3 receipt kept as well, what either keeps stays: nothing to delete');

    const text = await prune('--config', path);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /release 4\.15\.4-x86_64 \(stable-4\.15\)/);
    assert.match(text.stdout, new RegExp(`${receiptPlan.manifests.length} manifest\\(s\\) nothing kept needs`));
  });

  it('what the file no longer names is planned for deletion: the extra image and the filtered catalog', async () => {
    const path = await file('release-only.yaml', imageset(platform('      minVersion: 4.15.4\n')));
    const plan = await planOf('--config', path);
    const filtered = kept.manifest.catalogs![0]!.filtered.digest;
    const more = planned(plan).filter((at) => !planned(receiptPlan).includes(at));
    assert.ok(planned(receiptPlan).every((at) => planned(plan).includes(at)));
    assert.ok(more.includes(`ocp4/ferry/schema2@${fixtures.schema2.digest}`), more.join(', '));
    assert.ok(more.includes(`ocp4/ferry-catalogs/operator-index@${filtered}`), more.join(', '));
    assert.ok(!more.some((at) => at.startsWith('ocp4/ocp-release@') || at.startsWith('ocp4/ocp-v4.0-art-dev@')), 'no release content beyond 4.15.3\'s');
  });

  it('without the graph: heads only keeps every 4.15 release the mirror holds, shortestPath keeps the whole range, and says so', async () => {
    for (const [name, channel, note] of [
      ['heads.yaml', '', /every release of its minor the mirror holds/],
      ['shortest.yaml', '      minVersion: 4.15.3\n      maxVersion: 4.15.4\n      shortestPath: true\n', /shortestPath is kept as the whole range: the update graph is not reachable here/],
    ] as const) {
      const plan = await planOf('--config', await file(name, imageset(platform(channel))));
      assert.deepEqual(plan.config!.releases.map((r) => r.version).sort(), ['4.15.3', '4.15.4'], name);
      assert.ok(!planned(plan).some((at) => at.startsWith('ocp4/ocp-release@') || at.startsWith('ocp4/ocp-v4.0-art-dev@')), name);
      assert.match(plan.config!.notes.join('\n'), note);
    }
  });

  it('reports what the file selects and the mirror lacks, without failing', async () => {
    const missingImage = `${world.source.host}/ferry/never-pushed:v9`;
    // ferry-backup was never carried: the filtered catalog in the mirror has no such package.
    const path = await file('lacking.yaml', imageset(`${platform('      minVersion: 4.15.4\n      maxVersion: 4.15.9\n')}${operators()}    - name: ferry-backup\n${additional(extraNew(), missingImage)}`));
    const r = await prune('--config', path);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /selects 3 thing\(s\) the mirror does not hold/);
    assert.match(r.stdout, new RegExp(`ferry-backup in ${literal(catalog.ref)}: The catalog has no package "ferry-backup"`));
    assert.match(r.stdout, new RegExp(`image ${literal(missingImage)}: .*ocp4/ferry/never-pushed:v9 is not in the mirror`));
    assert.match(r.stdout, /release 4\.15\.9-x86_64 \(stable-4\.15\): .*ocp-release:4\.15\.9-x86_64 is not in the mirror/);
    const plan = await planOf('--config', path);
    assert.equal(plan.config!.missing.length, 3);
    assert.deepEqual(plan.config!.catalogs[0]!.bundles, kept.manifest.catalogs![0]!.bundles.map((b) => `${b.package} ${b.version}`), 'the package the mirror holds is still kept');
    assert.deepEqual(plan.config!.releases.map((r) => r.version), ['4.15.4'], 'what the mirror holds of the range is kept');
    assert.ok(!planned(plan).includes(`ocp4/ferry/schema2@${fixtures.schema2.digest}`), 'the extra image the mirror holds is kept');
  });

  it('refuses an unsupported field with its line (exit 2), and a prune with nothing to keep', async () => {
    const path = await file('helm.yaml', `${imageset(platform('      minVersion: 4.15.4\n'))}  helm:\n    repositories: []\n`);
    const r = await prune('--config', path);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /helm\.yaml:8:3: mirror\.helm: Helm charts are not supported/);
    const none = await prune();
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /--keep receipt\.json .*and\/or --config imageset\.yaml/);
  });

  it('--yes deletes exactly the plan; every 4.15.4 image and the extra image are still pulled whole after garbage collection', async () => {
    const path = await file('yes.yaml', imageset(`${platform('      minVersion: 4.15.4\n')}${operators()}${additional(extraNew())}`));
    const yes = await prune('--config', path, '--yes', '--json');
    assert.equal(yes.code, 0, yes.stderr);
    const result = JSON.parse(yes.stdout) as PruneResult;
    assert.deepEqual(result.deleted.map((m) => `${m.repository}@${m.digest}`).sort(), planned(receiptPlan));
    for (const at of planned(receiptPlan)) assert.equal(await present(at), false, `${at} is gone`);

    // Plain garbage collection (blobs no manifest links): catalog images are pushed by digest, untagged, and
    // --delete-untagged would take those of the kept transfer too, whatever prune did.
    const registry = world.mirror.process;
    await registry.stop();
    const gc = await registry.garbageCollect();
    await registry.start();
    assert.match(gc.stdout + gc.stderr, /blob eligible for deletion|deleting blob/i, 'garbage collection reclaimed the pruned blobs');
    for (const image of kept.receipt.images) {
      await skopeo(world, ['copy', '--all', '--preserve-digests', `docker://${image.mirror}`, `oci:${join(work.path, 'pulled')}:${image.digest.slice(7, 19)}`]);
    }
    assert.ok(kept.receipt.images.some((i) => i.mirror.startsWith(`${world.mirror.host}/ocp4/ferry/schema2@`)), 'the extra image was among them');
    const again = await prune('--config', path);
    assert.match(again.stdout, /Nothing to delete/);
  });
});
