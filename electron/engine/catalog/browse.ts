import { channelBundles, channelHead, deprecationsFor, type Catalog, type CatalogPackage } from '../../../shared/catalog/model';
import { FerryError } from '../../../shared/errors';
import type { EngineContext } from '../context';
import { parsePlatform } from '../registry/manifest';
import { readCatalogImage, type CatalogImage } from './read';
import { imageBlobs, totalSize } from './sizes';

/**
 * Browsing an operator catalog: what `ferry catalog list` prints and the app's operators step shows, from one
 * place. Packages with their default channel and channels (versions head first); for one package, sizes.
 */
export function describeImage(img: CatalogImage) {
  return {
    reference: img.reference,
    digest: img.digest,
    mediaType: img.mediaType,
    platforms: img.platforms,
    platform: img.platform,
    imageDigest: img.imageDigest,
    configsDir: img.configsDir,
  };
}

export function packageSummary(pkg: CatalogPackage) {
  const deprecated = deprecationsFor(pkg)[0]?.message;
  return {
    name: pkg.name,
    defaultChannel: pkg.defaultChannel,
    ...(deprecated !== undefined ? { deprecated } : {}),
    channels: Object.values(pkg.channels).map((ch) => {
      const channelDeprecation = pkg.deprecations.find((d) => d.schema === 'olm.channel' && d.name === ch.name)?.message;
      return {
        name: ch.name,
        head: channelHead(pkg.name, ch),
        versions: channelBundles(pkg, ch.name).map((b) => b.version),
        ...(channelDeprecation !== undefined ? { deprecated: channelDeprecation } : {}),
      };
    }),
  };
}

function onePackage(catalog: Catalog, name: string): CatalogPackage {
  const pkg = catalog.packages[name];
  if (!pkg) {
    throw new FerryError('NOT_FOUND', `The catalog has no package "${name}".`, { hint: `It has ${Object.keys(catalog.packages).length} package(s); list them without --package.` });
  }
  return pkg;
}

/** Per bundle (newest first) and for the whole package: the distinct blobs of its bundle image and related images. */
async function packageSizes(ctx: EngineContext, pkg: CatalogPackage, platform: string) {
  const bundles = Object.values(pkg.bundles);
  const imagesOf = (b: (typeof bundles)[number]): string[] => [b.image, ...b.relatedImages.map((r) => r.image)];
  const blobs = await imageBlobs(ctx, bundles.flatMap(imagesOf), parsePlatform(platform));
  const bundleSizes = bundles
    .map((b) => ({ name: b.name, version: b.version, image: b.image, relatedImages: b.relatedImages.length, bundleImage: totalSize([b.image], blobs), withRelatedImages: totalSize(imagesOf(b), blobs) }))
    .sort((a, b) => channelOrder(pkg, a.name) - channelOrder(pkg, b.name));
  return { bundles: bundleSizes, total: totalSize(bundles.flatMap(imagesOf), blobs) };
}

/** Bundles in the order the default channel lists them (head first), the rest after. */
function channelOrder(pkg: CatalogPackage, bundle: string): number {
  const i = channelBundles(pkg, pkg.defaultChannel).findIndex((b) => b.name === bundle);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

/** The catalog read from the registry; with `package`, only that package, with its sizes (which fetch every manifest it names). */
export async function browseCatalog(ctx: EngineContext, reference: string, opts: { package?: string; platform?: string } = {}) {
  const img = await readCatalogImage(ctx, reference, opts.platform !== undefined ? { platform: opts.platform } : {});
  const pkgs = opts.package !== undefined ? [onePackage(img.catalog, opts.package)] : Object.values(img.catalog.packages);
  const sizes = opts.package !== undefined ? await packageSizes(ctx, pkgs[0]!, img.platform) : undefined;
  return { image: img, packages: pkgs.map(packageSummary), ...(sizes ? { sizes } : {}) };
}
