// Issue 18 (scale): a filtered catalog is built one package at a time (the kept objects spilled to a scratch
// file, the /configs layer tarred and gzipped as a stream), so a mirror's peak RSS does not grow with the FBC it
// filters. Twelve packages whose CSVs carry 1 MiB icons make an FBC of about 90 MB (the bench's 300 packages
// with 32 KiB icons weigh 71 MiB); mirroring every bundle of it to disk, through the built CLI in a child whose
// peak RSS a preload measures, stays under issue 18's 300 MB. Holding the kept FBC, its catalog.json files, the
// tar and its gzip at once, as Ferry did, took 463 MiB on the same catalog. Times and the bench's figures:
// `npm run bench` (BENCH_ONLY=catalog).
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { pushSyntheticCatalog, type SyntheticCatalog } from '../support/big-catalog';
import { buildCliBundle, runWithRss, type CliBundle } from '../support/cli-bundle';
import { worldFlags } from '../support/cli';
import { tempDir, type TempDir } from '../support/tmp';
import { startTestWorld, type TestWorld } from '../support/world';

const LIMIT_KIB = 300 * 1024;
const PACKAGES = 12;
let cli: CliBundle;
let world: TestWorld;
let tmp: TempDir;
let catalog: SyntheticCatalog;

before(async () => {
  cli = await buildCliBundle('catalog-scale');
  world = await startTestWorld();
  tmp = tempDir('catalog-scale');
  catalog = await pushSyntheticCatalog(world, PACKAGES, { iconBytes: 1024 * 1024 });
});

after(async () => {
  await world?.stop();
  await tmp?.cleanup();
  await cli?.remove();
});

it('mirrors every bundle of a 90 MB FBC to disk with peak RSS under 300 MB, leaving nothing in its temp directory', async (t) => {
  assert.ok(catalog.fbcBytes > 80 * 1024 * 1024, `the FBC weighs ${catalog.fbcBytes} bytes`);
  const selection = join(tmp.path, 'packages.txt');
  await writeFile(selection, catalog.packages.flatMap((p) => Object.keys(p.channels).map((c) => `${p.name}:${c}@0.0.0..\n`)).join(''));
  const scratch = join(tmp.path, 'tmp');
  await mkdir(scratch);
  const dir = join(tmp.path, 'transfer');
  const r = await runWithRss(cli, ['mirror', '--catalog', catalog.ref, '--packages-file', selection, '--to-dir', dir, '--json', ...worldFlags(world)], join(tmp.path, 'rss'), { TMPDIR: scratch });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout) as { images: number; catalogs: Array<{ bundles: number; images: number; filtered: { files: string[] } }> };
  // Every bundle of every package (four each), every image the catalog names, and the filtered catalog.
  assert.equal(out.catalogs[0]!.bundles, PACKAGES * 4);
  assert.equal(out.catalogs[0]!.images, catalog.images);
  assert.equal(out.images, catalog.images + 1);
  assert.equal(out.catalogs[0]!.filtered.files.length, PACKAGES);
  t.diagnostic(`peak RSS ${(r.peakKiB / 1024).toFixed(1)} MiB for an FBC of ${(catalog.fbcBytes / 1024 / 1024).toFixed(0)} MiB`);
  assert.ok(r.peakKiB > 0);
  assert.ok(r.peakKiB < LIMIT_KIB, `peak RSS ${(r.peakKiB / 1024).toFixed(1)} MiB`);
  // The spilled objects and the layer lived in the context's scratch directory, removed when the command ended.
  assert.deepEqual(await readdir(scratch), []);
});
