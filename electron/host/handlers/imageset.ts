import { FerryError } from '../../../shared/errors';
import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import { parseImageSetConfig } from '../../../shared/imageset/config';
import { selectImageSet } from '../../../shared/imageset/selection';
import type { UpdateGraph } from '../../../shared/update-graph';
import { graphFor, type EngineDefaults } from '../../jobs/engine-options';

/**
 * The export journey's import of an ImageSetConfiguration: the same reader and selection as `ferry mirror
 * --config`. An update graph out of reach does not refuse the file: the rest is filled in and the UI says the
 * release is not; a file the reader refuses (or a channel or version the graph lacks) is refused as the CLI refuses it.
 */
export async function readImageSet(defaults: EngineDefaults, req: ParsedRequestOf<'imageset.read'>): Promise<ResponseOf<'imageset.read'>> {
  const config = parseImageSetConfig(req.text, req.name);
  let graphError: string | undefined;
  const graphOf = async (channel: string, arch: string): Promise<UpdateGraph> => {
    try {
      return (await graphFor(defaults, channel, arch)).graph;
    } catch (e) {
      // A channel the graph does not have is the file's fault and refused; a graph out of reach is not.
      if (!(e instanceof FerryError && e.code === 'NOT_FOUND')) graphError ??= e instanceof Error ? e.message : String(e);
      throw e;
    }
  };
  try {
    const s = await selectImageSet(config, graphOf);
    return { config, releases: s.releases, images: s.images, blocked: s.blocked };
  } catch (e) {
    if (graphError === undefined) throw e;
    const s = await selectImageSet({ ...config, platform: undefined }, graphOf);
    return { config, releases: s.releases, images: s.images, blocked: s.blocked, graphError };
  }
}
