import { compareVersions, type UpdateGraph } from '../update-graph';
import { updatePath, type UpdatePath } from '../update-path';
import type { ReleaseChannelSpec } from './config';

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
