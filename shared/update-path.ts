import { FerryError } from './errors';
import { compareVersions, conditionalUpdates, type UpdateGraph, type UpdateRisk } from './update-graph';

/**
 * The releases a cluster passes through from one version to another in a channel, as oc-mirror v2 plans an
 * ImageSetConfiguration's platform channel (internal/pkg/release/core-cincinnati.go and cincinnati.go):
 * `shortestPath` is a breadth-first search over the update edges, each node's targets tried newest first
 * (so the result is deterministic and takes the longest safe jumps); otherwise every release of the channel
 * between the two versions, inclusive (GetUpdatesInRange). oc-mirror's search reads only the recommended
 * `edges`; Ferry does too, and falls back to conditional edges only when no recommended path exists, naming
 * the risks of each conditional step, because a cluster takes such an update only when its admin accepts them.
 */
export interface PathRelease {
  version: string;
  payload: string;
}

export interface PathEdge {
  from: string;
  to: string;
  /** A conditional update: the cluster takes it only after its admin accepts these risks. */
  risks?: UpdateRisk[];
}

export interface UpdatePath {
  from: string;
  to: string;
  mode: 'shortest' | 'range';
  /** Oldest first. */
  releases: PathRelease[];
  /** Shortest: the steps taken. Range: every update edge between the releases listed. */
  edges: PathEdge[];
}

interface Edges {
  recommended: Map<string, string[]>;
  conditional: Map<string, Map<string, UpdateRisk[]>>;
}

function edgesOf(graph: UpdateGraph): Edges {
  const recommended = new Map<string, string[]>();
  for (const [a, b] of graph.edges) {
    const from = graph.nodes[a]!.version;
    recommended.set(from, [...(recommended.get(from) ?? []), graph.nodes[b]!.version]);
  }
  const conditional = new Map<string, Map<string, UpdateRisk[]>>();
  for (const [to, sources] of conditionalUpdates(graph)) {
    for (const [from, risks] of sources) conditional.set(from, (conditional.get(from) ?? new Map<string, UpdateRisk[]>()).set(to, risks));
  }
  // As the CVO: an update listed both ways is conditional (its risks must not be hidden).
  for (const [from, targets] of conditional) recommended.set(from, (recommended.get(from) ?? []).filter((to) => !targets.has(to)));
  return { recommended, conditional };
}

/** Breadth-first from `from` to `to`, each node's targets newest first; undefined when `to` is unreachable. */
function search(next: (v: string) => string[], from: string, to: string): string[] | undefined {
  const prev = new Map<string, string | undefined>([[from, undefined]]);
  const queue = [from];
  while (queue.length && !prev.has(to)) {
    const node = queue.shift()!;
    for (const n of [...next(node)].sort((a, b) => compareVersions(b, a))) {
      if (prev.has(n)) continue;
      prev.set(n, node);
      queue.push(n);
    }
  }
  if (!prev.has(to)) return undefined;
  const path: string[] = [];
  for (let v: string | undefined = to; v !== undefined; v = prev.get(v)) path.unshift(v);
  return path;
}

export function updatePath(graph: UpdateGraph, from: string, to: string, opts: { shortestPath: boolean; channel: string }): UpdatePath {
  const payloads = new Map(graph.nodes.map((n) => [n.version, n.payload]));
  for (const v of [from, to]) {
    if (!payloads.has(v)) {
      throw new FerryError('NOT_FOUND', `${v} is not in ${opts.channel}.`, { hint: `Run ferry release list --channel ${opts.channel} to see the versions it holds, or choose another channel.` });
    }
  }
  if (compareVersions(from, to) > 0) {
    throw new FerryError('USAGE', `--from ${from} is newer than --to ${to}.`, { hint: 'Give the version the cluster runs as --from and the version to reach as --to.' });
  }
  const { recommended, conditional } = edgesOf(graph);
  const release = (version: string): PathRelease => ({ version, payload: payloads.get(version)! });
  const edge = (a: string, b: string): PathEdge | undefined => {
    if (recommended.get(a)?.includes(b)) return { from: a, to: b };
    const risks = conditional.get(a)?.get(b);
    return risks ? { from: a, to: b, risks } : undefined;
  };

  if (opts.shortestPath) {
    const path =
      search((v) => recommended.get(v) ?? [], from, to) ??
      search((v) => [...(recommended.get(v) ?? []), ...(conditional.get(v)?.keys() ?? [])], from, to);
    if (!path) {
      throw new FerryError('NOT_FOUND', `No update path leads from ${from} to ${to} in ${opts.channel}.`, {
        hint: `Run ferry release list --channel ${opts.channel} --from ${from} to see where ${from} can go, or mirror the range instead of the shortest path.`,
      });
    }
    return { from, to, mode: 'shortest', releases: path.map(release), edges: path.slice(1).map((v, i) => edge(path[i]!, v)!) };
  }
  const versions = [...payloads.keys()].filter((v) => compareVersions(v, from) >= 0 && compareVersions(v, to) <= 0).sort(compareVersions);
  const inRange = new Set(versions);
  const edges = versions.flatMap((a) =>
    [...(recommended.get(a) ?? []), ...(conditional.get(a)?.keys() ?? [])]
      .filter((b) => inRange.has(b))
      .sort(compareVersions)
      .map((b) => edge(a, b)!),
  );
  return { from, to, mode: 'range', releases: versions.map(release), edges };
}

/**
 * What the app draws (`release.path`): every release between the two versions with the edges among them, and
 * the shortest path through them; each conditional edge names its risks once.
 */
export function updatePathView(graph: UpdateGraph, req: { channel: string; arch: string; from: string; to: string }) {
  const range = updatePath(graph, req.from, req.to, { shortestPath: false, channel: req.channel });
  const shortest = updatePath(graph, req.from, req.to, { shortestPath: true, channel: req.channel });
  return {
    ...req,
    releases: range.releases.map((r) => ({ version: r.version, pullspec: r.payload })),
    edges: range.edges.map((e) => ({ from: e.from, to: e.to, ...(e.risks ? { risks: [...new Set(e.risks.map((x) => x.name))] } : {}) })),
    path: shortest.releases.map((r) => r.version),
  };
}
