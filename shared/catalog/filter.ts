import { FerryError } from '../errors';
import { channelHead, type Catalog, type ChannelEntry } from './model';
import type { Resolution } from './resolve';
import { compareVersionStrings } from './semver';

/**
 * What a filtered catalog keeps of a catalog for one resolved selection, and the declcfg objects it is
 * made of. The rules are operator-registry's catalog filter (`alpha/declcfg/filter/config/v1alpha1/filter.go`,
 * which oc-mirror v2 uses): only the selected packages; of each, only the channels the selection went
 * through; of each channel, only the chosen bundles (entries keep their `replaces`/`skips`/`skipRange`, which
 * may name bundles no longer there, as a channel's tail may); every kept channel must still be one opm accepts:
 * exactly one head, and no entry stranded off its replaces chain. Where operator-registry refuses a filter that drops the default channel unless the configuration
 * names a new one, the selection names it: the kept channel with the newest head. Deprecations are kept for
 * what is kept. Other schemas are dropped, as the filter's model round trip drops them.
 */
export interface FilteredChannel {
  name: string;
  /** Entry names, in the channel's own order. */
  bundles: string[];
}

export interface FilteredPackage {
  name: string;
  defaultChannel: string;
  /** The catalog's default channel when the selection did not keep it. */
  replacedDefaultChannel?: string;
  channels: FilteredChannel[];
  /** Every kept bundle, sorted. */
  bundles: string[];
}

export function catalogFilter(catalog: Catalog, resolution: Pick<Resolution, 'bundles'>): FilteredPackage[] {
  const byPackage = new Map<string, Map<string, Set<string>>>();
  for (const rb of resolution.bundles) {
    const channels = byPackage.get(rb.package) ?? new Map<string, Set<string>>();
    for (const ch of rb.channels) channels.set(ch, (channels.get(ch) ?? new Set()).add(rb.name));
    byPackage.set(rb.package, channels);
  }
  const out: FilteredPackage[] = [];
  for (const name of [...byPackage.keys()].sort()) {
    const pkg = catalog.packages[name]!;
    const kept = byPackage.get(name)!;
    const channels: FilteredChannel[] = [...kept.keys()].sort().map((ch) => {
      const entries = pkg.channels[ch]!.entries.filter((e) => kept.get(ch)!.has(e.name));
      let head: string;
      try {
        head = channelHead(name, { name: ch, entries });
      } catch (e) {
        throw new FerryError('INVALID_INPUT', `The selection keeps bundles of channel "${ch}" of "${name}" that do not upgrade to one head: ${(e as FerryError).message}`, {
          hint: 'A cluster on one of them could not upgrade within the mirror (see "stranded" in `ferry catalog resolve`); narrow the version range to bundles on one upgrade path.',
        });
      }
      const cut = stranded(entries, head);
      if (cut.length) {
        throw new FerryError('INVALID_INPUT', `The selection keeps bundles of channel "${ch}" of "${name}" that its kept head no longer reaches by replaces or skips: ${cut.join(', ')}. opm refuses such a channel.`, {
          hint: 'Widen the version range to the bundles between them, or select fewer versions of that channel.',
        });
      }
      return { name: ch, bundles: entries.map((e) => e.name) };
    });
    const headVersion = (c: FilteredChannel): string => pkg.bundles[channelHead(name, { name: c.name, entries: pkg.channels[c.name]!.entries.filter((e) => c.bundles.includes(e.name)) })]!.version;
    const keepsDefault = kept.has(pkg.defaultChannel);
    const defaultChannel = keepsDefault ? pkg.defaultChannel : [...channels].sort((a, b) => compareVersionStrings(headVersion(b), headVersion(a)) || (a.name < b.name ? -1 : 1))[0]!.name;
    out.push({
      name,
      defaultChannel,
      ...(keepsDefault ? {} : { replacedDefaultChannel: pkg.defaultChannel }),
      channels,
      bundles: [...new Set(channels.flatMap((c) => c.bundles))].sort(),
    });
  }
  return out;
}

/**
 * Entries opm would call stranded (operator-registry `alpha/model/model.go`, `validateReplacesChain`): neither on
 * the `replaces` chain from the head nor skipped by an entry. skipRange edges do not count there.
 */
function stranded(entries: readonly ChannelEntry[], head: string): string[] {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const reached = new Set<string>();
  for (let cur = byName.get(head); cur && !reached.has(cur.name); cur = cur.replaces ? byName.get(cur.replaces) : undefined) reached.add(cur.name);
  const skipped = new Set(entries.flatMap((e) => e.skips));
  return entries.filter((e) => !reached.has(e.name) && !skipped.has(e.name)).map((e) => e.name).sort();
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The package an object belongs to (an `olm.package` names itself), or undefined for objects of no package. */
export function packageOfMeta(meta: unknown): string | undefined {
  if (!isObj(meta)) return undefined;
  const name = meta.schema === 'olm.package' ? meta.name : meta.package;
  return typeof name === 'string' ? name : undefined;
}

/** Whether the filtered catalog needs this object of the source catalog (it may still be trimmed). */
export function keepsMeta(filter: ReadonlyMap<string, FilteredPackage>, meta: unknown): boolean {
  const pkg = filter.get(packageOfMeta(meta) ?? '');
  if (!pkg || !isObj(meta)) return false;
  switch (meta.schema) {
    case 'olm.package':
    case 'olm.deprecations':
      return true;
    case 'olm.channel':
      return pkg.channels.some((c) => c.name === meta.name);
    case 'olm.bundle':
      return pkg.bundles.includes(meta.name as string);
    default:
      return false;
  }
}

const byName = (a: Obj, b: Obj): number => (String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0);

/**
 * One package's objects of the filtered catalog, in the order opm writes a package (`alpha/declcfg/write.go`):
 * the package, its channels by name, its bundles by name, its deprecations. `metas` are the source objects
 * `keepsMeta` kept, unchanged but for the default channel, the channel entries and the deprecation entries.
 */
export function filteredObjects(pkg: FilteredPackage, metas: readonly unknown[]): Obj[] {
  const objs = metas.filter(isObj);
  const of = (schema: string): Obj[] => objs.filter((m) => m.schema === schema);
  const [packageObj] = of('olm.package');
  if (!packageObj) throw new FerryError('INVALID_INPUT', `The catalog has no olm.package object for "${pkg.name}".`, { hint: 'Check it with `opm validate`.' });
  const channels = of('olm.channel')
    .map((c) => {
      const keep = pkg.channels.find((k) => k.name === c.name)!.bundles;
      return { ...c, entries: (c.entries as unknown[]).filter((e) => isObj(e) && keep.includes(e.name as string)) };
    })
    .sort(byName);
  const keptRef = (ref: Obj): boolean =>
    ref.schema === 'olm.package' || (ref.schema === 'olm.channel' && pkg.channels.some((c) => c.name === ref.name)) || (ref.schema === 'olm.bundle' && pkg.bundles.includes(ref.name as string));
  const deprecations = of('olm.deprecations')
    .map((d) => ({ ...d, entries: (Array.isArray(d.entries) ? d.entries : []).filter((e: unknown) => isObj(e) && isObj(e.reference) && keptRef(e.reference)) }))
    .filter((d) => d.entries.length > 0);
  return [{ ...packageObj, defaultChannel: pkg.defaultChannel }, ...channels, ...of('olm.bundle').sort(byName), ...deprecations];
}

/** A catalog file as opm's `WriteJSON` writes it (`alpha/declcfg/write.go`): each object indented by four spaces, one after another. */
export function fbcJson(objects: readonly unknown[]): string {
  return objects.map((o) => `${JSON.stringify(o, null, 4)}\n`).join('');
}
