import { FerryError } from '../errors';
import { compareVersionStrings } from './semver';

/**
 * A file-based catalog (FBC) as Ferry needs it: packages, channels with their upgrade edges, bundles with
 * what they provide and require and the images they name, and deprecations. The schemas are
 * operator-registry's `alpha/declcfg/declcfg.go` (`olm.package`, `olm.channel`, `olm.bundle`,
 * `olm.deprecations`) and property types `alpha/property/property.go`. Bundle manifests
 * (`olm.bundle.object`) and CSV metadata are dropped while reading: they are the bulk of a real catalog
 * and resolution does not need them. Plain data, no Node: the renderer uses it too.
 */
export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export interface PackageRequirement {
  packageName: string;
  versionRange: string;
}

export interface RelatedImage {
  name: string;
  image: string;
}

export interface CatalogBundle {
  name: string;
  package: string;
  /** The bundle image (pullspec, normally by digest). */
  image: string;
  /** From the bundle's `olm.package` property. */
  version: string;
  provides: Gvk[];
  requiresPackages: PackageRequirement[];
  requiresGvks: Gvk[];
  relatedImages: RelatedImage[];
  /**
   * `olm.constraint` properties Ferry does not evaluate (compound `all`/`any`/`not`, `cel`), by their message:
   * reported so that nothing passes the dependency preflight unseen.
   */
  unevaluatedConstraints: string[];
}

/** One `olm.channel` entry: the edges a cluster may upgrade along to reach `name`. */
export interface ChannelEntry {
  name: string;
  replaces?: string;
  skips: string[];
  skipRange?: string;
}

export interface CatalogChannel {
  name: string;
  entries: ChannelEntry[];
}

export interface DeprecationEntry {
  /** `olm.package` (the whole package), `olm.channel` or `olm.bundle` (then `name` says which). */
  schema: 'olm.package' | 'olm.channel' | 'olm.bundle';
  name?: string;
  message: string;
}

export interface CatalogPackage {
  name: string;
  defaultChannel: string;
  description?: string;
  channels: Record<string, CatalogChannel>;
  bundles: Record<string, CatalogBundle>;
  deprecations: DeprecationEntry[];
}

export interface Catalog {
  packages: Record<string, CatalogPackage>;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function bad(where: string, what: string): FerryError {
  return new FerryError('INVALID_INPUT', `The catalog is not valid FBC: ${what} (in ${where}).`, {
    hint: 'Check it with `opm validate` on the catalog directory.',
  });
}

function gvkOf(v: unknown, where: string): Gvk {
  const o = isObj(v) ? v : {};
  const group = typeof o.group === 'string' ? o.group : undefined;
  const version = str(o.version);
  const kind = str(o.kind);
  if (group === undefined || !version || !kind) throw bad(where, `a GVK property needs group, version and kind, got ${JSON.stringify(v)}`);
  return { group, version, kind };
}

/** `group/version/kind` (core group shown empty), for messages and keys. */
export function formatGvk(g: Gvk): string {
  return `${g.group}/${g.version}/${g.kind}`;
}

/**
 * Collects declcfg objects one at a time (the reader streams them from the image) and checks the references
 * between them at the end, as operator-registry's `declcfg_to_model.go` does: channels and bundles name a
 * known package, every channel entry is a bundle of its package, the default channel exists. Objects of
 * other schemas are ignored, as declcfg keeps them aside as `Others`.
 */
export class CatalogBuilder {
  private readonly packages = new Map<string, Omit<CatalogPackage, 'channels' | 'bundles' | 'deprecations'>>();
  private readonly channels = new Map<string, Map<string, CatalogChannel>>();
  private readonly bundles = new Map<string, Map<string, CatalogBundle>>();
  private readonly deprecations = new Map<string, DeprecationEntry[]>();

  add(meta: unknown, where: string): void {
    if (!isObj(meta)) throw bad(where, 'an entry is not an object');
    switch (meta.schema) {
      case 'olm.package':
        return this.addPackage(meta, where);
      case 'olm.channel':
        return this.addChannel(meta, where);
      case 'olm.bundle':
        return this.addBundle(meta, where);
      case 'olm.deprecations':
        return this.addDeprecations(meta, where);
      default:
        if (!str(meta.schema)) throw bad(where, 'an entry has no schema');
    }
  }

  private addPackage(m: Obj, where: string): void {
    const name = str(m.name);
    if (!name) throw bad(where, 'an olm.package has no name');
    if (this.packages.has(name)) throw bad(where, `package "${name}" is declared twice`);
    const defaultChannel = str(m.defaultChannel) ?? '';
    this.packages.set(name, { name, defaultChannel, ...(str(m.description) ? { description: str(m.description)! } : {}) });
  }

  private addChannel(m: Obj, where: string): void {
    const name = str(m.name);
    const pkg = str(m.package);
    if (!name || !pkg) throw bad(where, 'an olm.channel needs name and package');
    if (!Array.isArray(m.entries)) throw bad(where, `channel "${name}" of "${pkg}" has no entries list`);
    const entries: ChannelEntry[] = m.entries.map((e: unknown) => {
      const o = isObj(e) ? e : {};
      const entryName = str(o.name);
      if (!entryName) throw bad(where, `channel "${name}" of "${pkg}" has an entry without a name`);
      const skips = Array.isArray(o.skips) ? o.skips.filter((s): s is string => typeof s === 'string') : [];
      return { name: entryName, ...(str(o.replaces) ? { replaces: str(o.replaces)! } : {}), skips, ...(str(o.skipRange) ? { skipRange: str(o.skipRange)! } : {}) };
    });
    const byName = this.channels.get(pkg) ?? new Map<string, CatalogChannel>();
    if (byName.has(name)) throw bad(where, `channel "${name}" of "${pkg}" is declared twice`);
    byName.set(name, { name, entries });
    this.channels.set(pkg, byName);
  }

  private addBundle(m: Obj, where: string): void {
    const name = str(m.name);
    const pkg = str(m.package);
    const image = typeof m.image === 'string' ? m.image : '';
    if (!name || !pkg) throw bad(where, 'an olm.bundle needs name and package');
    const properties = Array.isArray(m.properties) ? m.properties.filter(isObj) : [];
    const pkgProps = properties.filter((p) => p.type === 'olm.package');
    if (pkgProps.length !== 1) throw bad(where, `bundle "${name}" must have exactly one olm.package property, has ${pkgProps.length}`);
    const pkgValue = isObj(pkgProps[0]!.value) ? pkgProps[0]!.value : {};
    const version = str(pkgValue.version);
    if (!version || pkgValue.packageName !== pkg) throw bad(where, `bundle "${name}"'s olm.package property must name package "${pkg}" and a version`);
    const bundle: CatalogBundle = { name, package: pkg, image, version, provides: [], requiresPackages: [], requiresGvks: [], relatedImages: [], unevaluatedConstraints: [] };
    for (const p of properties) {
      if (p.type === 'olm.gvk') bundle.provides.push(gvkOf(p.value, where));
      else if (p.type === 'olm.gvk.required') bundle.requiresGvks.push(gvkOf(p.value, where));
      else if (p.type === 'olm.package.required') {
        const v = isObj(p.value) ? p.value : {};
        const packageName = str(v.packageName);
        const versionRange = str(v.versionRange);
        if (!packageName || !versionRange) throw bad(where, `bundle "${name}" has an olm.package.required without packageName and versionRange`);
        bundle.requiresPackages.push({ packageName, versionRange });
      } else if (p.type === 'olm.constraint') this.addConstraint(bundle, p.value, where);
    }
    if (Array.isArray(m.relatedImages)) {
      for (const r of m.relatedImages) {
        const ri = isObj(r) ? r : {};
        const img = str(ri.image);
        if (img) bundle.relatedImages.push({ name: typeof ri.name === 'string' ? ri.name : '', image: img });
      }
    }
    const byName = this.bundles.get(pkg) ?? new Map<string, CatalogBundle>();
    if (byName.has(name)) throw bad(where, `bundle "${name}" of "${pkg}" is declared twice`);
    byName.set(name, bundle);
    this.bundles.set(pkg, byName);
  }

  /**
   * A top-level `olm.constraint` with `gvk` or `package` is the same requirement as `olm.gvk.required` /
   * `olm.package.required` (olm-docs `dependency-resolution`, "Generic Constraint"); the package is named by
   * `packageName` or `name` (both spellings appear upstream), its range by `versionRange` or `version`.
   */
  private addConstraint(bundle: CatalogBundle, value: unknown, where: string): void {
    const v = isObj(value) ? value : {};
    if (v.gvk !== undefined) {
      bundle.requiresGvks.push(gvkOf(v.gvk, where));
      return;
    }
    const pkg = isObj(v.package) ? v.package : undefined;
    const packageName = pkg ? (str(pkg.packageName) ?? str(pkg.name)) : undefined;
    const versionRange = pkg ? (str(pkg.versionRange) ?? str(pkg.version)) : undefined;
    if (packageName && versionRange) {
      bundle.requiresPackages.push({ packageName, versionRange });
      return;
    }
    const kind = Object.keys(v).filter((k) => k !== 'failureMessage' && k !== 'message');
    const message = str(v.failureMessage) ?? str(v.message);
    bundle.unevaluatedConstraints.push(`${kind.join(', ') || 'empty'} constraint${message ? `: ${message}` : ''}`);
  }

  private addDeprecations(m: Obj, where: string): void {
    const pkg = str(m.package);
    if (!pkg) throw bad(where, 'an olm.deprecations has no package');
    if (this.deprecations.has(pkg)) throw bad(where, `package "${pkg}" has two olm.deprecations`);
    const entries: DeprecationEntry[] = (Array.isArray(m.entries) ? m.entries : []).map((e: unknown) => {
      const o = isObj(e) ? e : {};
      const ref = isObj(o.reference) ? o.reference : {};
      const schema = ref.schema;
      if (schema !== 'olm.package' && schema !== 'olm.channel' && schema !== 'olm.bundle') throw bad(where, `a deprecation of "${pkg}" references schema ${JSON.stringify(schema)}`);
      const name = str(ref.name);
      if (schema !== 'olm.package' && !name) throw bad(where, `a ${schema} deprecation of "${pkg}" has no name`);
      return { schema, ...(name ? { name } : {}), message: typeof o.message === 'string' ? o.message : '' };
    });
    this.deprecations.set(pkg, entries);
  }

  finish(): Catalog {
    const packages: Record<string, CatalogPackage> = {};
    const orphan = (kind: string, pkg: string): FerryError => bad('the catalog', `${kind} names package "${pkg}", which has no olm.package`);
    for (const pkg of this.channels.keys()) if (!this.packages.has(pkg)) throw orphan('a channel', pkg);
    for (const pkg of this.bundles.keys()) if (!this.packages.has(pkg)) throw orphan('a bundle', pkg);
    for (const pkg of this.deprecations.keys()) if (!this.packages.has(pkg)) throw orphan('a deprecation', pkg);
    for (const name of [...this.packages.keys()].sort()) {
      const p = this.packages.get(name)!;
      const channels = Object.fromEntries([...(this.channels.get(name) ?? new Map<string, CatalogChannel>())].sort(([a], [b]) => (a < b ? -1 : 1)));
      const bundles = Object.fromEntries(this.bundles.get(name) ?? new Map<string, CatalogBundle>());
      if (!channels[p.defaultChannel]) throw bad('the catalog', `package "${name}"'s default channel "${p.defaultChannel}" does not exist`);
      for (const ch of Object.values(channels)) {
        for (const e of ch.entries) if (!bundles[e.name]) throw bad('the catalog', `channel "${ch.name}" of "${name}" names bundle "${e.name}", which the package does not have`);
      }
      packages[name] = { ...p, channels, bundles, deprecations: this.deprecations.get(name) ?? [] };
    }
    return { packages };
  }
}

/**
 * The channel's head: the one entry no other entry replaces or skips, exactly as operator-registry's
 * `model.Channel.Head()` finds it. A channel without exactly one is invalid FBC.
 */
export function channelHead(pkg: string, channel: CatalogChannel): string {
  const incoming = new Set<string>();
  for (const e of channel.entries) {
    if (e.replaces) incoming.add(e.replaces);
    for (const s of e.skips) incoming.add(s);
  }
  const heads = channel.entries.filter((e) => !incoming.has(e.name)).map((e) => e.name).sort();
  if (heads.length !== 1) {
    throw new FerryError('INVALID_INPUT', `Channel "${channel.name}" of "${pkg}" has ${heads.length === 0 ? 'no head' : `several heads (${heads.join(', ')})`}.`, {
      hint: 'A channel needs exactly one entry that no other entry replaces or skips; check it with `opm validate`.',
    });
  }
  return heads[0]!;
}

/** The channel's bundles, head first, the rest newest version first. */
export function channelBundles(pkg: CatalogPackage, channelName: string): CatalogBundle[] {
  const channel = pkg.channels[channelName];
  if (!channel) return [];
  const head = channelHead(pkg.name, channel);
  const rest = channel.entries.filter((e) => e.name !== head).map((e) => pkg.bundles[e.name]!);
  rest.sort((a, b) => compareVersionStrings(b.version, a.version) || (a.name < b.name ? -1 : 1));
  return [pkg.bundles[head]!, ...rest];
}

/** The deprecation notices that apply to `pkg`, one of its channels or one of its bundles. */
export function deprecationsFor(pkg: CatalogPackage, target: { channel?: string; bundle?: string } = {}): DeprecationEntry[] {
  return pkg.deprecations.filter(
    (d) => d.schema === 'olm.package' || (d.schema === 'olm.channel' && d.name === target.channel) || (d.schema === 'olm.bundle' && d.name === target.bundle),
  );
}
