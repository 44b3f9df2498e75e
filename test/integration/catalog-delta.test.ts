// Issue 18 point 6 with the real CLI and registries: a catalog selection mirrored from catalog v1, pushed, its
// receipt carried back; the same selection from catalog v2 (two new bundles and their operator images)
// `--since` that receipt carries only the new bundles, their images and the new filtered catalog, while its
// transfer.json still describes the whole selection. As oc-mirror v2's incremental mirroring keeps per-image
// history (v2/internal/pkg/history/history.go), Ferry keeps it in the receipt of the push.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { isParentLocation, type TransferManifest } from '../../shared/transfer/manifest';
import type { Receipt } from '../../shared/transfer/receipt';
import { bundleName, jsonStream, mergedFiles, pushCatalog, type PushedCatalog } from '../support/catalog';
import { ferry, worldFlags } from '../support/cli';
import { inBatches, inspectManifest } from '../support/push';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

const SELECTION = ['--package', 'ferry-database:fast@1.2.0..', '--package', 'ferry-backup@2.1.0..', '--with-dependencies'];
// Large enough that the bytes on the media are the new blobs, not tar headers and manifests.
const OPERATOR_BYTES = 512 * 1024;

async function readManifest(dir: string): Promise<TransferManifest> {
  return JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
}

const blobDigests = (m: TransferManifest): Set<string> => new Set(m.blobs.map((b) => b.digest));

describe('operator catalog updates: catalog v2 --since the receipt of v1 carries only what is new', () => {
  let world: TestWorld;
  let v1: PushedCatalog;
  let v2: PushedCatalog;
  let flags: string[];
  let base: TransferManifest;
  let full: TransferManifest;
  let delta: TransferManifest;
  const dir = (name: string): string => join(world.dir, name);
  const mirrorNs = (): string => `${world.mirror.host}/ocp4`;
  const mirrorOf = (ref: string): string => `${mirrorNs()}/${ref.slice(ref.indexOf('/') + 1)}`;
  const newBundles = (): string[] => Object.keys(v2.bundles).filter((b) => !v1.bundles[b]);

  before(async () => {
    world = await startTestWorld();
    v1 = await pushCatalog(world, 'v1', { operatorBytes: OPERATOR_BYTES });
    v2 = await pushCatalog(world, 'v2', { operatorBytes: OPERATOR_BYTES });
    flags = worldFlags(world);
    const m = await ferry(['mirror', '--catalog', v1.ref, ...SELECTION, '--to-dir', dir('v1'), ...flags]);
    assert.equal(m.code, 0, m.stderr);
    base = await readManifest(dir('v1'));
    const p = await ferry(['push', '--from-dir', dir('v1'), '--to', mirrorNs(), '--allow-unsigned', ...flags]);
    assert.equal(p.code, 0, p.stdout + p.stderr);
    // What v2's selection weighs whole, to tell what is new in it from what v1 already carried.
    const f = await ferry(['mirror', '--catalog', v2.ref, ...SELECTION, '--to-dir', dir('v2-full'), ...flags]);
    assert.equal(f.code, 0, f.stderr);
    full = await readManifest(dir('v2-full'));
  });
  after(() => world?.stop());

  test('the fixture: v2 adds ferry-database 1.4.0 and ferry-backup 2.2.0 to the selection', () => {
    assert.deepEqual(newBundles().sort(), [bundleName('ferry-backup', '2.2.0'), bundleName('ferry-database', '1.4.0')]);
    const selected = (m: TransferManifest) => m.catalogs!.flatMap((c) => c.bundles.map((b) => b.name)).sort();
    assert.deepEqual(selected(full).filter((b) => !selected(base).includes(b)), newBundles().sort());
  });

  test('--dry-run says how much of the plan the mirror already holds and how much is new', async () => {
    const since = join(dir('v1'), 'receipt.json');
    const r = await ferry(['mirror', '--catalog', v2.ref, ...SELECTION, '--to-dir', dir('v2-plan'), '--since', since, '--dry-run', '--json', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as { delta: { parent: { id: string }; images: { held: number; new: number }; blobs: { held: number; new: number }; bytes: { held: number; new: number } } };
    const newDigests = [...blobDigests(full)].filter((d) => !blobDigests(base).has(d));
    const newBytes = full.blobs.filter((b) => newDigests.includes(b.digest)).reduce((n, b) => n + b.size, 0);
    assert.equal(plan.delta.parent.id, base.id);
    assert.deepEqual(plan.delta.blobs, { held: full.blobs.length - newDigests.length, new: newDigests.length });
    assert.deepEqual(plan.delta.bytes, { held: full.blobs.reduce((n, b) => n + b.size, 0) - newBytes, new: newBytes });
    const heldImages = full.images.filter((i) => base.images.some((b) => b.digest === i.digest)).length;
    assert.deepEqual(plan.delta.images, { held: heldImages, new: full.images.length - heldImages });

    const text = await ferry(['mirror', '--catalog', v2.ref, ...SELECTION, '--to-dir', dir('v2-plan'), '--since', since, '--dry-run', ...flags]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`Delta since transfer ${base.id}: ${plan.delta.images.new} new image\\(s\\), ${heldImages} already in the mirror; ${newDigests.length} new blob\\(s\\) \\(.+\\) to write, ${plan.delta.blobs.held} held \\(.+\\) recorded, not written`));
  });

  test('mirror --since the receipt: bytes written at most 1.05x the blobs new in v2, the whole selection described', async () => {
    const r = await ferry(['mirror', '--catalog', v2.ref, ...SELECTION, '--to-dir', dir('v2-delta'), '--since', join(dir('v1'), 'receipt.json'), ...flags]);
    assert.equal(r.code, 0, r.stderr);
    delta = await readManifest(dir('v2-delta'));
    assert.equal(delta.parent?.id, base.id);

    const newBlobs = full.blobs.filter((b) => !blobDigests(base).has(b.digest));
    const newBytes = newBlobs.reduce((n, b) => n + b.size, 0);
    const written = delta.volumes.reduce((n, v) => n + v.size, 0);
    assert.ok(newBytes >= 2 * OPERATOR_BYTES, `the two new operator images are new: ${newBytes}`);
    assert.ok(written <= 1.05 * newBytes, `wrote ${written} bytes for ${newBytes} new-blob bytes (ratio ${(written / newBytes).toFixed(3)})`);
    // Every blob of the v2 selection is accounted for: the new ones on the media, the rest taken from the parent.
    const onMedia = new Set(delta.blobs.filter((b) => !isParentLocation(b.location)).map((b) => b.digest));
    assert.deepEqual([...onMedia].sort(), newBlobs.map((b) => b.digest).sort());
    assert.deepEqual([...blobDigests(delta)].sort(), [...blobDigests(full)].sort());

    // transfer.json describes the whole v2 selection (so config kinds and verify --against cover it), not just the new part.
    assert.deepEqual(delta.images.map((i) => `${i.source} ${i.digest}`).sort(), full.images.map((i) => `${i.source} ${i.digest}`).sort());
    assert.deepEqual(delta.catalogs, full.catalogs);
    const catalog = delta.catalogs![0]!;
    assert.equal(catalog.source, v2.ref);
    // The new bundles, their operator images and the new filtered catalog are on the media; unchanged images are not.
    const carried = (source: string) => onMedia.has(delta.images.find((i) => i.source === source)!.digest);
    for (const b of newBundles()) {
      assert.ok(carried(v2.bundles[b]!.image), `bundle ${b} is on the media`);
      for (const ref of v2.bundles[b]!.relatedImages.filter((i) => !base.images.some((x) => x.source === i))) assert.ok(carried(ref), `${ref} of ${b} is on the media`);
    }
    assert.ok(carried(catalog.filtered.source), 'the new filtered catalog is on the media');
    for (const image of base.images.filter((i) => delta.images.some((d) => d.digest === i.digest))) assert.ok(!carried(image.source), `${image.source} is already in the mirror`);

    const v = await ferry(['verify', '--dir', dir('v2-delta')]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  test('push into the mirror holding v1: the new bundles, their images and the v2 filtered catalog arrive; verify --against passes', async () => {
    const p = await ferry(['push', '--from-dir', dir('v2-delta'), '--to', mirrorNs(), '--allow-unsigned', ...flags]);
    assert.equal(p.code, 0, p.stdout + p.stderr);
    const catalog = delta.catalogs![0]!;
    assert.equal((await inspectManifest(world, mirrorOf(v2.ref))).digest, catalog.filtered.digest);
    // v1's filtered catalog stays under its own tag: clusters still on it keep working.
    assert.equal((await inspectManifest(world, mirrorOf(v1.ref))).digest, base.catalogs![0]!.filtered.digest);
    await inBatches(3, catalog.images.map((ref) => async () => assert.equal((await inspectManifest(world, mirrorOf(ref))).digest, ref.slice(ref.indexOf('@') + 1))));
    for (const b of newBundles()) assert.ok(catalog.images.includes(v2.bundles[b]!.image), `${b} is part of the selection pushed`);

    const receipt = JSON.parse(await readFile(join(dir('v2-delta'), 'receipt.json'), 'utf8')) as Receipt;
    assert.equal(receipt.images.length, delta.images.length, 'the receipt names every image of the selection, parent ones included');
    const against = await ferry(['verify', '--dir', dir('v2-delta'), '--against', mirrorNs(), ...flags]);
    assert.equal(against.code, 0, against.stdout + against.stderr);

    // The cluster resources cover the whole selection: the catalog at v2's tag, a mirror for every bundle and operand repository.
    const config = async (kind: string) => {
      const r = await ferry(['config', kind, '--from-dir', dir('v2-delta'), '--mirror', mirrorNs()]);
      assert.equal(r.code, 0, `${kind}: ${r.stderr}`);
      return parseAllDocuments(r.stdout).map((d) => d.toJS() as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const [source] = await config('catalog-source');
    assert.equal(source!.spec.image, mirrorOf(v2.ref));
    const [idms] = await config('catalog-idms');
    const mapped = new Set((idms!.spec.imageDigestMirrors as Array<{ source: string }>).map((m) => m.source));
    for (const ref of catalog.images) assert.ok(mapped.has(ref.slice(0, ref.indexOf('@'))), `${ref} has a mirror`);
  });

  test('the same catalog under a new tag --since the v2 receipt: nothing to write, and push names the filtered catalog by the new tag', async () => {
    const again = v2.ref.replace(/:v2$/, ':v2-again');
    await skopeo(world, ['copy', '--all', '--quiet', `docker://${v2.ref}`, `docker://${again}`]);
    const r = await ferry(['mirror', '--catalog', again, ...SELECTION, '--to-dir', dir('v2-again'), '--since', join(dir('v2-delta'), 'receipt.json'), ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const m = await readManifest(dir('v2-again'));
    // The filtered catalog is built the same from the same catalog and selection: the mirror holds every blob of it.
    assert.equal(m.catalogs![0]!.filtered.digest, delta.catalogs![0]!.filtered.digest);
    assert.deepEqual(m.blobs.filter((b) => !isParentLocation(b.location)), []);
    const p = await ferry(['push', '--from-dir', dir('v2-again'), '--to', mirrorNs(), '--allow-unsigned', ...flags]);
    assert.equal(p.code, 0, p.stdout + p.stderr);
    // The CatalogSource names the new tag, so the mirror must have it although no byte of the catalog travelled.
    assert.equal((await inspectManifest(world, mirrorOf(again))).digest, m.catalogs![0]!.filtered.digest);
    const against = await ferry(['verify', '--dir', dir('v2-again'), '--against', mirrorNs(), ...flags]);
    assert.equal(against.code, 0, against.stdout + against.stderr);
  });

  test("the filtered catalog in the mirror lists v2's selection", async () => {
    const mirrored = await mergedFiles(world, mirrorOf(v2.ref), 'configs');
    const channels = (pkg: string) =>
      Object.fromEntries(
        jsonStream(mirrored.files.get(`configs/${pkg}/catalog.json`)!)
          .filter((o) => o.schema === 'olm.channel')
          .map((o) => [o.name, (o.entries as Array<{ name: string }>).map((e) => e.name)]),
      );
    assert.deepEqual(channels('ferry-database'), { fast: ['1.2.0', '1.3.0', '1.4.0'].map((v) => bundleName('ferry-database', v)) });
    assert.deepEqual(channels('ferry-backup'), { stable: ['2.1.0', '2.2.0'].map((v) => bundleName('ferry-backup', v)) });
    assert.deepEqual(channels('ferry-storage'), { stable: [bundleName('ferry-storage', '0.9.0')] });
    assert.deepEqual([...mirrored.files.keys()].sort(), ['configs/ferry-backup/catalog.json', 'configs/ferry-database/catalog.json', 'configs/ferry-storage/catalog.json']);
  });
});
