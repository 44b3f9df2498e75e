import { FerryError } from '../../../shared/errors';
import { notApplicable } from '../../../shared/config/kinds';
import type { MirroredGraph } from '../../../shared/config/update-service';
import { mirrorRepositoryFor, type MirrorTarget } from '../../../shared/mirror-mapping';
import { repositoryName } from '../../../shared/reference';
import { readTransferManifest } from '../media/reader';
import { mirrorLocationByDigest } from '../transfer/destination';

/**
 * The update service's inputs a transfer put in the mirror, as the kinds of shared/config/update-service.ts take
 * them: the graph-data image where push put it, by digest, and the repository push puts release images in.
 */
export async function mirroredGraphFromDir(dir: string, target: MirrorTarget): Promise<MirroredGraph> {
  const manifest = await readTransferManifest(dir);
  const graph = manifest.graph;
  if (!graph) {
    throw notApplicable(`The transfer in ${dir} carries no update graph data, so there is no update service to configure.`, 'Mirror with an ImageSetConfiguration that sets mirror.platform.graph: true to carry the graph-data image.');
  }
  const image = manifest.images.find((i) => i.source === graph.image.source);
  if (!image) throw new FerryError('MEDIA_CORRUPT', `transfer.json names the graph-data image ${graph.image.source} but does not carry it.`, { hint: 'The transfer is inconsistent: write it again with ferry mirror.' });
  return {
    graphDataImage: mirrorLocationByDigest(image, target),
    releases: repositoryName(mirrorRepositoryFor({ registry: '', repository: '' }, 'release', target)),
  };
}
