import { z } from 'zod';
import { FerryError } from './errors';
import { parseJsonDocument } from './pull-secret/json-document';
import { parseReleaseArchitecture } from './release-arch';

/**
 * The OpenShift update graph (Cincinnati): `GET URL?channel=C&arch=A` answers
 * `{nodes: [{version, payload, metadata}], edges: [[from, to]], conditionalEdges: [{edges: [{from, to}], risks}]}`.
 * An edge holds two indexes into `nodes` and means "a cluster at nodes[from] can update to nodes[to]"
 * (recommended); a conditional edge names versions and is an update with known risks, each an openshift/api
 * ConditionalUpdateRisk (`url`, `name`, `message`, `matchingRules`). The shape and the rules are the
 * cluster-version-operator's (pkg/cincinnati/cincinnati.go): an update listed both ways counts as conditional.
 * Pure parsing and ordering, so the CLI (`ferry release list`) and the app's release picker show the same list.
 */
export const DEFAULT_GRAPH_URL = 'https://api.openshift.com/api/upgrades_info/v1/graph';
/** The update service's graph data (channels, blocked edges) as one gzip'd tar: oc-mirror v2's graphURL (internal/pkg/release/const.go). */
export const DEFAULT_GRAPH_DATA_URL = 'https://api.openshift.com/api/upgrades_info/graph-data';

/** Metadata key listing the channels a release is in (comma-separated). */
const CHANNELS_KEY = 'io.openshift.upgrades.graph.release.channels';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

const nodeSchema = z.object({
  version: z.string().regex(SEMVER, 'expected a semantic version like 4.15.3 or 4.15.0-rc.1'),
  payload: z.string().min(1),
  metadata: z.record(z.string(), z.string()).default({}),
});

const indexSchema = z.number().int().nonnegative();

const riskSchema = z.object({
  url: z.string(),
  name: z.string().min(1),
  message: z.string(),
  // Evaluated by the cluster against its own metrics; carried, not interpreted, here.
  matchingRules: z.array(z.object({ type: z.string() }).passthrough()).default([]),
});

const conditionalEdgesSchema = z.object({
  edges: z.array(z.object({ from: z.string().min(1), to: z.string().min(1) })),
  risks: z.array(riskSchema),
});

export const updateGraphSchema = z
  .object({
    nodes: z.array(nodeSchema),
    edges: z.array(z.tuple([indexSchema, indexSchema])).default([]),
    conditionalEdges: z.array(conditionalEdgesSchema).nullable().default([]),
  })
  .superRefine((graph, ctx) => {
    graph.edges.forEach((edge, i) => {
      edge.forEach((n, j) => {
        if (n >= graph.nodes.length) ctx.addIssue({ code: 'custom', path: ['edges', i, j], message: `node ${n} does not exist (the graph has ${graph.nodes.length} nodes)` });
      });
    });
  });

export type UpdateGraph = z.infer<typeof updateGraphSchema>;

/** A known risk of a conditional update, as the graph states it. */
export interface UpdateRisk {
  name: string;
  message: string;
  url: string;
}

export interface ConditionalSource {
  version: string;
  /** Names of the risks of the update from `version`. */
  risks: string[];
}

export interface ReleaseEntry {
  version: string;
  /** The release image pullspec (by digest), what `ferry mirror --release` takes. */
  payload: string;
  channels: string[];
  /** Errata page, when the graph gives one. */
  url?: string;
  /** Versions with a recommended edge to this one (clusters there can update to it), newest first. */
  updatesFrom: string[];
  /** Versions with a conditional edge to this one, newest first, each with its risks' names. */
  conditionalFrom: ConditionalSource[];
  /** Every risk of the conditional updates to this version, once each. */
  risks: UpdateRisk[];
  /** Clusters reach this version only by accepting a risk: no recommended edge leads here, a conditional one does. */
  conditionalOnly: boolean;
}

const CHANNEL = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+\.\d+$/;

/** Channels look like stable-4.15, fast-4.15, candidate-4.15, eus-4.14. */
export function checkChannel(channel: string): string {
  if (!CHANNEL.test(channel)) {
    throw new FerryError('USAGE', `"${channel}" is not an update channel name.`, { hint: 'Channels are NAME-MAJOR.MINOR, e.g. stable-4.15, fast-4.15, candidate-4.15 or eus-4.14.' });
  }
  return channel;
}

/** The graph names architectures as Go does (amd64, arm64, …, multi); either spelling is accepted. */
export function graphArchitecture(arch: string): string {
  return parseReleaseArchitecture(arch).platform ?? 'multi';
}

/** An update service URL the user gave with `flag`: http(s) only. */
export function serviceUrl(base: string, flag: string, hint: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new FerryError('USAGE', `${flag} "${base}" is not a URL.`, { hint });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new FerryError('USAGE', `${flag} "${base}" is not an http(s) URL.`, { hint });
  return url;
}

/** The request URL: the service URL with `channel` and `arch` set (any other query parameter kept). */
export function graphQueryUrl(base: string, channel: string, arch: string): string {
  const url = serviceUrl(base, '--graph-url', `Give the update service's graph endpoint, e.g. ${DEFAULT_GRAPH_URL}`);
  url.searchParams.set('channel', checkChannel(channel));
  url.searchParams.set('arch', graphArchitecture(arch));
  return url.toString();
}

interface Version {
  core: [number, number, number];
  pre: string[];
}

function parseVersion(v: string): Version {
  const m = SEMVER.exec(v);
  if (!m) throw new Error(`not a semantic version: ${v}`);
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
}

/** Semantic version order (SemVer 2.0 §11): 4.15.0-rc.2 < 4.15.0-rc.10 < 4.15.0 < 4.15.1; build metadata ignored. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i]! - y.core[i]!;
  if (x.pre.length === 0 || y.pre.length === 0) return y.pre.length - x.pre.length;
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i]!;
    const q = y.pre[i]!;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return x.pre.length - y.pre.length;
}

/** Parses the service's answer; anything else is BAD_RESPONSE naming where it went wrong. */
export function parseUpdateGraph(text: string, source: string): UpdateGraph {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const located = parseJsonDocument(text);
    const where = located.ok ? '' : ` at line ${located.error.line}, column ${located.error.column}: ${located.error.reason}`;
    throw new FerryError('BAD_RESPONSE', `The update graph from ${source} is not valid JSON${where}.`, {
      hint: 'Check that --graph-url is an update service graph endpoint (…/api/upgrades_info/v1/graph) and that no proxy answers in its place.',
    });
  }
  const parsed = updateGraphSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
    throw new FerryError('BAD_RESPONSE', `The update graph from ${source} is not a Cincinnati graph: ${issues.join('; ')}.`, {
      hint: 'Check that --graph-url is an update service graph endpoint (…/api/upgrades_info/v1/graph).',
    });
  }
  return parsed.data;
}

/**
 * Conditional updates by target version: source version → the risks of that update. Edges naming a version
 * the graph does not hold are left out (a channel's graph may cut a group short; nothing can be shown for them).
 */
export function conditionalUpdates(graph: UpdateGraph): Map<string, Map<string, UpdateRisk[]>> {
  const known = new Set(graph.nodes.map((n) => n.version));
  const byTarget = new Map<string, Map<string, UpdateRisk[]>>();
  for (const group of graph.conditionalEdges ?? []) {
    const risks = group.risks.map((r) => ({ name: r.name, message: r.message, url: r.url }));
    for (const { from, to } of group.edges) {
      if (!known.has(from) || !known.has(to)) continue;
      const sources = byTarget.get(to) ?? new Map<string, UpdateRisk[]>();
      sources.set(from, [...(sources.get(from) ?? []), ...risks]);
      byTarget.set(to, sources);
    }
  }
  return byTarget;
}

function uniqueByName(risks: UpdateRisk[]): UpdateRisk[] {
  const seen = new Map<string, UpdateRisk>();
  for (const r of risks) if (!seen.has(r.name)) seen.set(r.name, r);
  return [...seen.values()];
}

/** Every release, newest first, each with the versions that can update to it, recommended and conditionally. */
export function listReleases(graph: UpdateGraph): ReleaseEntry[] {
  const from = new Map<number, Set<string>>();
  for (const [a, b] of graph.edges) {
    const set = from.get(b) ?? new Set<string>();
    set.add(graph.nodes[a]!.version);
    from.set(b, set);
  }
  const conditional = conditionalUpdates(graph);
  const newestFirst = (a: string, b: string): number => compareVersions(b, a);
  return graph.nodes
    .map((node, i): ReleaseEntry => {
      const channels = (node.metadata[CHANNELS_KEY] ?? '').split(',').map((c) => c.trim()).filter(Boolean);
      const url = node.metadata.url;
      const sources = conditional.get(node.version) ?? new Map<string, UpdateRisk[]>();
      // As the CVO: an update listed both ways is conditional (its risks must not be hidden).
      const updatesFrom = [...(from.get(i) ?? [])].filter((v) => !sources.has(v)).sort(newestFirst);
      const conditionalFrom = [...sources.keys()].sort(newestFirst).map((v) => ({ version: v, risks: uniqueByName(sources.get(v)!).map((r) => r.name) }));
      return {
        version: node.version,
        payload: node.payload,
        channels,
        ...(url ? { url } : {}),
        updatesFrom,
        conditionalFrom,
        risks: uniqueByName([...sources.values()].flat()),
        conditionalOnly: updatesFrom.length === 0 && conditionalFrom.length > 0,
      };
    })
    .sort((a, b) => newestFirst(a.version, b.version));
}

/** An update a cluster at some version can take: recommended, or conditional with the risks of that very update. */
export interface UpdateTarget {
  version: string;
  payload: string;
  conditional: boolean;
  risks: UpdateRisk[];
}

/** The updates from `version`, newest first, conditional ones with their risks; NOT_FOUND when the graph does not hold it. */
export function updateTargets(releases: readonly ReleaseEntry[], version: string): UpdateTarget[] {
  if (!releases.some((r) => r.version === version)) {
    throw new FerryError('NOT_FOUND', `${version} is not in this update graph.`, { hint: 'Give a version the channel lists (run without --from to see them), or another --channel.' });
  }
  const out: UpdateTarget[] = [];
  for (const r of releases) {
    const conditional = r.conditionalFrom.find((c) => c.version === version);
    if (conditional) out.push({ version: r.version, payload: r.payload, conditional: true, risks: r.risks.filter((x) => conditional.risks.includes(x.name)) });
    else if (r.updatesFrom.includes(version)) out.push({ version: r.version, payload: r.payload, conditional: false, risks: [] });
  }
  return out;
}
