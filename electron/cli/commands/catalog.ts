import type { Command } from 'commander';
import { formatRequirement, parsePackageSpec, resolveSelection, type Resolution } from '../../../shared/catalog/resolve';
import { FerryError } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format';
import { browseCatalog, describeImage } from '../../engine/catalog/browse';
import { readCatalogImage, type CatalogImage } from '../../engine/catalog/read';
import { createEngineContext, engineOptionsFrom } from '../../engine/context';
import { printJson } from '../output';
import { addCommonOptions, type GlobalOptions } from '../program';

/**
 * `ferry catalog list` (browse an operator catalog) and `ferry catalog resolve` (which bundles and images a
 * selection needs, with the dependency preflight). Both read the catalog image's FBC from the registry.
 */
interface CatalogOptions extends GlobalOptions {
  platform?: string;
}

interface ListOptions extends CatalogOptions {
  package?: string;
}

interface ResolveOptions extends CatalogOptions {
  package: string[];
  withDependencies: boolean;
}

function sizeText(s: { bytes: number; known: boolean }): string {
  return `${s.known ? '' : '≥ '}${formatBytes(s.bytes)}`;
}

async function list(reference: string, opts: ListOptions): Promise<void> {
  const ctx = await createEngineContext(engineOptionsFrom(opts));
  try {
    const { image: img, packages: summaries, sizes } = await browseCatalog(ctx, reference, {
      ...(opts.package !== undefined ? { package: opts.package } : {}),
      ...(opts.platform !== undefined ? { platform: opts.platform } : {}),
    });
    if (opts.json) {
      printJson({ catalog: describeImage(img), packages: summaries.map((s) => (sizes ? { ...s, size: sizes.total, bundles: sizes.bundles } : s)) });
      return;
    }
    const lines = [`${img.reference}@${img.digest} (${img.platform}): ${Object.keys(img.catalog.packages).length} package(s)`];
    for (const s of summaries) {
      lines.push('', `${s.name}  (default channel ${s.defaultChannel})${s.deprecated !== undefined ? `  DEPRECATED: ${s.deprecated}` : ''}`);
      for (const ch of s.channels) {
        lines.push(`  ${ch.name}${ch.name === s.defaultChannel ? ' *' : ''}: ${ch.versions.join(', ')}${ch.deprecated !== undefined ? `  DEPRECATED: ${ch.deprecated}` : ''}`);
      }
    }
    if (sizes) {
      lines.push('', `size (bundle + related images, ${img.platform}, distinct blobs): ${sizeText(sizes.total)}`);
      for (const b of sizes.bundles) lines.push(`  ${b.version.padEnd(12)} ${sizeText(b.withRelatedImages).padStart(11)}  bundle ${sizeText(b.bundleImage)}, ${b.relatedImages} related image(s)`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await ctx.close();
  }
}

function resolutionText(img: CatalogImage, r: Resolution, withDependencies: boolean): string {
  const lines = [`${img.reference}@${img.digest} (${img.platform}): ${r.bundles.length} bundle(s), ${r.images.length} image(s)`];
  for (const b of r.bundles) {
    const why = b.reason === 'dependency' ? `dependency for ${(b.satisfies ?? []).map((s) => `${s.requiredBy} (${formatRequirement(s.requirement)})`).join(', ')}` : b.reason;
    lines.push(`  ${b.package} ${b.version}  [${b.channels.join(', ')}]  ${why}`, `    ${b.image}`);
    // opm lists the bundle image among the related images too; show it once.
    for (const ri of b.relatedImages) if (ri.image !== b.image) lines.push(`    ${ri.image}${ri.name ? `  (${ri.name})` : ''}`);
  }
  for (const u of r.unevaluated) lines.push(`not checked: ${u.bundle} has an ${u.constraint}`);
  for (const s of r.stranded) lines.push(`stranded: ${s.package} ${s.version} in ${s.channel} has no upgrade path to ${s.target}`);
  for (const d of r.deprecations) {
    const what = d.bundle !== undefined ? `bundle ${d.bundle}` : d.channel !== undefined ? `channel ${d.channel} of ${d.package}` : `package ${d.package}`;
    lines.push(`deprecated: ${what}: ${d.message}`);
  }
  if (r.missing.length) {
    lines.push('', `missing dependencies (${r.missing.length}):`);
    for (const m of r.missing) {
      lines.push(`  ${m.requiredBy} needs ${formatRequirement(m.requirement)}`);
      lines.push(m.providers.length ? `    provided by: ${m.providers.map((p) => `${p.package} ${p.version} [${p.channels.join(', ')}]`).join(', ')}` : '    nothing in this catalog provides it');
    }
    if (!withDependencies) lines.push('Add them to the selection, or pass --with-dependencies.');
  }
  return `${lines.join('\n')}\n`;
}

async function resolve(reference: string, opts: ResolveOptions): Promise<void> {
  if (opts.package.length === 0) throw new FerryError('USAGE', 'Select at least one package.', { hint: 'Pass --package NAME[:CHANNEL][@MIN..MAX], repeatable.' });
  const selections = opts.package.map(parsePackageSpec);
  const ctx = await createEngineContext(engineOptionsFrom(opts));
  try {
    const img = await readCatalogImage(ctx, reference, opts.platform !== undefined ? { platform: opts.platform } : {});
    const resolution = resolveSelection(img.catalog, selections, { withDependencies: opts.withDependencies });
    if (opts.json) printJson({ catalog: describeImage(img), selections, ...resolution });
    else process.stdout.write(resolutionText(img, resolution, opts.withDependencies));
    // Unmet dependencies are a failed check: the cluster's install plan would fail on the disconnected side.
    if (resolution.missing.length) {
      if (!opts.json) process.stderr.write(`ferry: the selection lacks ${resolution.missing.length} dependency(ies); see above.\n`);
      process.exitCode = 1;
    }
  } finally {
    await ctx.close();
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  const catalog = program.command('catalog').description('operator catalogs (file-based catalog images): browse and resolve selections');
  addCommonOptions(
    catalog
      .command('list')
      .description('list the packages of a catalog image: default channel, channels and versions (head first); with --package, size estimates')
      .argument('<catalog>', 'catalog image, HOST[:PORT]/REPO[:TAG|@DIGEST]')
      .option('--package <name>', 'show only this package, with bundle and related image sizes')
      .option('--platform <os/arch>', 'which image of a multi-arch catalog to read (default linux/amd64)'),
  ).action((reference: string, opts: ListOptions) => list(reference, opts));
  addCommonOptions(
    catalog
      .command('resolve')
      .description('the bundles and images a selection needs along each channel upgrade graph, and the dependencies it lacks')
      .argument('<catalog>', 'catalog image, HOST[:PORT]/REPO[:TAG|@DIGEST]')
      .option('--package <spec>', 'NAME[:CHANNEL][@MIN..MAX]; repeatable', collect, [])
      .option('--with-dependencies', 'add bundles that provide the packages and APIs the selection requires', false)
      .option('--platform <os/arch>', 'which image of a multi-arch catalog to read (default linux/amd64)'),
  ).action((reference: string, opts: ResolveOptions) => resolve(reference, opts));
}
