import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createEngineContext } from '../../electron/engine/context';
import { BlobFlights } from '../../electron/engine/copy/blob-flights';
import { copy } from '../../electron/engine/copy/copy';
import { fillerText } from './bytes';
import { CONFIGS_LABEL, packageFile, packageObjects, type CatalogImages, type PackageSpec } from './catalog';
import { addImage, addLayer } from './layers';
import { OciLayoutWriter, type Descriptor } from './oci-layout';
import { inBatches } from './push';
import type { TestWorld } from './world';

/**
 * A catalog of `count` packages for scale: the same FBC and index-image shape as test/support/catalog.ts,
 * generated. Each package has channels `stable` (1.0.0 → 1.1.0 → 1.2.0 by replaces, the default) and `fast`
 * (1.2.0, then 1.3.0 with a skipRange), so four bundles; every bundle names its bundle image, an operator image
 * of its own and the package's two operand images: 10 images a package, 4 for the `stable` head alone. Every
 * tenth package requires the one before it, so resolution has dependencies to check. `iconBytes` gives every CSV
 * an icon of that size, as real ones carry.
 */
export function syntheticPackages(count: number, opts: { iconBytes?: number } = {}): PackageSpec[] {
  const name = (i: number) => `scale-op-${String(i).padStart(4, '0')}`;
  return Array.from({ length: count }, (_, i) => ({
    name: name(i),
    defaultChannel: 'stable',
    description: `Synthetic operator ${i} of ${count}.`,
    format: i % 2 ? 'yaml' : 'json',
    channels: {
      stable: [{ version: '1.0.0' }, { version: '1.1.0', replaces: '1.0.0' }, { version: '1.2.0', replaces: '1.1.0' }],
      fast: [{ version: '1.2.0' }, { version: '1.3.0', replaces: '1.2.0', skipRange: '>=1.0.0 <1.3.0' }],
    },
    provides: [{ group: `op${i}.scale.example`, version: 'v1', kind: 'Thing' }],
    ...(i % 10 === 9 ? { requiresPackages: [{ packageName: name(i - 1), versionRange: '>=1.0.0 <2.0.0' }] } : {}),
    operands: [`${name(i)}-server`, `${name(i)}-agent`],
    ...(opts.iconBytes ? { iconBytes: opts.iconBytes } : {}),
  }));
}

export interface SyntheticCatalog {
  ref: string;
  packages: PackageSpec[];
  /** Distinct images the catalog names (bundles, operators, operands). */
  images: number;
  /** Bytes of its FBC files, uncompressed. */
  fbcBytes: number;
}

const VERSIONS = ['1.0.0', '1.1.0', '1.2.0', '1.3.0'];

/**
 * Builds the catalog and every image it names into the source registry. Images are tiny and share one layer
 * (each has its own config, so its own digest): what scales is their number. Thousands of skopeo processes
 * would take longer than the runs they set up, so they are pushed from an OCI layout by Ferry's engine in one
 * process, many at a time; the registry checks every blob and manifest digest on the way in.
 */
export async function pushSyntheticCatalog(world: TestWorld, count: number, opts: { iconBytes?: number } = {}): Promise<SyntheticCatalog> {
  const host = world.source.host;
  const packages = syntheticPackages(count, opts);
  const layout = await new OciLayoutWriter(join(world.dir, `scale-catalog-${count}`)).init();
  const pushes: Array<{ name: string; dest: string }> = [];
  const refs = new Map<string, string>();
  try {
    const base = await addLayer(layout, [{ path: 'etc/os-release', content: 'NAME="Ferry scale fixture"\n' }]);
    const image = async (key: string, repository: string, tag: string): Promise<void> => {
      const d: Descriptor = await addImage(layout, { layers: [base], labels: { 'ferry.scale.image': key } });
      layout.tag(key, d);
      pushes.push({ name: key, dest: `${host}/${repository}:${tag}` });
      refs.set(key, `${host}/${repository}@${d.digest}`);
    };
    for (const pkg of packages) {
      for (const k of pkg.operands) await image(`operand-${k}`, `scale-operands/${k}`, 'latest');
      for (const v of VERSIONS) {
        await image(`operator-${pkg.name}-${v}`, `scale-operators/${pkg.name}`, `v${v}`);
        await image(`bundle-${pkg.name}-${v}`, `scale-bundles/${pkg.name}`, `v${v}`);
      }
    }
    const images: CatalogImages = {
      operand: (k) => refs.get(`operand-${k}`)!,
      operator: (p, v) => refs.get(`operator-${p}-${v}`)!,
      bundle: (p, v) => refs.get(`bundle-${p}-${v}`)!,
    };
    const files = packages.map((pkg) => packageFile(pkg, packageObjects(pkg, 'v1', images)));
    const configs = await addLayer(layout, [{ path: 'configs/', type: 'directory' }, ...files]);
    const opm = await addLayer(layout, [{ path: 'bin/opm', content: fillerText('opm', 1024), mode: 0o755 }]);
    layout.tag('catalog', await addImage(layout, { layers: [base, opm, configs], labels: { [CONFIGS_LABEL]: '/configs' }, entrypoint: ['/bin/opm'], cmd: ['serve', '/configs'] }));
    const ref = `${host}/scale-catalogs/operator-index:v1`;
    pushes.push({ name: 'catalog', dest: ref });
    await layout.save();

    const ctx = await createEngineContext({ authfile: world.authfile, caFiles: [world.ca.certPath], sourceMirrors: [], parallel: 8 });
    try {
      // copy() takes the context's limiters itself: these only bound how many images are open at once.
      const flights = new BlobFlights();
      await inBatches(16, pushes.map((p) => () => copy(ctx, `oci:${layout.dir}:${p.name}`, `docker://${p.dest}`, { flights })));
    } finally {
      await ctx.close();
    }
    return { ref, packages, images: refs.size, fbcBytes: files.reduce((n, f) => n + Buffer.byteLength(f.content), 0) };
  } finally {
    await rm(layout.dir, { recursive: true, force: true });
  }
}
