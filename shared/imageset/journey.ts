import { Document, parseDocument } from 'yaml';
import { parseSize } from '../format';
import { IMAGESET_API_VERSION, IMAGESET_KIND } from './config';
import type { ImageSetConfig } from './schema';
import { primaryAndOthers } from './releases';
import type { SelectedRelease } from './selection';

/**
 * The app's export journey and an ImageSetConfiguration, both ways: a file read with the CLI's reader
 * (config.ts, selection.ts) fills the journey's choices, and the choices are written back as a file the
 * same reader takes. An imported file keeps its YAML document: only the parts the operator changed are
 * rewritten, so a file nobody changed goes back to git byte for byte. Pure: the renderer runs it.
 */
/** One package picked in the operators step; empty `channel` is the package's default channel, empty `min`/`max` leave that end open. */
export interface OperatorChoice {
  package: string;
  channel: string;
  min: string;
  max: string;
}

/** The operators step's catalog and what is picked from it (one catalog per export in the app). */
export interface CatalogChoice {
  ref: string;
  packages: OperatorChoice[];
  withDependencies: boolean;
}

/** A release picked from a channel's version list: the file names it by channel and version, as oc-mirror reads it. */
export interface ReleasePick {
  pullspec: string;
  channel: string;
  arch: string;
  version: string;
  /** The other releases of an upgrade path carried with this one, in path order (a new pick drops them). */
  releases?: string[];
  /** With `releases`: the oldest release carried, so the file names the channel range `from`..`version`. */
  from?: string;
  /** The range carries only the shortest update path between its ends (oc-mirror's shortestPath). */
  shortestPath?: boolean;
}

/** The journey's choices an ImageSetConfiguration says: what the plan and the mirror job carry. */
export interface JourneySelection {
  release: string;
  /** How `release` was picked, when it came from a channel (only trusted while it names the same pullspec). */
  releasePick?: ReleasePick;
  images: string[];
  catalog: CatalogChoice;
  volumeSize: string;
  /** Carry the update service's graph-data image (oc-mirror's platform.graph). */
  graph?: boolean;
}

/** What the host's reader made of a file: the configuration and what its selection resolved to (selection.ts). */
export interface ImageSetRead {
  config: ImageSetConfig;
  releases: SelectedRelease[];
  images: string[];
  blocked: string[];
  /** Why the platform channels could not be resolved (the update graph was out of reach). */
  graphError?: string;
}

type Part = 'platform' | 'images' | 'operators' | 'archiveSize';

/** An imported file and, per part that came over whole, the choice it made; a part missing here is written afresh. */
export interface ImportedImageSet {
  name: string;
  text: string;
  baseline: Partial<Record<Part, string>>;
}

export interface ImportResult {
  selection: JourneySelection;
  /** What the file asks for that the journey cannot hold: not carried, and left out of an export. */
  notCarried: string[];
  /** What the reader applied that has no field of its own in the journey (blocked images). */
  applied: string[];
  imported: ImportedImageSet;
}

/** The other releases the plan and the mirror job carry with the release: none once the release is no longer the one picked with them. */
export function otherReleases(s: Pick<JourneySelection, 'release' | 'releasePick'>): string[] {
  return pickOf(s)?.releases ?? [];
}

function pickOf(s: Pick<JourneySelection, 'release' | 'releasePick'>): ReleasePick | undefined {
  return s.releasePick?.pullspec === s.release.trim() ? s.releasePick : undefined;
}

/** A part's value as the plan sees it: equal keys, same transfer. */
function partKeys(s: JourneySelection): Record<Part, string> {
  const pick = pickOf(s);
  return {
    platform: JSON.stringify([s.release.trim(), otherReleases(s), pick?.from ?? '', pick?.shortestPath ?? false, s.graph === true]),
    images: JSON.stringify(s.images),
    operators: JSON.stringify(operatorsOf(s.catalog) ?? []),
    archiveSize: s.volumeSize.trim(),
  };
}

const PLATFORM_FIELDS = new Set(['channels', 'architectures', 'release', 'graph']);

function isSet(v: unknown): boolean {
  return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
}

export function selectionFromImageSet(read: ImageSetRead, name: string, text: string, defaults: { volumeSize: string }): ImportResult {
  const notCarried: string[] = [];
  const applied: string[] = [];
  const lossy = new Set<Part>();
  const { config } = read;

  let release = '';
  let releasePick: ReleasePick | undefined;
  if (config.platform) {
    for (const [key, value] of Object.entries(config.platform)) {
      if (!PLATFORM_FIELDS.has(key) && isSet(value)) {
        notCarried.push(`mirror.platform.${key}: the app does not carry it.`);
        lossy.add('platform');
      }
    }
    if (read.graphError) {
      notCarried.push(`The release is not filled in: the update graph could not be read (${read.graphError}).`);
      lossy.add('platform');
    } else if (read.releases.length === 0) {
      // A platform that only asks for the graph data selects no release by design.
      if (config.platform.channels.length > 0) {
        notCarried.push('The platform channels select no release.');
        lossy.add('platform');
      }
    } else {
      // The CLI's split (releases.ts): the newest is the release, the others of the path travel with it.
      const { primary, others } = primaryAndOthers(read.releases);
      release = primary!.payload;
      if (primary!.channel && primary!.version) {
        releasePick = { pullspec: primary!.payload, channel: primary!.channel, arch: primary!.arch, version: primary!.version, ...(others.length > 0 ? { releases: others.map((r) => r.payload) } : {}) };
        // One channel and architecture selecting them all is a range the journey can write back; otherwise it carries them as the file says.
        const spec = config.platform.channels.length === 1 && !config.platform.release ? config.platform.channels[0] : undefined;
        const oldest = read.releases[0]!;
        if (spec && others.length > 0 && read.releases.every((r) => r.channel === primary!.channel && r.arch === primary!.arch) && oldest.version) {
          releasePick = { ...releasePick, from: oldest.version, ...(spec.shortestPath ? { shortestPath: true } : {}) };
        }
      }
    }
  }

  if (read.blocked.length > 0) applied.push(`blockedImages keeps ${read.blocked.length} extra image(s) out: ${read.blocked.join(', ')}.`);

  const [first, ...others] = config.operators;
  const packages: OperatorChoice[] = [];
  if (others.length > 0) {
    notCarried.push(`The app carries operators from one catalog: ${others.map((o) => o.catalog).join(', ')} ${others.length === 1 ? 'is' : 'are'} left out.`);
    lossy.add('operators');
  }
  for (const p of first?.packages ?? []) {
    if (packages.some((q) => q.package === p.name)) {
      notCarried.push(`Package ${p.name} is listed twice; the app keeps its first entry.`);
      lossy.add('operators');
      continue;
    }
    const [channel, ...more] = p.channels;
    if (more.length > 0) {
      notCarried.push(`The app picks one channel per package: ${p.name} keeps ${channel!.name}, not ${more.map((c) => c.name).join(', ')}.`);
      lossy.add('operators');
    }
    // A channel's own range wins over the package's, as in oc-mirror's filter (selection.ts).
    const range = channel && (channel.minVersion !== undefined || channel.maxVersion !== undefined) ? channel : p;
    packages.push({ package: p.name, channel: channel?.name ?? '', min: range.minVersion ?? '', max: range.maxVersion ?? '' });
  }

  const selection: JourneySelection = {
    release,
    ...(releasePick ? { releasePick } : {}),
    images: read.images,
    catalog: { ref: first?.catalog ?? '', packages, withDependencies: first ? !first.skipDependencies : false },
    volumeSize: config.archiveSizeGiB ? `${config.archiveSizeGiB}GiB` : defaults.volumeSize,
    ...(config.platform?.graph ? { graph: true } : {}),
  };
  const keys = partKeys(selection);
  const baseline: Partial<Record<Part, string>> = {};
  for (const part of Object.keys(keys) as Part[]) if (!lossy.has(part)) baseline[part] = keys[part];
  return { selection, notCarried, applied, imported: { name, text, baseline } };
}

/** The imported file while the journey says just what it says (every part came over whole, none changed): a transfer made now is that file's. */
export function unchangedImport(s: JourneySelection, imported: ImportedImageSet | undefined): ImportedImageSet | undefined {
  const keys = partKeys(s);
  return imported && (Object.keys(keys) as Part[]).every((p) => imported.baseline[p] === keys[p]) ? imported : undefined;
}

function platformOf(s: JourneySelection, notes: string[]): Record<string, unknown> | undefined {
  const release = s.release.trim();
  // The graph-data image travels whether or not a release does, as oc-mirror builds it.
  const graph = s.graph ? { graph: true } : {};
  if (!release) return s.graph ? graph : undefined;
  const pick = pickOf(s);
  if (pick && otherReleases(s).length > 0 && !pick.from) {
    notes.push(`The ${otherReleases(s).length + 1} releases carried come from more than one channel or architecture: the file names only ${pick.version}; import the original file to keep them.`);
  }
  if (pick) {
    const from = otherReleases(s).length > 0 && pick.from ? pick.from : pick.version;
    return { channels: [{ name: pick.channel, minVersion: from, maxVersion: pick.version, ...(from !== pick.version && pick.shortestPath ? { shortestPath: true } : {}) }], architectures: [pick.arch], ...graph };
  }
  notes.push('The release was given by pullspec, not picked from a channel: the file names it under platform.release, which Ferry carries as is; oc-mirror v2 reads platform.release only as a release on disk, so pick the version from the channel list for a file both tools read.');
  return { release, ...graph };
}

function operatorsOf(c: CatalogChoice): Array<Record<string, unknown>> | undefined {
  if (!c.ref.trim() || c.packages.length === 0) return undefined;
  const packages = c.packages.map((p) => {
    const range = { ...(p.min ? { minVersion: p.min } : {}), ...(p.max ? { maxVersion: p.max } : {}) };
    return p.channel ? { name: p.package, channels: [{ name: p.channel, ...range }] } : { name: p.package, ...range };
  });
  // oc-mirror adds what the picked bundles depend on unless told not to; the app adds them only when asked.
  return [{ catalog: c.ref.trim(), packages, ...(c.withDependencies ? {} : { skipDependencies: true }) }];
}

const GIB = 1024 ** 3;

/** oc-mirror's archiveSize (whole GiB, as Ferry's reader takes it); undefined for the default volume size. */
function archiveSizeOf(volumeSize: string, defaultVolumeSize: string, notes: string[]): number | undefined {
  let bytes: number;
  try {
    bytes = parseSize(volumeSize.trim() || defaultVolumeSize);
  } catch {
    notes.push(`The volume size "${volumeSize}" is not a size; the file leaves archiveSize out.`);
    return undefined;
  }
  if (bytes === parseSize(defaultVolumeSize)) return undefined;
  if (bytes % GIB === 0) return bytes / GIB;
  notes.push(`archiveSize is a whole number of GiB: the volume size ${volumeSize.trim()} cannot be written, so the file leaves it out (the default, ${defaultVolumeSize}, applies).`);
  return undefined;
}

/**
 * The journey's choices as an ImageSetConfiguration. With `imported`, its document is edited where a part
 * differs from what the file said (or did not come over whole); nothing changed gives its text back as it was.
 * `notes` say what the file cannot say as the journey has it.
 */
export function imageSetText(s: JourneySelection, imported: ImportedImageSet | undefined, defaultVolumeSize: string): { text: string; notes: string[] } {
  const notes: string[] = [];
  const keys = partKeys(s);
  const changed = (Object.keys(keys) as Part[]).filter((p) => imported?.baseline[p] !== keys[p]);
  if (imported && changed.length === 0) return { text: imported.text, notes };
  const value = (part: Part): unknown => {
    if (part === 'platform') return platformOf(s, notes);
    if (part === 'operators') return operatorsOf(s.catalog);
    if (part === 'archiveSize') return archiveSizeOf(s.volumeSize, defaultVolumeSize, notes);
    return s.images.length > 0 ? s.images.map((name) => ({ name })) : undefined;
  };
  const PATHS: Record<Part, string[]> = { archiveSize: ['archiveSize'], platform: ['mirror', 'platform'], operators: ['mirror', 'operators'], images: ['mirror', 'additionalImages'] };
  // A fresh file in the order of oc-mirror's documented examples; an imported one keeps its own.
  const doc = imported ? parseDocument(imported.text) : new Document({ kind: IMAGESET_KIND, apiVersion: IMAGESET_API_VERSION, archiveSize: null, mirror: { platform: null, operators: null, additionalImages: null } });
  // blockedImages beside operators is refused by the reader (config.ts): operators written make the image list explicit.
  if (changed.includes('operators') && !changed.includes('images') && operatorsOf(s.catalog) && doc.hasIn(['mirror', 'blockedImages'])) changed.push('images');
  for (const part of imported ? changed : (['archiveSize', 'platform', 'operators', 'images'] as const)) {
    const v = value(part);
    if (v === undefined) doc.deleteIn(PATHS[part]);
    else doc.setIn(PATHS[part], doc.createNode(v));
  }
  // The list written is what is carried: the patterns that filtered the old list have done their work.
  if (changed.includes('images')) doc.deleteIn(['mirror', 'blockedImages']);
  return { text: doc.toString({ flowCollectionPadding: false }), notes };
}
