import { FerryError } from '../../shared/errors';
import { primaryAndOthers } from '../../shared/imageset/releases';
import { selectImageSet, type ImageSetSelection } from '../../shared/imageset/selection';
import type { ImageSetRecord } from '../../shared/transfer/manifest';
import { imageSetRecord } from '../engine/config/imageset-record';
import { readInputFile } from '../engine/config/input-file';
import { validateVolumeSize } from '../engine/media/layout';
import type { GlobalOptions } from './program';
import { fetchGraphFor } from './update-graph';

/**
 * `ferry mirror --config imageset.yaml`: the oc-mirror ImageSetConfiguration read as `ferry mirror` flags. Its
 * platform channels are resolved against the update graph now; every release they select travels in one transfer:
 * the newest is the primary release, the others (in path order) are carried beside it.
 */
export interface ImageSetOptions extends GlobalOptions {
  config: string;
  graphUrl?: string;
  release?: string;
  version?: string;
  image: string[];
  imageList?: string;
  catalog?: string;
  package: string[];
  packagesFile?: string;
}

export interface ImageSetRequest extends ImageSetSelection {
  /** The primary release: the newest selected. */
  release?: string;
  /** The other releases selected, in path order. */
  otherReleases: string[];
  record: ImageSetRecord;
}

export async function imageSetRequest(opts: ImageSetOptions): Promise<ImageSetRequest> {
  const clash = [opts.release && '--release', opts.version && '--version', opts.image.length && '--image', opts.imageList && '--image-list', opts.catalog && '--catalog', opts.package.length && '--package', opts.packagesFile && '--packages-file'].filter(Boolean);
  if (clash.length) throw new FerryError('USAGE', `--config says what to carry; ${clash.join(', ')} cannot be added to it.`, { hint: 'Put the release, images and operators in the ImageSetConfiguration, or leave out --config.' });
  const bytes = await readInputFile(opts.config, 'the ImageSetConfiguration', '--config');
  const record = imageSetRecord(bytes, opts.config);
  const selection = await selectImageSet(record.config, async (channel, arch) => (await fetchGraphFor(opts, channel, arch)).graph);
  if (selection.volumeSize !== undefined) validateVolumeSize(selection.volumeSize);
  const { primary, others } = primaryAndOthers(selection.releases);
  return {
    ...selection,
    ...(primary ? { release: primary.payload } : {}),
    otherReleases: others.map((r) => r.payload),
    record,
  };
}
