import { catalogFilter } from '../../../shared/catalog/filter';
import { formatRequirement, parsePackageSpec, resolveSelection, type MissingDependency } from '../../../shared/catalog/resolve';
import { FerryError } from '../../../shared/errors';
import type { CatalogRequest, TransferCatalog } from '../../../shared/transfer/manifest';
import type { EngineContext } from '../context';
import type { PlannedImage } from '../transfer/plan';
import { buildFilteredCatalog } from './filtered-image';
import { readCatalogImage } from './read';

/**
 * One `--catalog` of a mirror: the catalog read, the selection resolved along the channels' upgrade graphs,
 * the dependency preflight (before any transfer), and the filtered catalog image built. What it yields goes
 * into the one mirror plan: the bundle and related images to fetch by digest, the filtered catalog as a
 * planned image of Ferry's own, and the record transfer.json keeps.
 */
export interface CatalogPlan {
  record: TransferCatalog;
  /** Bundle images and related images (by digest, as the catalog names them). */
  images: string[];
  filtered: PlannedImage;
}

function describe(m: MissingDependency): string {
  const providers = m.providers.length ? `provided by ${m.providers.map((p) => `${p.package} ${p.version} [${p.channels.join(', ')}]`).join(', ')}` : 'nothing in the catalog provides it';
  return `${m.requiredBy} needs ${formatRequirement(m.requirement)} (${providers})`;
}

/** The preflight's refusal: every unmet need, who has it, and how to fix the selection. */
export function missingDependencies(catalog: string, missing: readonly MissingDependency[]): FerryError {
  const fixable = missing.every((m) => m.providers.length > 0);
  return new FerryError('DEPENDENCY_MISSING', `The selection from ${catalog} lacks ${missing.length} dependency(ies) its bundles require:\n${missing.map((m) => `  ${describe(m)}`).join('\n')}`, {
    hint: fixable
      ? 'Add the providers with --package, or pass --with-dependencies to add one of each; nothing was transferred.'
      : 'Some needs have no provider in this catalog: they must come from another catalog; nothing was transferred.',
    details: { missing },
  });
}

export async function planCatalog(ctx: EngineContext, req: CatalogRequest): Promise<CatalogPlan> {
  const selections = req.packages.map(parsePackageSpec);
  const img = await readCatalogImage(ctx, req.catalog, req.platform !== undefined ? { platform: req.platform } : {});
  const resolution = resolveSelection(img.catalog, selections, { withDependencies: req.withDependencies });
  if (resolution.missing.length) throw missingDependencies(req.catalog, resolution.missing);
  const packages = catalogFilter(img.catalog, resolution);
  const filtered = await buildFilteredCatalog(ctx, img, packages);
  return {
    images: resolution.images,
    filtered: filtered.image,
    record: {
      source: req.catalog,
      digest: img.digest,
      platform: img.platform,
      configsDir: img.configsDir,
      selections,
      withDependencies: req.withDependencies,
      packages,
      bundles: resolution.bundles.map((b) => ({ package: b.package, name: b.name, version: b.version, image: b.image, channels: b.channels, reason: b.reason })),
      images: resolution.images,
      filtered: {
        source: filtered.image.source,
        digest: filtered.image.digest,
        mediaType: filtered.image.mediaType,
        ...(filtered.image.ref.tag ? { tag: filtered.image.ref.tag } : {}),
        files: filtered.files,
      },
    },
  };
}
