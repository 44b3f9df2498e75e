import { compareVersions, type UpdateGraph } from '../update-graph';
import { updatePath, type UpdatePath } from '../update-path';
import type { ReleaseChannelSpec } from './config';
import type { SelectedRelease } from './selection';

/**
 * The releases one platform channel of an ImageSetConfiguration asks for, with oc-mirror v2's defaults
 * (internal/pkg/release/cincinnati.go resolveChannelVersions and getChannelDownloads): no maxVersion means
 * the channel's newest release; no minVersion means the newest too when only heads are asked for (`full`
 * false), else the channel's oldest; then every release in [min, max], or only the shortest update path
 * between them with `shortestPath`.
 */
export function channelReleases(graph: UpdateGraph, spec: ReleaseChannelSpec): UpdatePath {
  const versions = graph.nodes.map((n) => n.version).sort(compareVersions);
  const newest = versions.at(-1);
  const oldest = versions[0];
  if (!newest || !oldest) return { from: '', to: '', mode: 'range', releases: [], edges: [] };
  const max = spec.maxVersion ?? newest;
  const min = spec.minVersion ?? (spec.maxVersion === undefined && !spec.full ? newest : oldest);
  return updatePath(graph, min, max, { shortestPath: spec.shortestPath, channel: spec.name });
}

/**
 * How a transfer carries what an ImageSetConfiguration selects, for `ferry mirror --config` and the app alike:
 * the newest (the last of the highest version; a release given by pullspec alone only when it is the one) is the
 * primary release, the others travel beside it in path order.
 */
export function primaryAndOthers(releases: readonly SelectedRelease[]): { primary?: SelectedRelease; others: SelectedRelease[] } {
  const primary = releases.reduce<SelectedRelease | undefined>((best, r) => {
    if (!best) return r;
    if (r.version === undefined) return best.version === undefined ? r : best;
    return best.version === undefined || compareVersions(r.version, best.version) >= 0 ? r : best;
  }, undefined);
  return { ...(primary ? { primary } : {}), others: releases.filter((r) => r !== primary) };
}
