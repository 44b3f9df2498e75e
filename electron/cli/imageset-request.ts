import { createHash } from 'node:crypto';
import { FerryError } from '../../shared/errors';
import { parseImageSetConfig } from '../../shared/imageset/config';
import { selectImageSet, type ImageSetSelection, type SelectedRelease } from '../../shared/imageset/selection';
import { compareVersions } from '../../shared/update-graph';
import type { ImageSetRecord } from '../../shared/transfer/manifest';
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
  const config = parseImageSetConfig(bytes.toString('utf8'), opts.config);
  const selection = await selectImageSet(config, async (channel, arch) => (await fetchGraphFor(opts, channel, arch)).graph);
  if (selection.volumeSize !== undefined) validateVolumeSize(selection.volumeSize);
  const primary = newest(selection.releases);
  return {
    ...selection,
    ...(primary ? { release: primary.payload } : {}),
    otherReleases: selection.releases.filter((r) => r !== primary).map((r) => r.payload),
    record: { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, config },
  };
}

/** The last of the highest version (a release given by pullspec alone, without a version, only when it is the one). */
function newest(releases: readonly SelectedRelease[]): SelectedRelease | undefined {
  return releases.reduce<SelectedRelease | undefined>((best, r) => {
    if (!best) return r;
    if (r.version === undefined) return best.version === undefined ? r : best;
    return best.version === undefined || compareVersions(r.version, best.version) >= 0 ? r : best;
  }, undefined);
}
