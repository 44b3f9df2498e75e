import type { MirroredCatalogs } from '../../../shared/config/catalog-resources';
import { notApplicable } from '../../../shared/config/kinds';
import type { TransferManifest } from '../../../shared/transfer/manifest';
import { readTransferManifest } from '../media/reader';

/**
 * The operator catalogs a transfer put in the mirror, as the catalog kinds of shared/config/kinds.ts
 * take them. The one seam between transfer.json and those generators: transfer.json (format 1) does
 * not record catalogs yet, so `catalogsOfTransfer` finds none and the catalog kinds are not offered
 * for it; when the manifest gains its catalog section, mapping it here is the whole wiring.
 */
function catalogsOfTransfer(_manifest: TransferManifest): MirroredCatalogs | undefined {
  return undefined;
}

export async function mirroredCatalogsFromDir(dir: string): Promise<MirroredCatalogs> {
  const catalogs = catalogsOfTransfer(await readTransferManifest(dir));
  if (!catalogs || catalogs.catalogs.length === 0) {
    throw notApplicable(`The transfer in ${dir} carries no operator catalogs, so there is no catalog to configure.`, 'This transfer holds releases and images only; the catalog kinds apply to a transfer that carried operator catalogs.');
  }
  return catalogs;
}
