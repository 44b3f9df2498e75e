import { createHash } from 'node:crypto';
import { FerryError } from '../../shared/errors';
import { parseImageSetConfig } from '../../shared/imageset/config';
import { selectImageSet, type ImageSetSelection } from '../../shared/imageset/selection';
import type { ImageSetRecord } from '../../shared/transfer/manifest';
import { readInputFile } from '../engine/config/input-file';
import { validateVolumeSize } from '../engine/media/layout';
import type { GlobalOptions } from './program';
import { fetchGraphFor } from './update-graph';

/**
 * `ferry mirror --config imageset.yaml`: the oc-mirror ImageSetConfiguration read as `ferry mirror` flags. Its
 * platform channels are resolved against the update graph now; a transfer carries one release today, so a
 * configuration that selects several is refused naming them (one transfer per release, each `--since` the last).
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
  release?: string;
  record: ImageSetRecord;
}

export async function imageSetRequest(opts: ImageSetOptions): Promise<ImageSetRequest> {
  const clash = [opts.release && '--release', opts.version && '--version', opts.image.length && '--image', opts.imageList && '--image-list', opts.catalog && '--catalog', opts.package.length && '--package', opts.packagesFile && '--packages-file'].filter(Boolean);
  if (clash.length) throw new FerryError('USAGE', `--config says what to carry; ${clash.join(', ')} cannot be added to it.`, { hint: 'Put the release, images and operators in the ImageSetConfiguration, or leave out --config.' });
  const bytes = await readInputFile(opts.config, 'the ImageSetConfiguration', '--config');
  const config = parseImageSetConfig(bytes.toString('utf8'), opts.config);
  const selection = await selectImageSet(config, async (channel, arch) => (await fetchGraphFor(opts, channel, arch)).graph);
  if (selection.releases.length > 1) {
    throw new FerryError('UNSUPPORTED', `${opts.config} selects ${selection.releases.length} releases: ${selection.releases.map((r) => r.version ?? r.payload).join(', ')}. One transfer carries one release today.`, {
      hint: 'Write one transfer per release, oldest first, each with --since the receipt of the one before (only new blobs travel): narrow minVersion/maxVersion or use platform.release, one release per file.',
      details: { releases: selection.releases },
    });
  }
  if (selection.volumeSize !== undefined) validateVolumeSize(selection.volumeSize);
  const only = selection.releases[0];
  return {
    ...selection,
    ...(only ? { release: only.payload } : {}),
    record: { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, config },
  };
}
