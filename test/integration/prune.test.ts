import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import type { PrunePlan, PruneResult } from '../../electron/engine/transfer/prune';
import { ferry, worldFlags } from '../support/cli';
import { pushRelease } from '../support/release';
import { mirrorAndPush, pushedManifests, type PushedTransfer } from '../support/pushed-transfer';
import { tempDir } from '../support/tmp';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

const release = (v: string) => `quay.io/openshift-release-dev/ocp-release:${v}-x86_64`;

/**
 * Issue 19 point 4 against the real distribution registry: 4.15.3 and then 4.15.4 pushed into one mirror
 * namespace (most components are the same image in both, as in a real z-stream), then pruned keeping only
 * 4.15.4's receipt. The plan must name exactly the manifests only 4.15.3 had; after the deletes and the
 * registry's own garbage collection every 4.15.4 image is still pulled whole and `ferry verify --against`
 * passes. A registry with deletes disabled refuses before anything is touched.
 */
describe('ferry prune: delete what no kept transfer needs', () => {
  let world: TestWorld;
  let work: { path: string; cleanup(): Promise<void> };
  let mirror: string;
  let old: PushedTransfer;
  let kept: PushedTransfer;
  const dir = (name: string) => join(work.path, name);

  const carry = (version: string, name: string) =>
    mirrorAndPush(world, ['--release', release(version), '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`], dir(name), mirror);

  const pruneArgs = (...more: string[]) => ['prune', '--mirror', mirror, '--keep', join(dir('4.15.4'), 'receipt.json'), ...more, ...worldFlags(world)];
  const present = async (at: string) => (await skopeo(world, ['inspect', '--raw', `docker://${world.mirror.host}/${at}`]).then(() => true, () => false));

  before(async () => {
    world = await startTestWorld();
    work = tempDir('ferry-prune-');
    mirror = `${world.mirror.host}/ocp4`;
    await pushRelease(world, '4.15.3');
    await pushRelease(world, '4.15.4');
    old = await carry('4.15.3', '4.15.3');
    kept = await carry('4.15.4', '4.15.4');
  });
  after(async () => {
    await world?.stop();
    await work?.cleanup();
  });

  it('refuses to delete from a registry with deletes disabled, and says why', async () => {
    const registry = world.mirror.process;
    const original = await readFile(registry.configPath, 'utf8');
    const config = parse(original) as { storage: { delete: { enabled: boolean } } };
    config.storage.delete.enabled = false;
    await registry.stop();
    await writeFile(registry.configPath, stringify(config));
    await registry.start();
    try {
      const plan = await ferry(pruneArgs('--json'));
      assert.equal(plan.code, 0, plan.stderr);
      assert.equal((JSON.parse(plan.stdout) as { plan: PrunePlan }).plan.deletes, 'disabled');
      const r = await ferry(pruneArgs('--yes'));
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /does not allow deletes; nothing was deleted/);
      assert.match(r.stderr, /storage\.delete\.enabled/);
      for (const at of pushedManifests(old)) assert.ok(await present(at), `${at} is still there`);
    } finally {
      await registry.stop();
      await writeFile(registry.configPath, original);
      await registry.start();
    }
  });

  it('plans exactly the manifests only 4.15.3 needed, deletes only with --yes, and 4.15.4 survives garbage collection', async () => {
    const keptSet = new Set([...kept.receipt.blobs, ...kept.receipt.images.map((i) => i.digest)]);
    const onlyOld = [...pushedManifests(old)].filter((at) => !keptSet.has(at.slice(at.indexOf('@') + 1))).sort();
    assert.ok(onlyOld.length > 0 && onlyOld.length < pushedManifests(old).size, 'the update changed some images and kept others');

    const dry = await ferry(pruneArgs('--json'));
    assert.equal(dry.code, 0, dry.stderr);
    const { plan } = JSON.parse(dry.stdout) as { plan: PrunePlan };
    assert.equal(plan.listedFrom, 'catalog');
    assert.equal(plan.deletes, 'allowed');
    assert.deepEqual(plan.manifests.map((m) => `${m.repository}@${m.digest}`).sort(), onlyOld);
    // The estimate is the bytes of every blob (manifests included) 4.15.3 carried that 4.15.4 does not use.
    const reclaimable = old.manifest.blobs.filter((b) => !keptSet.has(b.digest)).reduce((n, b) => n + b.size, 0);
    assert.equal(plan.bytes, reclaimable);
    assert.ok(plan.tagsOnKeptImages > 0, 'the 4.15.3 tags on unchanged components stay');
    for (const at of onlyOld) assert.ok(await present(at), `the plan deleted nothing: ${at}`);

    const text = await ferry(pruneArgs());
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`${onlyOld.length} manifest\\(s\\) no kept transfer needs`));
    assert.match(text.stdout, /run again with --yes/);

    const yes = await ferry(pruneArgs('--yes', '--json'));
    assert.equal(yes.code, 0, yes.stderr);
    const result = JSON.parse(yes.stdout) as PruneResult & { garbageCollection: string };
    assert.deepEqual(result.deleted.map((m) => `${m.repository}@${m.digest}`).sort(), onlyOld, 'what was deleted is what the plan showed');
    assert.match(result.garbageCollection, /garbage-collect \/etc\/docker\/registry\/config\.yml`.*do not add --delete-untagged/);
    for (const at of onlyOld) assert.equal(await present(at), false, `${at} is gone`);

    const registry = world.mirror.process;
    await registry.stop();
    const gc = await registry.garbageCollect();
    await registry.start();
    assert.match(gc.stdout + gc.stderr, /blob eligible for deletion|deleting blob/i, 'garbage collection reclaimed the pruned blobs');

    // Every 4.15.4 image is still there whole: its manifests and tags by ferry, its bytes by a full pull.
    const v = await ferry(['verify', '--dir', dir('4.15.4'), '--against', mirror, ...worldFlags(world)]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    for (const image of kept.receipt.images) {
      await skopeo(world, ['copy', '--all', '--preserve-digests', `docker://${image.mirror}`, `oci:${join(work.path, 'pulled')}:${image.digest.slice(7, 19)}`]);
    }

    const again = await ferry(pruneArgs('--yes'));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to delete/);
  });

  it('refuses a receipt of another mirror and a prune with nothing to keep', async () => {
    const other = await ferry(['prune', '--mirror', `${world.mirror.host}/elsewhere`, '--keep', join(dir('4.15.4'), 'receipt.json'), ...worldFlags(world)]);
    assert.equal(other.code, 2, other.stderr);
    assert.match(other.stderr, /is the receipt of a push to .*\/ocp4, not to .*\/elsewhere/);
    const none = await ferry(['prune', '--mirror', mirror, ...worldFlags(world)]);
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /--keep receipt\.json/);
  });
});
