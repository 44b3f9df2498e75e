// Issue 18 (scale): a synthetic catalog of BENCH_CATALOG_PACKAGES packages (default 300; 10 images each) in the
// source registry, and the built CLI's `ferry mirror --catalog` on it: planning (`--dry-run`) and mirror-to-disk
// of every package's default-channel head (4 images a package), and planning of the whole catalog (every bundle
// of every channel). Every CSV carries a BENCH_CATALOG_ICON_KIB icon (default 32), so the FBC weighs what real ones
// do per bundle. Prints image counts, times, bytes written and Ferry's peak RSS.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pushSyntheticCatalog } from '../test/support/big-catalog';
import type { TestWorld } from '../test/support/world';
import type { TransferManifest } from '../shared/transfer/manifest';
import { Runs, type ToolRun } from './runs';

const PACKAGES = Number(process.env.BENCH_CATALOG_PACKAGES ?? 300);
/** Each CSV's icon: real bundle objects are tens of KiB, mostly that. */
const ICON_KIB = Number(process.env.BENCH_CATALOG_ICON_KIB ?? 32);

export interface CatalogFigures {
  packages: number;
  catalogImages: number;
  fbcBytes: number;
  /** The default-channel heads of every package. */
  heads: { images: number; plan: ToolRun; mirror: ToolRun; bytes: number };
  /** Every bundle of every channel. */
  whole: { images: number; plan: ToolRun };
}

interface CatalogBench {
  world: TestWorld;
  work: string;
  /** Runs the built ferry CLI; resolves with its peak RSS in MiB. */
  ferry(args: string[]): Promise<number>;
  repeat: number;
}

export async function catalogFigures(bench: CatalogBench): Promise<CatalogFigures> {
  const { world } = bench;
  const t = Date.now();
  const catalog = await pushSyntheticCatalog(world, PACKAGES, { iconBytes: ICON_KIB * 1024 });
  console.log(`pushed a catalog of ${PACKAGES} packages (${ICON_KIB} KiB icons) naming ${catalog.images} images in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  const auth = ['--authfile', world.authfile, '--ca-file', world.ca.certPath];
  const list = async (name: string, lines: string[]) => {
    const path = join(bench.work, name);
    await writeFile(path, `${lines.join('\n')}\n`);
    return path;
  };
  const headsFile = await list('catalog-heads.txt', catalog.packages.map((p) => p.name));
  const wholeFile = await list('catalog-whole.txt', catalog.packages.flatMap((p) => Object.keys(p.channels).map((c) => `${p.name}:${c}@0.0.0..`)));
  const select = (file: string) => ['mirror', '--catalog', catalog.ref, '--packages-file', file, ...auth];
  const dir = join(bench.work, 'catalog-transfer');

  const [headsPlan, mirror, wholePlan] = [new Runs(), new Runs(), new Runs()];
  for (let i = 0; i < bench.repeat; i++) {
    await headsPlan.time(() => bench.ferry([...select(headsFile), '--dry-run', '--to-dir', dir]));
    await wholePlan.time(() => bench.ferry([...select(wholeFile), '--dry-run', '--to-dir', dir]));
    await rm(dir, { recursive: true, force: true });
    await mirror.time(() => bench.ferry([...select(headsFile), '--to-dir', dir]));
  }
  const manifest = JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
  await rm(dir, { recursive: true, force: true });
  const heads = manifest.catalogs![0]!.images.length;
  return {
    packages: PACKAGES,
    catalogImages: catalog.images,
    fbcBytes: catalog.fbcBytes,
    heads: { images: heads, plan: headsPlan.result(), mirror: mirror.result(), bytes: manifest.volumes.reduce((n, v) => n + v.size, 0) },
    whole: { images: catalog.images, plan: wholePlan.result() },
  };
}

const fmt = (t: ToolRun) => `${t.seconds.toFixed(2)} s [${Math.min(...t.runs).toFixed(2)}–${Math.max(...t.runs).toFixed(2)}] (peak RSS ${t.peakRssMiB?.toFixed(0)} MiB)`;

export function reportCatalog(f: CatalogFigures): string {
  return [
    `catalog of ${f.packages} packages, ${f.catalogImages} images, FBC ${(f.fbcBytes / 1024 / 1024).toFixed(0)} MiB: default-channel heads, ${f.heads.images} images — plan (--dry-run) ${fmt(f.heads.plan)}, mirror-to-disk ${fmt(f.heads.mirror)}, ${f.heads.bytes} bytes written`,
    `catalog of ${f.packages} packages: whole catalog, ${f.whole.images} images — plan (--dry-run) ${fmt(f.whole.plan)}`,
  ].join('\n');
}
