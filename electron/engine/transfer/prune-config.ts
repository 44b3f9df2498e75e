import { formatRequirement, parsePackageSpec, resolveSelection, type PackageSelection } from '../../../shared/catalog/resolve';
import { parseSemVer } from '../../../shared/catalog/semver';
import { FerryError } from '../../../shared/errors';
import type { ImageSetConfig, ReleaseChannelSpec } from '../../../shared/imageset/config';
import { selectImageSet } from '../../../shared/imageset/selection';
import { mirrorRepositoryFor, RELEASE_SOURCE, type ImageRole, type MirrorTarget } from '../../../shared/mirror-mapping';
import { formatReference, parseReference, type ImageReference } from '../../../shared/reference';
import { parseReleaseArchitecture } from '../../../shared/release-arch';
import { checkChannel, compareVersions, type UpdateGraph } from '../../../shared/update-graph';
import { readCatalogImage } from '../catalog/read';
import type { EngineContext } from '../context';
import { resolveRelease } from '../release/resolve';
import { GRAPH_IMAGE } from '../update-graph/graph-image';

/**
 * `ferry prune --config imageset.yaml`: what an ImageSetConfiguration selects, resolved against the mirror itself,
 * because prune runs on the disconnected side where neither the update graph nor the source registries answer.
 * The mirror holds what earlier pushes put there under Ferry's names (mirror-mapping.ts, destination.ts), so:
 * - a platform channel keeps the release images the mirror holds (`NS/ocp-release:VERSION-ARCH`) in its range, each
 *   with every component its payload names (read from the mirror's release image by the engine's release reader);
 * - a catalog keeps the filtered catalog push left under the catalog's name and tag, and the bundle and related
 *   images the file's packages select in that catalog's FBC (the same selection `ferry mirror --catalog` resolves);
 * - an additional image (less the blocked ones) and, with `graph: true`, the graph-data image keep what their mirror
 *   name points at.
 * Prune only decides what to delete, so whatever cannot be decided offline is kept (a superset is safe), and what
 * the file selects but the mirror lacks is reported, never an error.
 */
export interface ConfigKeep {
  /** Every image the file keeps, `HOST/REPOSITORY@DIGEST` in the mirror (manifest lists: their children are kept with them). */
  images: string[];
  releases: Array<{ channel: string; arch: string; version: string; image: string; components: number }>;
  catalogs: Array<{ catalog: string; image: string; bundles: string[]; images: number }>;
  /** Additional images and the graph-data image. */
  additional: Array<{ source: string; image: string }>;
  /** Additional images a blockedImages pattern removed: not kept. */
  blocked: string[];
  /** What the file selects that the mirror does not hold. */
  missing: Array<{ what: string; why: string }>;
  /** How the selection was widened to be decided without the update graph. */
  notes: string[];
}

/** The release tags push writes (`VERSION-ARCH`, destination.ts mirrorReference); a multi payload's child tags carry a suffix after it. */
const RELEASE_TAG = /^(.+)-(x86_64|aarch64|ppc64le|s390x|multi)$/;

const headsOnly = (c: ReleaseChannelSpec) => c.minVersion === undefined && c.maxVersion === undefined && !c.full;

/** Release tag architecture → version → the digest its `VERSION-ARCH` tag names. */
export type Held = Map<string, Map<string, string>>;

/** The release images the mirror holds, by tag architecture and version, each with the digest its tag names. */
async function heldReleases(ctx: EngineContext, target: MirrorTarget, arches: ReadonlySet<string>): Promise<{ repository: string; held: Held }> {
  const { repository } = mirrorRepositoryFor(parseReference(RELEASE_SOURCE), 'release', target);
  const client = ctx.registry(target.registry);
  const tags = (await client.listTags(repository, ctx.signal)).flatMap((tag) => {
    const m = RELEASE_TAG.exec(tag);
    return m && arches.has(m[2]!) && parseSemVer(m[1]!) ? [{ tag, version: m[1]!, arch: m[2]! }] : [];
  });
  const held: Held = new Map();
  await Promise.all(
    tags.map((t) =>
      ctx.checks(async () => {
        const digest = (await client.headManifest(repository, t.tag, ctx.signal ? { signal: ctx.signal } : {}))?.digest;
        if (!digest) return;
        held.set(t.arch, (held.get(t.arch) ?? new Map<string, string>()).set(t.version, digest));
      }),
    ),
  );
  return { repository, held };
}

/** `stable-4.15` → 4 and 15: a channel holds releases of its own minor and of earlier ones (they update into it). */
function channelMinor(name: string): { major: number; minor: number } {
  const m = /-(\d+)\.(\d+)$/.exec(checkChannel(name))!;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

function checkVersions(channels: readonly ReleaseChannelSpec[]): void {
  channels.forEach((c, i) => {
    for (const key of ['minVersion', 'maxVersion'] as const) {
      const v = c[key];
      if (v !== undefined && !parseSemVer(v)) {
        throw new FerryError('INVALID_INPUT', `mirror.platform.channels[${i}].${key}: "${v}" is not a release version.`, { hint: 'Give versions like 4.15.4.' });
      }
    }
  });
}

/**
 * The update graph of one channel as the mirror can stand in for it: its nodes are the releases the mirror holds
 * that the channel may contain (same major, this minor or an earlier one; this minor only when every entry of the
 * channel asks for its head, which is always of the channel's minor), plus each version the file names as a bound,
 * so that the selection's range starts and ends where the file says. A bound the mirror lacks gets its mirror tag
 * as payload (no digest): the caller reports it. No edges: shortestPath is planned as the range (see `offline`).
 */
function offlineGraph(held: ReadonlyMap<string, string>, specs: readonly ReleaseChannelSpec[], name: string, at: ImageReference, tagArch: string): UpdateGraph {
  const { major, minor } = channelMinor(name);
  const ownMinorOnly = specs.every(headsOnly);
  const payload = (version: string) => {
    const digest = held.get(version);
    return formatReference({ ...at, ...(digest ? { digest } : { tag: `${version}-${tagArch}` }) });
  };
  const versions = new Set(
    [...held.keys()].filter((v) => {
      const s = parseSemVer(v)!;
      return s.major === major && (ownMinorOnly ? s.minor === minor : s.minor <= minor);
    }),
  );
  for (const c of specs) for (const v of [c.minVersion, c.maxVersion]) if (v !== undefined) versions.add(v);
  return { nodes: [...versions].map((version) => ({ version, payload: payload(version), metadata: {} })), edges: [], conditionalEdges: [] };
}

/**
 * A channel entry as it can be planned without the graph: shortestPath needs the graph's edges, so the whole range
 * is kept (every path lies within it); the head of a heads-only entry is whichever release the graph names newest,
 * so every release of the channel's minor the mirror holds is kept (oc-mirror v2 resolveChannelVersions: no
 * minVersion and no maxVersion without `full` means the head only).
 */
function offline(c: ReleaseChannelSpec): ReleaseChannelSpec {
  return { ...c, shortestPath: false, full: c.full || headsOnly(c) };
}

class Collector {
  readonly keep: ConfigKeep = { images: [], releases: [], catalogs: [], additional: [], blocked: [], missing: [], notes: [] };

  constructor(
    readonly ctx: EngineContext,
    readonly target: MirrorTarget,
  ) {}

  /** Where push put `source` (role as push gave it), with the tag or digest it is found by. */
  at(source: ImageReference, role: ImageRole, selector: { tag?: string; digest?: string }): ImageReference {
    return { ...mirrorRepositoryFor(source, role, this.target), ...selector };
  }

  /** The digest `ref` names in the mirror, or undefined when it is not there. */
  async digestOf(ref: ImageReference): Promise<string | undefined> {
    const selector = ref.digest ?? ref.tag;
    if (!selector) return undefined;
    const head = await this.ctx.checks(() => this.ctx.registry(ref.registry).headManifest(ref.repository, selector, this.ctx.signal ? { signal: this.ctx.signal } : {}));
    return head ? (head.digest ?? ref.digest) : undefined;
  }

  add(ref: ImageReference, digest: string): string {
    const image = formatReference({ registry: ref.registry, repository: ref.repository, digest });
    this.keep.images.push(image);
    return image;
  }

  missing(what: string, why: string): void {
    this.keep.missing.push({ what, why });
  }
}

async function keepRelease(c: Collector, pullspec: string, label: { channel: string }): Promise<void> {
  const release = await resolveRelease(c.ctx, pullspec);
  const image = c.add(parseReference(pullspec), release.digest);
  for (const component of release.components) c.add(c.at(component.source, 'component', {}), component.source.digest);
  c.keep.releases.push({ channel: label.channel, arch: release.architecture, version: release.version, image, components: release.components.length });
}

type Platform = NonNullable<ImageSetConfig['platform']>;

/** The file's architectures (oc-mirror's default amd64), each with its release tag spelling. */
function architectures(platform: Platform): Array<{ arch: string; tag: string }> {
  return (platform.architectures.length ? platform.architectures : ['amd64']).map((a) => ({ arch: a, tag: parseReleaseArchitecture(a).tag }));
}

export interface OfflineChannels {
  /** The selected releases the mirror holds, by digest in `at`'s repository. */
  releases: Array<{ channel: string; arch: string; version: string; payload: string }>;
  missing: ConfigKeep['missing'];
  notes: string[];
}

/**
 * The platform channels of a file, decided without the update graph from the release images the mirror holds
 * (`held`: release tag architecture → version → digest, in the repository `at`), by the same selection code as
 * `ferry mirror --config`, given the graph the mirror stands in for (offlineGraph) and the channels as they can be
 * planned without it (offline).
 */
export async function channelsOffline(platform: Platform, at: ImageReference, held: Held): Promise<OfflineChannels> {
  checkVersions(platform.channels);
  const arches = architectures(platform);
  const out: OfflineChannels = { releases: [], missing: [], notes: [] };
  if (platform.channels.some((ch) => ch.shortestPath)) out.notes.push('shortestPath is kept as the whole range: the update graph is not reachable here.');
  if (platform.channels.some(headsOnly)) out.notes.push('A channel without minVersion and maxVersion keeps every release of its minor the mirror holds: which one is the channel head only the update graph knows.');
  if (platform.channels.some((ch) => !headsOnly(ch) && (ch.minVersion === undefined || ch.maxVersion === undefined))) {
    out.notes.push('An open end of a channel range runs to the newest (or from the oldest) release of the channel the mirror holds.');
  }
  const tagOf = new Map(arches.map((a) => [a.arch, a.tag]));
  const config: ImageSetConfig = { platform: { ...platform, channels: platform.channels.map(offline), release: undefined }, operators: [], additionalImages: [], blockedImages: [] };
  const selection = await selectImageSet(config, async (name, arch) => offlineGraph(held.get(tagOf.get(arch)!) ?? new Map(), platform.channels.filter((ch) => ch.name === name), name, at, tagOf.get(arch)!));
  for (const ch of platform.channels.filter(headsOnly)) {
    const { major, minor } = channelMinor(ch.name);
    for (const a of arches) {
      const ofMinor = [...(held.get(a.tag)?.keys() ?? [])].some((v) => parseSemVer(v)!.major === major && parseSemVer(v)!.minor === minor);
      if (!ofMinor) out.missing.push({ what: `the head of ${ch.name} (${a.tag})`, why: `the mirror holds no ${major}.${minor} release for ${a.tag}.` });
    }
  }
  for (const r of selection.releases) {
    const tag = tagOf.get(r.arch)!;
    if (parseReference(r.payload).digest) out.releases.push({ channel: r.channel, arch: tag, version: r.version!, payload: r.payload });
    else out.missing.push({ what: `release ${r.version}-${tag} (${r.channel})`, why: `${r.payload} is not in the mirror.` });
  }
  return out;
}

async function keepPlatform(c: Collector, platform: Platform | undefined): Promise<void> {
  if (!platform) return;
  const { repository, held } = await heldReleases(c.ctx, c.target, new Set(architectures(platform).map((a) => a.tag)));
  const channels = await channelsOffline(platform, { registry: c.target.registry, repository }, held);
  c.keep.notes.push(...channels.notes);
  c.keep.missing.push(...channels.missing);
  await Promise.all(channels.releases.map((r) => keepRelease(c, r.payload, { channel: r.channel })));
  if (platform.release) await keepGivenRelease(c, platform.release);
}

/** `platform.release`: the pullspec where push put it, by its digest or its `VERSION-ARCH` tag. */
async function keepGivenRelease(c: Collector, pullspec: string): Promise<void> {
  const src = parseReference(pullspec);
  const selector = src.digest ? { digest: src.digest } : src.tag && RELEASE_TAG.test(src.tag) ? { tag: src.tag } : undefined;
  if (!selector) return c.missing(`release ${pullspec}`, 'push names a release in the mirror by its digest or its VERSION-ARCH tag; give platform.release as one of those.');
  const at = c.at(src, 'release', selector);
  const digest = await c.digestOf(at);
  if (!digest) return c.missing(`release ${pullspec}`, `${formatReference(at)} is not in the mirror.`);
  await keepRelease(c, formatReference({ ...at, digest }), { channel: '' });
}

/** One catalog of the file: its filtered catalog in the mirror and what the file's packages select in it. */
async function keepCatalog(c: Collector, catalog: string, packages: readonly string[], withDependencies: boolean): Promise<void> {
  const src = parseReference(catalog);
  // As push names a filtered catalog (filtered-image.ts): the catalog's tag; a catalog given by digest only is pushed by its new digest.
  const tag = src.tag ?? (src.digest ? undefined : 'latest');
  if (!tag) return c.missing(`catalog ${catalog}`, 'a catalog given by digest is pushed by the digest of its filtered catalog, which only its receipt knows: keep it with --keep.');
  const at = c.at(src, 'extra', { tag });
  const digest = await c.digestOf(at);
  if (!digest) return c.missing(`catalog ${catalog}`, `${formatReference(at)} is not in the mirror.`);
  const image = c.add(at, digest);
  const read = await readCatalogImage(c.ctx, formatReference({ ...at, digest }));
  // Each package alone first, so a package, channel or range the filtered catalog lacks is reported and the others still kept.
  const found: PackageSelection[] = [];
  for (const spec of packages) {
    const selection = parsePackageSpec(spec);
    try {
      resolveSelection(read.catalog, [selection]);
      found.push(selection);
    } catch (e) {
      if (!(e instanceof FerryError)) throw e;
      c.missing(`${spec} in ${catalog}`, e.message);
    }
  }
  const resolution = resolveSelection(read.catalog, found, { withDependencies });
  for (const m of resolution.missing) {
    const why = m.providers.length ? 'the file does not select a bundle that meets it (skipDependencies).' : 'no bundle of the mirror\'s catalog meets it.';
    c.missing(`${formatRequirement(m.requirement)}, needed by ${m.requiredBy} in ${catalog}`, why);
  }
  for (const i of resolution.images) {
    const ref = parseReference(i);
    const kept = ref.digest ?? (await c.digestOf(c.at(ref, 'extra', { tag: ref.tag ?? 'latest' })));
    if (kept) c.add(c.at(ref, 'extra', {}), kept);
  }
  c.keep.catalogs.push({ catalog, image, bundles: resolution.bundles.map((b) => `${b.package} ${b.version}`), images: resolution.images.length });
}

/** An additional image (or the graph image) where push put it: under its own path and tag, or by digest. */
async function keepImage(c: Collector, source: string): Promise<void> {
  const src = parseReference(source);
  const selector = src.digest ? { digest: src.digest } : src.tag ? { tag: src.tag } : undefined;
  if (!selector) return c.missing(`image ${source}`, 'an image named without tag or digest is pushed by digest only, which only its receipt knows: keep it with --keep.');
  const at = c.at(src, 'extra', selector);
  const digest = await c.digestOf(at);
  if (!digest) return c.missing(`image ${source}`, `${formatReference(at)} is not in the mirror.`);
  c.keep.additional.push({ source, image: c.add(at, digest) });
}

export async function keepFromConfig(ctx: EngineContext, target: MirrorTarget, config: ImageSetConfig): Promise<ConfigKeep> {
  const c = new Collector(ctx, target);
  await keepPlatform(c, config.platform);
  // The rest of the selection needs no graph: the same selection code as `ferry mirror --config`, without the platform.
  const selection = await selectImageSet({ ...config, platform: undefined }, () => Promise.reject(new Error('no graph')));
  for (const cat of selection.catalogs) await keepCatalog(c, cat.catalog, cat.packages, cat.withDependencies);
  for (const image of selection.images) await keepImage(c, image);
  if (config.platform?.graph) await keepImage(c, formatReference(GRAPH_IMAGE));
  c.keep.blocked = selection.blocked;
  c.keep.images = [...new Set(c.keep.images)].sort();
  c.keep.releases.sort((a, b) => compareVersions(a.version, b.version) || (a.arch < b.arch ? -1 : 1));
  return c.keep;
}
