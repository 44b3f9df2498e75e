import type { CatalogRequest } from '../transfer/manifest';
import type { UpdateGraph } from '../update-graph';
import type { ImageSetConfig, OperatorPackageSpec } from './config';
import { channelReleases } from './releases';

/**
 * What an ImageSetConfiguration selects, in the terms of `ferry mirror`: the releases of each platform channel
 * and architecture (oc-mirror's default architecture is amd64), the additional images less the blocked ones
 * (oc-mirror's unanchored regular expressions), and a catalog request per operator catalog whose package specs
 * say what oc-mirror's IncludePackage says (a minVersion alone runs to the channel head; dependencies are added
 * unless skipDependencies).
 */
export interface SelectedRelease {
  channel: string;
  arch: string;
  version?: string;
  payload: string;
}

/** An update among the selected releases that the graph makes conditional: a cluster takes it only once its admin accepts the risks. */
export interface ConditionalStep {
  channel: string;
  arch: string;
  from: string;
  to: string;
  /** Risk names, each once. */
  risks: string[];
}

export interface ImageSetSelection {
  releases: SelectedRelease[];
  /** The conditional updates of each channel's path (the steps taken) or range (every one between its releases). */
  conditional: ConditionalStep[];
  images: string[];
  /** Additional images a blockedImages pattern removed. */
  blocked: string[];
  catalogs: CatalogRequest[];
  /** archiveSize, in bytes. */
  volumeSize?: number;
}

const GIB = 1024 ** 3;

function range(r: { minVersion?: string; maxVersion?: string }): string {
  if (r.minVersion === undefined && r.maxVersion === undefined) return '';
  return `@${r.minVersion ?? ''}..${r.maxVersion ?? ''}`;
}

function packageSpecs(p: OperatorPackageSpec): string[] {
  if (p.channels.length === 0) return [`${p.name}${range(p)}`];
  // A channel's own range wins over the package's, as in oc-mirror's filter.
  return p.channels.map((c) => `${p.name}:${c.name}${range(c.minVersion !== undefined || c.maxVersion !== undefined ? c : p)}`);
}

export async function selectImageSet(config: ImageSetConfig, graphOf: (channel: string, arch: string) => Promise<UpdateGraph>): Promise<ImageSetSelection> {
  const releases: SelectedRelease[] = [];
  const conditional: ConditionalStep[] = [];
  const platform = config.platform;
  if (platform) {
    const arches = platform.architectures.length ? platform.architectures : ['amd64'];
    for (const channel of platform.channels) {
      for (const arch of arches) {
        const path = channelReleases(await graphOf(channel.name, arch), channel);
        for (const r of path.releases) releases.push({ channel: channel.name, arch, version: r.version, payload: r.payload });
        for (const e of path.edges) if (e.risks) conditional.push({ channel: channel.name, arch, from: e.from, to: e.to, risks: [...new Set(e.risks.map((x) => x.name))] });
      }
    }
    if (platform.release) releases.push({ channel: '', arch: '', payload: platform.release });
  }
  const patterns = config.blockedImages.map((b) => new RegExp(b));
  const blocked = config.additionalImages.filter((i) => patterns.some((p) => p.test(i)));
  return {
    releases: [...new Map(releases.map((r) => [r.payload, r])).values()],
    conditional,
    images: config.additionalImages.filter((i) => !blocked.includes(i)),
    blocked,
    catalogs: config.operators.map((o) => ({ catalog: o.catalog, packages: o.packages.flatMap(packageSpecs), withDependencies: !o.skipDependencies })),
    ...(config.archiveSizeGiB ? { volumeSize: config.archiveSizeGiB * GIB } : {}),
  };
}
