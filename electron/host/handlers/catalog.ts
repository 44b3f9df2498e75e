import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import { browseCatalog } from '../../engine/catalog/browse';
import type { EngineDefaults } from '../../jobs/engine-options';
import type { SecretStore } from '../../jobs/secrets/secret-store';
import { withHandlerEngine } from './engine';

/** An operator catalog browsed with the engine `ferry catalog list` uses: the operators step's packages and sizes. */
export function catalogList(store: SecretStore, defaults: EngineDefaults, req: ParsedRequestOf<'catalog.list'>): Promise<ResponseOf<'catalog.list'>> {
  return withHandlerEngine(store, defaults, req, async (ctx) => {
    const { image, packages, sizes } = await browseCatalog(ctx, req.ref, {
      ...(req.package !== undefined ? { package: req.package } : {}),
      ...(req.platform !== undefined ? { platform: req.platform } : {}),
    });
    return {
      catalog: { reference: image.reference, digest: image.digest, platform: image.platform },
      packages: packages.map((p) =>
        sizes ? { ...p, size: sizes.total, bundles: sizes.bundles.map((b) => ({ name: b.name, version: b.version, bundleImage: b.bundleImage, withRelatedImages: b.withRelatedImages })) } : p,
      ),
    };
  });
}
