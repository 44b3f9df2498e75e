import { parsePackageSpec } from '../../shared/catalog/resolve';
import { FerryError } from '../../shared/errors';
import { parseImageSetConfig, type ImageSetConfig } from '../../shared/imageset/config';
import { imageSetText, otherReleases, selectionFromImageSet, type JourneySelection } from '../../shared/imageset/journey';
import { primaryAndOthers } from '../../shared/imageset/releases';
import { selectImageSet, type ImageSetSelection } from '../../shared/imageset/selection';
import type { CatalogRequest, ImageSetRecord } from '../../shared/transfer/manifest';
import type { UpdateGraph } from '../../shared/update-graph';
import { imageSetRecord } from '../engine/config/imageset-record';
import { DEFAULT_VOLUME_SIZE } from '../engine/media/layout';

/**
 * `requested.imageSet` for the app's mirror job. The page says which ImageSetConfiguration its choices were imported
 * from and that nothing changed since (journey.ts unchangedImport); the host takes that as a claim and checks it:
 * the file is read again with the CLI's reader, its channels resolved on the update graph as `ferry mirror --config`
 * resolves them, and the file is recorded only when what it selects is exactly what the job carries (releases,
 * images, catalogs, volume size, graph). Otherwise the record is the file the job's own choices write (the claimed
 * document with what differs rewritten, as the page's export does), once reading it back gives the job's selection
 * too; a transfer no file can say gets no record. So whatever the page sends, transfer.json never names a file
 * whose selection is not the transfer's.
 *
 * Why read the text again rather than have the host keep what imageset.read was given, keyed by its digest: a digest
 * proves only that the host once read those bytes, not that the job's choices are still the file's, so the
 * selections must be compared either way; reading again needs no state that a host restart or a page reload loses,
 * at the cost of one update-graph request per channel of the file.
 */
export interface ClaimedJob {
  release?: string | undefined;
  releases?: string[] | undefined;
  images: string[];
  catalogs?: CatalogRequest[] | undefined;
  /** As the job gives it ("2GiB"); absent for the media default. */
  volumeSize?: string | undefined;
  /** The job's volume size, in bytes. */
  volumeBytes: number;
  graph?: boolean | undefined;
}

type GraphOf = (channel: string, arch: string) => Promise<UpdateGraph>;

const MIB = 1024 ** 2;
const DEFAULT_SIZE = `${DEFAULT_VOLUME_SIZE / MIB}MiB`;

/** What a transfer carries, in terms a file's selection and the job's choices can both be put in. */
function carried(c: { release: string; others: string[]; images: string[]; catalogs: readonly CatalogRequest[]; volumeBytes: number; graph: boolean }): string {
  const catalogs = c.catalogs.map((r) => [r.catalog, r.packages, r.withDependencies, r.platform ?? '']);
  return JSON.stringify([c.release, c.others, c.images, catalogs, c.volumeBytes, c.graph]);
}

function carriedByFile(s: ImageSetSelection): string {
  const { primary, others } = primaryAndOthers(s.releases);
  return carried({ release: primary?.payload ?? '', others: others.map((r) => r.payload), images: s.images, catalogs: s.catalogs, volumeBytes: s.volumeSize ?? DEFAULT_VOLUME_SIZE, graph: s.graph });
}

function carriedByJob(j: ClaimedJob): string {
  return carried({ release: j.release ?? '', others: j.release ? (j.releases ?? []) : [], images: j.images, catalogs: j.catalogs ?? [], volumeBytes: j.volumeBytes, graph: j.graph === true });
}

/**
 * The job's choices as the export journey holds them, so imageSetText writes them. The file's channel pick is kept
 * while the job carries the same releases; a second catalog is dropped here and the read-back then refuses the file.
 */
function journeyOf(j: ClaimedJob, file: JourneySelection | undefined): JourneySelection {
  const others = j.release ? (j.releases ?? []) : [];
  const samePath = file?.releasePick && file.release === j.release && JSON.stringify(otherReleases(file)) === JSON.stringify(others);
  const [catalog] = j.catalogs ?? [];
  return {
    release: j.release ?? '',
    ...(samePath ? { releasePick: file.releasePick } : {}),
    images: j.images,
    catalog: catalog
      ? {
          ref: catalog.catalog,
          packages: catalog.packages.map((spec) => {
            const p = parsePackageSpec(spec);
            return { package: p.package, channel: p.channel ?? '', min: p.minVersion ?? '', max: p.maxVersion ?? '' };
          }),
          withDependencies: catalog.withDependencies,
        }
      : { ref: '', packages: [], withDependencies: false },
    volumeSize: j.volumeSize ?? DEFAULT_SIZE,
    ...(j.graph ? { graph: true } : {}),
  };
}

export async function checkedImageSet(claim: { name: string; text: string }, job: ClaimedJob, graphOf: GraphOf): Promise<ImageSetRecord | undefined> {
  // One request per channel and architecture, whichever of the two files asks.
  const graphs = new Map<string, Promise<UpdateGraph>>();
  const cachedGraph: GraphOf = (channel, arch) => {
    const key = `${channel}\n${arch}`;
    if (!graphs.has(key)) graphs.set(key, graphOf(channel, arch));
    return graphs.get(key)!;
  };
  // A file the reader refuses, or a channel the graph no longer has (or cannot be read), proves nothing.
  const read = async (text: string): Promise<{ config: ImageSetConfig; selection: ImageSetSelection } | undefined> => {
    try {
      const config = parseImageSetConfig(text, claim.name);
      return { config, selection: await selectImageSet(config, cachedGraph) };
    } catch (e) {
      if (e instanceof FerryError) return undefined;
      throw e;
    }
  };
  const want = carriedByJob(job);
  const claimed = await read(claim.text);
  if (claimed && carriedByFile(claimed.selection) === want) return imageSetRecord(Buffer.from(claim.text, 'utf8'), claim.name);

  const file = claimed
    ? selectionFromImageSet({ config: claimed.config, releases: claimed.selection.releases, images: claimed.selection.images, blocked: claimed.selection.blocked }, claim.name, claim.text, { volumeSize: DEFAULT_SIZE })
    : undefined;
  const text = imageSetText(journeyOf(job, file?.selection), file?.imported, DEFAULT_SIZE).text;
  const written = await read(text);
  return written && carriedByFile(written.selection) === want ? imageSetRecord(Buffer.from(text, 'utf8'), claim.name) : undefined;
}
