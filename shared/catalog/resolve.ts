import { FerryError } from '../errors';
import { channelBundles, channelHead, deprecationsFor, formatGvk, type Catalog, type CatalogBundle, type CatalogChannel, type CatalogPackage, type Gvk, type RelatedImage } from './model';
import { compareSemVer, inRange, parseRange, parseSemVer, versionInRange, type SemVer } from './semver';

/**
 * Which bundles of a catalog a selection needs, following OLM's channel upgrade graph (operator-registry
 * `alpha/model/model.go`, olm-docs "Creating an update graph"): in a channel, entry E upgrades a cluster
 * from bundle X when E `replaces` X, lists X in `skips`, or X's version is in E's `skipRange`.
 *
 * - No range: the channel head only (what a new install gets, oc-mirror's default).
 * - `maxVersion` only: the newest bundle of the channel at or below it.
 * - `minVersion` (and maybe `maxVersion`): every bundle whose version is in the range, plus any bundle outside it
 *   that lies on the shortest upgrade path from one of them to the newest bundle in the range. A bundle in the
 *   range with no path there is reported as stranded: a cluster on it could not upgrade within the mirror.
 *
 * Dependencies (`olm.package.required` with a version range, `olm.gvk.required`) of every chosen bundle must be
 * met by some chosen bundle (`olm.package` version in the range, `olm.gvk` equal). Unmet ones are reported with
 * the catalog bundles that would meet them; with `withDependencies` one provider each is added, in OLM's order of
 * preference (olm-docs `Concepts/olm-architecture/dependency-resolution`, "Understanding Preferences": the default
 * channel first, then the other channels by name; within a channel the head first, then newer before older), and
 * its own needs followed in turn.
 * A top-level `olm.constraint` on a GVK or package counts as the same requirement; compound and CEL constraints
 * are listed as unevaluated.
 */
export interface PackageSelection {
  package: string;
  channel?: string;
  minVersion?: string;
  maxVersion?: string;
}

export type Requirement = { kind: 'package'; packageName: string; versionRange: string } | { kind: 'gvk'; gvk: Gvk };

export interface ResolvedBundle {
  package: string;
  name: string;
  version: string;
  image: string;
  relatedImages: RelatedImage[];
  /** Channels it was chosen through. */
  channels: string[];
  reason: 'selected' | 'upgrade-path' | 'dependency';
  /** For a dependency: what it was added for. */
  satisfies?: Array<{ requiredBy: string; requirement: Requirement }>;
}

export interface Provider {
  package: string;
  bundle: string;
  version: string;
  channels: string[];
}

export interface MissingDependency {
  /** `package/bundle` that needs it. */
  requiredBy: string;
  requirement: Requirement;
  /** Catalog bundles that would meet it (empty: nothing in the catalog does). */
  providers: Provider[];
}

export interface StrandedBundle {
  package: string;
  channel: string;
  bundle: string;
  version: string;
  target: string;
}

export interface DeprecationNotice {
  package: string;
  channel?: string;
  bundle?: string;
  message: string;
}

export interface UnevaluatedConstraint {
  /** `package/bundle` that declares it. */
  bundle: string;
  constraint: string;
}

export interface Resolution {
  bundles: ResolvedBundle[];
  /** Every image to carry: bundle images and related images, each once, sorted. */
  images: string[];
  missing: MissingDependency[];
  /** Compound or CEL `olm.constraint`s of chosen bundles: not checked, for a person to look at. */
  unevaluated: UnevaluatedConstraint[];
  stranded: StrandedBundle[];
  deprecations: DeprecationNotice[];
}

export function formatRequirement(r: Requirement): string {
  return r.kind === 'package' ? `package ${r.packageName} ${r.versionRange}` : `API ${formatGvk(r.gvk)}`;
}

function usage(message: string, hint?: string): FerryError {
  return new FerryError('INVALID_INPUT', message, hint ? { hint } : {});
}

function versionOf(b: CatalogBundle): SemVer {
  const v = parseSemVer(b.version);
  if (!v) throw usage(`Bundle "${b.name}" of "${b.package}" has version "${b.version}", which is not semver.`);
  return v;
}

/**
 * For every bundle of the channel that can reach `target`, the next bundle on a shortest upgrade path there
 * (`target` maps to itself). One breadth-first search backwards from `target`: entry E upgrades a cluster on X
 * when E replaces X, skips X, or X's version is in E's skipRange.
 */
function pathsTo(pkg: CatalogPackage, channel: CatalogChannel, target: string): Map<string, string> {
  const bundles = channel.entries.map((e) => pkg.bundles[e.name]!);
  const parsed = new Map(bundles.map((b) => [b.name, parseSemVer(b.version)]));
  const entry = new Map(channel.entries.map((e) => [e.name, { e, range: e.skipRange !== undefined ? parseRange(e.skipRange) : undefined }]));
  const upgradesFrom = (to: string, from: string): boolean => {
    const { e, range } = entry.get(to)!;
    const v = parsed.get(from);
    return e.replaces === from || e.skips.includes(from) || (range !== undefined && v !== undefined && inRange(v, range));
  };
  const next = new Map<string, string>([[target, target]]);
  const queue = [target];
  while (queue.length) {
    const to = queue.shift()!;
    for (const b of bundles) {
      if (!next.has(b.name) && upgradesFrom(to, b.name)) {
        next.set(b.name, to);
        queue.push(b.name);
      }
    }
  }
  return next;
}

function lookup(catalog: Catalog, sel: PackageSelection): { pkg: CatalogPackage; channel: CatalogChannel } {
  const pkg = catalog.packages[sel.package];
  if (!pkg) throw usage(`The catalog has no package "${sel.package}".`, 'List its packages with `ferry catalog list CATALOG`.');
  const name = sel.channel ?? pkg.defaultChannel;
  const channel = pkg.channels[name];
  if (!channel) throw usage(`Package "${pkg.name}" has no channel "${name}".`, `Its channels: ${Object.keys(pkg.channels).join(', ')}.`);
  return { pkg, channel };
}

function bound(v: string | undefined, what: string): SemVer | undefined {
  if (v === undefined) return undefined;
  const parsed = parseSemVer(v);
  if (!parsed) throw usage(`The ${what} version "${v}" is not a semantic version.`, 'Give it as MAJOR.MINOR.PATCH, e.g. 1.2.0.');
  return parsed;
}

/** The bundle names one selection needs in its channel, and the bundles stranded below its target. */
function selectInChannel(sel: PackageSelection, pkg: CatalogPackage, channel: CatalogChannel): { names: Map<string, ResolvedBundle['reason']>; stranded: StrandedBundle[] } {
  const min = bound(sel.minVersion, 'minimum');
  const max = bound(sel.maxVersion, 'maximum');
  if (min && max && compareSemVer(min, max) > 0) throw usage(`The range ${sel.minVersion}..${sel.maxVersion} of "${pkg.name}" is empty.`);
  const names = new Map<string, ResolvedBundle['reason']>();
  const stranded: StrandedBundle[] = [];
  if (!min && !max) {
    names.set(channelHead(pkg.name, channel), 'selected');
    return { names, stranded };
  }
  const newestFirst = channelBundles(pkg, channel.name)
    .map((b) => ({ b, v: versionOf(b) }))
    .sort((x, y) => compareSemVer(y.v, x.v));
  const within = newestFirst.filter(({ v }) => (!min || compareSemVer(v, min) >= 0) && (!max || compareSemVer(v, max) <= 0));
  const range = `${sel.minVersion ?? ''}..${sel.maxVersion ?? ''}`;
  if (within.length === 0) {
    throw usage(`Channel "${channel.name}" of "${pkg.name}" has no bundle in ${range}.`, `Its versions: ${newestFirst.map(({ b }) => b.version).join(', ')}.`);
  }
  const target = within[0]!.b;
  if (!min) {
    names.set(target.name, 'selected');
    return { names, stranded };
  }
  for (const { b } of within) names.set(b.name, 'selected');
  const next = pathsTo(pkg, channel, target.name);
  for (const { b } of within) {
    if (!next.has(b.name)) {
      stranded.push({ package: pkg.name, channel: channel.name, bundle: b.name, version: b.version, target: target.name });
      continue;
    }
    for (let step = b.name; step !== target.name; step = next.get(step)!) if (!names.has(step)) names.set(step, 'upgrade-path');
  }
  return { names, stranded };
}

function channelsHolding(pkg: CatalogPackage, bundle: string): string[] {
  return Object.values(pkg.channels)
    .filter((c) => c.entries.some((e) => e.name === bundle))
    .map((c) => c.name);
}

function requirementsOf(b: CatalogBundle): Requirement[] {
  return [
    ...b.requiresPackages.map((r): Requirement => ({ kind: 'package', packageName: r.packageName, versionRange: r.versionRange })),
    ...b.requiresGvks.map((gvk): Requirement => ({ kind: 'gvk', gvk })),
  ];
}

function meets(b: CatalogBundle, r: Requirement): boolean {
  if (r.kind === 'package') return b.package === r.packageName && versionInRange(b.version, r.versionRange);
  return b.provides.some((g) => g.group === r.gvk.group && g.version === r.gvk.version && g.kind === r.gvk.kind);
}

/** Every catalog bundle that meets `r`, in OLM's order of preference (see the top of this file). */
function providersOf(catalog: Catalog, r: Requirement): Provider[] {
  const out: Provider[] = [];
  const pkgs = r.kind === 'package' ? [catalog.packages[r.packageName]].filter((p): p is CatalogPackage => p !== undefined) : Object.values(catalog.packages);
  for (const pkg of pkgs) {
    const order = [pkg.defaultChannel, ...Object.keys(pkg.channels).filter((c) => c !== pkg.defaultChannel)];
    const seen = new Set<string>();
    for (const ch of order) {
      for (const b of channelBundles(pkg, ch)) {
        if (seen.has(b.name) || !meets(b, r)) continue;
        seen.add(b.name);
        out.push({ package: pkg.name, bundle: b.name, version: b.version, channels: channelsHolding(pkg, b.name) });
      }
    }
  }
  return out;
}

export function resolveSelection(catalog: Catalog, selections: readonly PackageSelection[], opts: { withDependencies?: boolean } = {}): Resolution {
  const chosen = new Map<string, ResolvedBundle>();
  const key = (pkg: string, name: string): string => `${pkg}/${name}`;
  const choose = (pkg: CatalogPackage, name: string, channel: string, reason: ResolvedBundle['reason']): ResolvedBundle => {
    const existing = chosen.get(key(pkg.name, name));
    if (existing) {
      if (!existing.channels.includes(channel)) existing.channels.push(channel);
      // A bundle the user asked for stays "selected" even when another selection reached it as a step.
      if (reason === 'selected') existing.reason = 'selected';
      return existing;
    }
    const b = pkg.bundles[name]!;
    const rb: ResolvedBundle = { package: pkg.name, name, version: b.version, image: b.image, relatedImages: b.relatedImages, channels: [channel], reason };
    chosen.set(key(pkg.name, name), rb);
    return rb;
  };

  const stranded: StrandedBundle[] = [];
  const deprecations: DeprecationNotice[] = [];
  for (const sel of selections) {
    const { pkg, channel } = lookup(catalog, sel);
    const picked = selectInChannel(sel, pkg, channel);
    for (const [name, reason] of picked.names) choose(pkg, name, channel.name, reason);
    stranded.push(...picked.stranded);
  }

  const unmet = (): MissingDependency[] => {
    const all = [...chosen.values()].map((rb) => catalog.packages[rb.package]!.bundles[rb.name]!);
    const missing: MissingDependency[] = [];
    for (const b of all) {
      for (const r of requirementsOf(b)) {
        if (all.some((c) => meets(c, r))) continue;
        missing.push({ requiredBy: key(b.package, b.name), requirement: r, providers: providersOf(catalog, r) });
      }
    }
    return missing;
  };

  let missing = unmet();
  if (opts.withDependencies) {
    // Each round adds one provider per unmet need; the added bundles' own needs show up in the next round.
    for (;;) {
      const fixable = missing.filter((m) => m.providers.length > 0);
      if (fixable.length === 0) break;
      for (const m of fixable) {
        const p = m.providers[0]!;
        const pkg = catalog.packages[p.package]!;
        const channel = p.channels.includes(pkg.defaultChannel) ? pkg.defaultChannel : p.channels[0]!;
        const rb = choose(pkg, p.bundle, channel, 'dependency');
        if (rb.reason === 'dependency') (rb.satisfies ??= []).push({ requiredBy: m.requiredBy, requirement: m.requirement });
      }
      missing = unmet();
    }
  }

  const bundles = [...chosen.values()].sort((a, b) => (a.package === b.package ? (a.name < b.name ? -1 : 1) : a.package < b.package ? -1 : 1));
  for (const rb of bundles) {
    const pkg = catalog.packages[rb.package]!;
    for (const ch of rb.channels) {
      for (const d of deprecationsFor(pkg, { channel: ch, bundle: rb.name })) {
        const notice: DeprecationNotice = { package: rb.package, message: d.message };
        if (d.schema === 'olm.channel') notice.channel = ch;
        if (d.schema === 'olm.bundle') notice.bundle = rb.name;
        if (!deprecations.some((n) => n.package === notice.package && n.channel === notice.channel && n.bundle === notice.bundle)) deprecations.push(notice);
      }
    }
  }
  const images = [...new Set(bundles.flatMap((b) => [b.image, ...b.relatedImages.map((r) => r.image)]).filter((i) => i !== ''))].sort();
  const unevaluated = bundles.flatMap((rb) =>
    catalog.packages[rb.package]!.bundles[rb.name]!.unevaluatedConstraints.map((constraint) => ({ bundle: key(rb.package, rb.name), constraint })),
  );
  return { bundles, images, missing, unevaluated, stranded, deprecations };
}

/**
 * `NAME[:CHANNEL][@MIN..MAX]` as the CLI takes it: `@1.2.0..` from 1.2.0 up, `@..1.4.0` up to 1.4.0, `@1.2.0`
 * exactly that version. A leading `v` on a version is dropped.
 */
export function parsePackageSpec(spec: string): PackageSelection {
  const m = /^([a-z0-9][a-z0-9._-]*)(?::([^@:\s]+))?(?:@([^\s]*))?$/i.exec(spec.trim());
  if (!m) throw new FerryError('USAGE', `"${spec}" is not a package selection.`, { hint: 'Write NAME[:CHANNEL][@MIN..MAX], e.g. my-operator:stable@1.2.0..1.4.0.' });
  const sel: PackageSelection = { package: m[1]! };
  if (m[2]) sel.channel = m[2];
  if (m[3] !== undefined) {
    const strip = (v: string): string | undefined => (v === '' ? undefined : v.replace(/^v(?=\d)/, ''));
    const [lo, hi, extra] = m[3].split('..');
    const min = strip(lo ?? '');
    const max = hi === undefined ? min : strip(hi);
    if (extra !== undefined || (min === undefined && max === undefined)) {
      throw new FerryError('USAGE', `"${spec}" has a malformed version range.`, { hint: 'Write @MIN..MAX, @MIN.., @..MAX or @VERSION.' });
    }
    for (const v of [min, max]) {
      if (v !== undefined && !parseSemVer(v)) throw new FerryError('USAGE', `"${v}" in "${spec}" is not a semantic version.`, { hint: 'Give versions as MAJOR.MINOR.PATCH.' });
    }
    if (min !== undefined) sel.minVersion = min;
    if (max !== undefined) sel.maxVersion = max;
  }
  return sel;
}
