import { FerryError } from '../../../shared/errors';
import type { MirroredCatalogs } from '../../../shared/config/catalog-resources';
import { notApplicable } from '../../../shared/config/kinds';
import type { MirrorTarget } from '../../../shared/mirror-mapping';
import { formatReference } from '../../../shared/reference';
import type { TransferManifest } from '../../../shared/transfer/manifest';
import { mirrorLocationByDigest, mirrorReference } from '../transfer/destination';
import { readTransferManifest } from '../media/reader';

/**
 * The operator catalogs a transfer put in the mirror, as the catalog kinds of shared/config/kinds.ts take
 * them: each filtered catalog where push put it (by its tag, as oc-mirror points a CatalogSource at a tag
 * so a later catalog update is polled; by digest when it had none), and every bundle and operand image by
 * digest for the mirror sets.
 */
function catalogsOfTransfer(manifest: TransferManifest, target: MirrorTarget): MirroredCatalogs | undefined {
  if (!manifest.catalogs?.length) return undefined;
  const bySource = new Map(manifest.images.map((i) => [i.source, i]));
  const carried = (source: string) => {
    const image = bySource.get(source);
    if (!image) throw new FerryError('MEDIA_CORRUPT', `transfer.json names the catalog image ${source} but does not carry it.`, { hint: 'The transfer is inconsistent: write it again with ferry mirror.' });
    return image;
  };
  return {
    catalogs: manifest.catalogs.map((c) => ({ source: c.source, mirrored: formatReference(mirrorReference(carried(c.filtered.source), target)) })),
    images: [...new Set(manifest.catalogs.flatMap((c) => c.images))].map((source) => ({ source, mirrored: mirrorLocationByDigest(carried(source), target) })),
  };
}

export async function mirroredCatalogsFromDir(dir: string, target: MirrorTarget): Promise<MirroredCatalogs> {
  const catalogs = catalogsOfTransfer(await readTransferManifest(dir), target);
  if (!catalogs || catalogs.catalogs.length === 0) {
    throw notApplicable(`The transfer in ${dir} carries no operator catalogs, so there is no catalog to configure.`, 'This transfer holds releases and images only; the catalog kinds apply to a transfer that carried operator catalogs.');
  }
  return catalogs;
}
