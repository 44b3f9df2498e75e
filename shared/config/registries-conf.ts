import type { MirrorMapping } from '../mirror-mapping';
import type { RegistrySources } from './image-config';
import type { MirrorEntry } from './mirror-sets';
import { registriesConfViolations } from './node-rules';
import { refuseViolations } from './rules';
import { isWildcardScope, scopeIsNestedInsideScope } from './scope';
import type { Generated } from './yaml';

/**
 * The node view: the `/etc/containers/registries.conf` (v2 TOML) the Machine Config Operator
 * renders from IDMS/ICSP/ITMS and `image.config.openshift.io/cluster` registrySources, following
 * openshift/runtime-utils `EditRegistriesConfig`: mirror sets merged per source and sorted, blocked
 * and insecure scopes marked and propagated to nested entries, then mirrors copied to nested
 * entries that have none. Object keys are the TOML keys, so parsing the text gives the object back.
 */

export type PullFromMirror = 'all' | 'digest-only' | 'tag-only';

export interface MirrorEndpoint {
  location: string;
  insecure?: boolean;
  'pull-from-mirror'?: PullFromMirror;
}

export interface RegistryEntry {
  prefix: string;
  location?: string;
  insecure?: boolean;
  blocked?: boolean;
  'mirror-by-digest-only'?: boolean;
  mirror?: MirrorEndpoint[];
}

export interface RegistriesConf {
  'unqualified-search-registries': string[];
  'short-name-mode'?: string;
  registry: RegistryEntry[];
}

/** What the MCO's base template ships; containerRuntimeSearchRegistries replaces it (via a drop-in). */
const DEFAULT_SEARCH_REGISTRIES = ['registry.access.redhat.com', 'docker.io'];

export interface NodeViewInput {
  /** ImageDigestMirrorSet entries. */
  digestMirrors?: readonly MirrorEntry[];
  /** ImageContentSourcePolicy repositoryDigestMirrors (digest-only, source always allowed). */
  legacyDigestMirrors?: readonly MirrorMapping[];
  /** ImageTagMirrorSet entries. */
  tagMirrors?: readonly MirrorEntry[];
  registrySources?: RegistrySources;
}

interface MergedSet {
  source: string;
  mirrors: string[];
  neverContactSource: boolean;
}

/** One set per source, sorted by source; mirror order kept as first seen; a mirror equal to its source is not a mirror. */
function mergeSets(sets: ReadonlyArray<{ source: string; mirrors: readonly string[]; mirrorSourcePolicy?: string }>): MergedSet[] {
  const bySource = new Map<string, MergedSet>();
  for (const set of sets) {
    const real = set.mirrors.filter((m) => m !== set.source);
    if (real.length === 0) continue;
    let merged = bySource.get(set.source);
    if (!merged) {
      merged = { source: set.source, mirrors: [], neverContactSource: false };
      bySource.set(set.source, merged);
    }
    for (const m of real) if (!merged.mirrors.includes(m)) merged.mirrors.push(m);
    if (set.mirrorSourcePolicy === 'NeverContactSource') merged.neverContactSource = true;
  }
  return [...bySource.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

function scopeOf(reg: RegistryEntry): string {
  return reg.prefix !== '' ? reg.prefix : (reg.location ?? '');
}

export function nodeRegistriesConf(input: NodeViewInput): RegistriesConf {
  const registries: RegistryEntry[] = [];
  const entryFor = (scope: string): RegistryEntry => {
    const found = registries.find((r) => scopeOf(r) === scope);
    if (found) return found;
    const reg: RegistryEntry = isWildcardScope(scope) ? { prefix: scope } : { prefix: '', location: scope };
    registries.push(reg);
    return reg;
  };

  const digestSets = mergeSets([...(input.digestMirrors ?? []), ...(input.legacyDigestMirrors ?? [])]);
  const tagSets = mergeSets(input.tagMirrors ?? []);
  const tagSources = new Set(tagSets.map((s) => s.source));
  for (const set of digestSets) {
    const reg = entryFor(set.source);
    if (set.neverContactSource) reg.blocked = true;
    // Where a source has digest mirrors only, the registry-wide flag is the form every containers/image
    // version understands (and what seed 002/003 nodes show); per-mirror pull-from-mirror is needed only
    // when the same source also has tag mirrors.
    const perMirror = tagSources.has(set.source);
    if (!perMirror) reg['mirror-by-digest-only'] = true;
    reg.mirror = set.mirrors.map((location) => (perMirror ? { location, 'pull-from-mirror': 'digest-only' } : { location }));
  }
  for (const set of tagSets) {
    const reg = entryFor(set.source);
    if (set.neverContactSource) reg.blocked = true;
    reg.mirror = [...(reg.mirror ?? []), ...set.mirrors.map((location): MirrorEndpoint => ({ location, 'pull-from-mirror': 'tag-only' }))];
  }

  const sources = input.registrySources ?? {};
  for (const scope of sources.blockedRegistries ?? []) entryFor(scope);
  for (const insecureScope of sources.insecureRegistries ?? []) {
    entryFor(insecureScope).insecure = true;
    for (const reg of registries) {
      if (scopeIsNestedInsideScope(scopeOf(reg), insecureScope)) reg.insecure = true;
      for (const m of reg.mirror ?? []) if (scopeIsNestedInsideScope(m.location, insecureScope)) m.insecure = true;
    }
  }
  for (const blockedScope of sources.blockedRegistries ?? []) {
    entryFor(blockedScope).blocked = true;
    for (const reg of registries) if (scopeIsNestedInsideScope(scopeOf(reg), blockedScope)) reg.blocked = true;
  }

  // Only the longest prefix applies on the node, so a nested entry (say, a blocked repository inside a
  // mirrored namespace) must carry the mirrors itself, with the extra path appended.
  for (const set of [...digestSets, ...tagSets]) {
    const mirrored = entryFor(set.source);
    const mirroredScope = scopeOf(mirrored);
    for (const reg of registries) {
      const scope = scopeOf(reg);
      if (scope === mirroredScope || !scopeIsNestedInsideScope(scope, mirroredScope) || (reg.mirror?.length ?? 0) > 0) continue;
      const suffix = scope.slice(mirroredScope.length);
      reg.mirror = (mirrored.mirror ?? []).map((m) => ({ ...m, location: m.location + suffix }));
      if (mirrored['mirror-by-digest-only']) reg['mirror-by-digest-only'] = true;
    }
  }

  const search = sources.containerRuntimeSearchRegistries?.length ? [...sources.containerRuntimeSearchRegistries] : [...DEFAULT_SEARCH_REGISTRIES];
  return { 'unqualified-search-registries': search, 'short-name-mode': '', registry: registries };
}

/** A TOML basic string. JSON's escapes are all valid TOML; DEL is the one character TOML also wants escaped. */
function tomlString(s: string): string {
  return JSON.stringify(s).replace(/\x7f/g, '\\u007f');
}

/** Rendered like the node's file (BurntSushi layout: scalars first, nested tables indented). */
export function renderRegistriesConf(conf: RegistriesConf): string {
  const lines: string[] = [];
  lines.push(`unqualified-search-registries = [${conf['unqualified-search-registries'].map(tomlString).join(', ')}]`);
  if (conf['short-name-mode'] !== undefined) lines.push(`short-name-mode = ${tomlString(conf['short-name-mode'])}`);
  for (const reg of conf.registry) {
    lines.push('', '[[registry]]', `  prefix = ${tomlString(reg.prefix)}`);
    if (reg.location) lines.push(`  location = ${tomlString(reg.location)}`);
    if (reg.insecure) lines.push('  insecure = true');
    if (reg.blocked) lines.push('  blocked = true');
    if (reg['mirror-by-digest-only']) lines.push('  mirror-by-digest-only = true');
    for (const m of reg.mirror ?? []) {
      lines.push('', '  [[registry.mirror]]', `    location = ${tomlString(m.location)}`);
      if (m.insecure) lines.push('    insecure = true');
      if (m['pull-from-mirror']) lines.push(`    pull-from-mirror = ${tomlString(m['pull-from-mirror'])}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function registriesConf(input: NodeViewInput): Generated<RegistriesConf> {
  const object = nodeRegistriesConf(input);
  refuseViolations(registriesConfViolations(object), 'The registries.conf');
  return { text: renderRegistriesConf(object), object };
}
