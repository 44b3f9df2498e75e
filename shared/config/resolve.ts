import { parse, TomlError } from 'smol-toml';
import { FerryError } from '../errors';
import { formatReference, parseReference, repositoryName, type ImageReference } from '../reference';
import type { MirrorEndpoint, PullFromMirror, RegistryEntry } from './registries-conf';
import { isWildcardScope, refMatchingPrefix } from './scope';

/**
 * How a node (CRI-O, podman, skopeo) resolves a pull through registries.conf, simulated the way
 * containers/image `pkg/sysregistriesv2` does it: the registry with the longest matching prefix
 * wins; its mirrors are tried in order (digest-only mirrors only for digest references, tag-only
 * ones only for tags) and then its own location; each attempt is `location + rest of reference`,
 * and an attempt whose target is itself blocked is refused.
 */

/** A registries.conf after the checks containers/image makes when loading it. */
export interface ParsedRegistriesConf {
  searchRegistries: string[];
  /** Deduplicated by prefix (first entry wins) and sorted by prefix, as containers/image keeps them. */
  registries: Array<RegistryEntry & { prefix: string }>;
  /** Keys containers/image would ignore: typos such as `mirror-by-digest-onyl` silently change behaviour. */
  unknownKeys: string[];
}

const REGISTRY_KEYS = new Set(['prefix', 'location', 'insecure', 'blocked', 'mirror-by-digest-only', 'mirror']);
const MIRROR_KEYS = new Set(['location', 'insecure', 'pull-from-mirror']);
const TOP_KEYS = new Set([
  'registry',
  'unqualified-search-registries',
  'short-name-mode',
  'credential-helpers',
  'aliases',
  'additional-layer-store-auth-helper',
]);
const PULL_FROM_MIRROR: ReadonlySet<string> = new Set(['all', 'digest-only', 'tag-only']);

function invalid(source: string, message: string, details: Record<string, unknown> = {}): FerryError {
  return new FerryError('INVALID_INPUT', `${source}: ${message}`, {
    hint: 'Fix the file; registries.conf v2 is described in containers-registries.conf(5). `ferry config registries-conf` writes a valid one.',
    details,
  });
}

/** `location` without trailing slashes; containers/image refuses URI schemes. */
function cleanLocation(source: string, path: string, value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw invalid(source, `${path} must be a string.`, { path });
  if (/^https?:\/\//.test(value)) throw invalid(source, `${path} "${value}" has a URI scheme; write host[:port][/path] without http:// or https://.`, { path });
  return value.replace(/\/+$/, '');
}

function bool(source: string, path: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid(source, `${path} must be true or false.`, { path });
  return value;
}

function parseMirror(source: string, path: string, raw: unknown, digestOnly: boolean, unknown: string[]): MirrorEndpoint {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(source, `${path} must be a table.`, { path });
  const m = raw as Record<string, unknown>;
  for (const k of Object.keys(m)) if (!MIRROR_KEYS.has(k)) unknown.push(`${path}.${k}`);
  const location = cleanLocation(source, `${path}.location`, m.location);
  if (location === '') throw invalid(source, `${path} has no location.`, { path });
  const out: MirrorEndpoint = { location };
  if (bool(source, `${path}.insecure`, m.insecure)) out.insecure = true;
  const pfm = m['pull-from-mirror'];
  if (pfm !== undefined && pfm !== '') {
    if (typeof pfm !== 'string' || !PULL_FROM_MIRROR.has(pfm)) {
      throw invalid(source, `${path}.pull-from-mirror is ${JSON.stringify(pfm)}; use "all", "digest-only" or "tag-only".`, { path });
    }
    if (digestOnly) {
      throw invalid(source, `${path} sets pull-from-mirror while its registry sets mirror-by-digest-only; containers/image refuses both at once.`, { path });
    }
    out['pull-from-mirror'] = pfm as PullFromMirror;
  }
  return out;
}

function parseRegistry(source: string, index: number, raw: unknown, unknown: string[]): RegistryEntry & { prefix: string } {
  const path = `registry[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(source, `${path} must be a table.`, { path });
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!REGISTRY_KEYS.has(k)) unknown.push(`${path}.${k}`);
  const location = cleanLocation(source, `${path}.location`, r.location);
  let prefix = cleanLocation(source, `${path}.prefix`, r.prefix);
  if (prefix === '') {
    if (location === '') throw invalid(source, `${path} has neither location nor prefix.`, { path });
    prefix = location;
  } else if (location === '' && !isWildcardScope(prefix)) {
    throw invalid(source, `${path} has no location and its prefix "${prefix}" is not a wildcard like *.example.com.`, { path });
  }
  if (isWildcardScope(prefix) && /[/@:]/.test(prefix)) {
    throw invalid(source, `${path}.prefix "${prefix}": a wildcard prefix must be *.example.com, without namespace, port or digest.`, { path });
  }
  const digestOnly = bool(source, `${path}.mirror-by-digest-only`, r['mirror-by-digest-only']);
  const out: RegistryEntry & { prefix: string } = { prefix };
  if (location !== '') out.location = location;
  if (bool(source, `${path}.insecure`, r.insecure)) out.insecure = true;
  if (bool(source, `${path}.blocked`, r.blocked)) out.blocked = true;
  if (digestOnly) out['mirror-by-digest-only'] = true;
  if (r.mirror !== undefined) {
    if (!Array.isArray(r.mirror)) throw invalid(source, `${path}.mirror must be an array of tables ([[registry.mirror]]).`, { path });
    out.mirror = r.mirror.map((m, j) => parseMirror(source, `${path}.mirror[${j}]`, m, digestOnly, unknown));
  }
  return out;
}

/**
 * Parses and checks registries.conf text. `source` names the file in messages. Syntax errors carry
 * the line and column.
 */
export function parseRegistriesConf(text: string, source = 'registries.conf'): ParsedRegistriesConf {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const first = e.message.split('\n')[0] ?? e.message;
      throw invalid(source, `TOML syntax error at line ${e.line}, column ${e.column}: ${first.replace(/^Invalid TOML document: /, '')}.`, {
        line: e.line,
        column: e.column,
      });
    }
    throw e;
  }
  if ('registries' in doc) {
    throw invalid(source, 'this is the v1 format ([registries.search] / [registries.insecure] / [registries.block]); Ferry reads registries.conf v2.', {
      path: 'registries',
    });
  }
  const unknownKeys = Object.keys(doc).filter((k) => !TOP_KEYS.has(k));
  const rawRegistries = doc.registry ?? [];
  if (!Array.isArray(rawRegistries)) throw invalid(source, 'registry must be an array of tables ([[registry]]).', { path: 'registry' });
  const parsed = rawRegistries.map((r, i) => parseRegistry(source, i, r, unknownKeys));

  // The same location may appear under several prefixes, but never with different insecure/blocked settings.
  for (const a of parsed) {
    const key = a.location ?? a.prefix;
    for (const b of parsed) {
      if ((b.location ?? b.prefix) !== key) continue;
      for (const flag of ['insecure', 'blocked'] as const) {
        if ((a[flag] ?? false) !== (b[flag] ?? false)) throw invalid(source, `registry "${key}" is defined more than once with conflicting "${flag}".`, { path: key });
      }
    }
  }
  const search = doc['unqualified-search-registries'] ?? [];
  if (!Array.isArray(search) || !search.every((s) => typeof s === 'string')) {
    throw invalid(source, 'unqualified-search-registries must be a list of host[:port] strings.', { path: 'unqualified-search-registries' });
  }
  // First entry for a prefix wins; later ones are dead configuration.
  const byPrefix = new Map<string, RegistryEntry & { prefix: string }>();
  for (const r of parsed) if (!byPrefix.has(r.prefix)) byPrefix.set(r.prefix, r);
  const registries = [...byPrefix.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
  return { searchRegistries: search as string[], registries, unknownKeys };
}

/** The registry whose prefix is the longest match for a repository name (ties: first in prefix order). */
export function findRegistry(conf: ParsedRegistriesConf, name: string): (RegistryEntry & { prefix: string }) | undefined {
  let best: (RegistryEntry & { prefix: string }) | undefined;
  for (const r of conf.registries) {
    if (refMatchingPrefix(name, r.prefix) !== -1 && r.prefix.length > (best?.prefix.length ?? 0)) best = r;
  }
  return best;
}

export interface PullAttempt {
  /** The reference actually requested, e.g. `mirror.example.com:5000/ocp4/ocp-v4.0-art-dev@sha256:…`. */
  reference: string;
  /** The endpoint location it came from (a mirror's or the registry's own). */
  location: string;
  kind: 'mirror' | 'source';
  insecure: boolean;
  /** Set when the target is blocked: the node refuses this attempt. */
  refused?: string;
  reason: string;
}

export interface SkippedMirror {
  location: string;
  reason: string;
}

export interface Resolution {
  /** The reference as the node sees it (fully qualified, `:latest` added when it had neither tag nor digest). */
  reference: string;
  byDigest: boolean;
  /** The matching `[[registry]]`, if any. */
  registry?: { prefix: string; location?: string };
  /** In the order the node tries them; the first that has the image is used. */
  attempts: PullAttempt[];
  skipped: SkippedMirror[];
}

function normalise(input: string): ImageReference {
  const ref = parseReference(input);
  if (ref.tag !== undefined && ref.digest !== undefined) {
    throw new FerryError('INVALID_REFERENCE', `"${input}" has both a tag and a digest; containers/image refuses such docker references.`, {
      hint: 'Drop the tag and keep the digest (the digest is what gets pulled).',
    });
  }
  if (ref.tag === undefined && ref.digest === undefined) ref.tag = 'latest';
  return ref;
}

function rewrite(refString: string, prefix: string, location: string | undefined): string {
  // An entry with only a wildcard prefix keeps the reference as it is.
  if (!location) return refString;
  const len = refMatchingPrefix(refString, prefix);
  return location + refString.slice(len);
}

export function resolvePull(conf: ParsedRegistriesConf, input: string): Resolution {
  const ref = normalise(input);
  const refString = formatReference(ref);
  const byDigest = ref.digest !== undefined;
  const registry = findRegistry(conf, repositoryName(ref));
  const result: Resolution = { reference: refString, byDigest, attempts: [], skipped: [] };
  if (!registry) {
    result.attempts.push({
      reference: refString,
      location: ref.registry,
      kind: 'source',
      insecure: false,
      reason: 'no [[registry]] prefix matches; the reference is pulled as written',
    });
    return result;
  }
  result.registry = registry.location ? { prefix: registry.prefix, location: registry.location } : { prefix: registry.prefix };
  const mirrors = registry.mirror ?? [];
  const used: MirrorEndpoint[] = [];
  for (const m of mirrors) {
    if (registry['mirror-by-digest-only'] && !byDigest) {
      result.skipped.push({ location: m.location, reason: `mirror-by-digest-only is set for ${registry.prefix} and this is a tag reference` });
    } else if (m['pull-from-mirror'] === 'digest-only' && !byDigest) {
      result.skipped.push({ location: m.location, reason: 'pull-from-mirror = "digest-only" and this is a tag reference' });
    } else if (m['pull-from-mirror'] === 'tag-only' && byDigest) {
      result.skipped.push({ location: m.location, reason: 'pull-from-mirror = "tag-only" and this is a digest reference' });
    } else {
      used.push(m);
    }
  }
  used.forEach((m, i) => {
    result.attempts.push(attempt(conf, rewrite(refString, registry.prefix, m.location), m.location, 'mirror', m.insecure ?? false, `mirror ${i + 1} of ${used.length} for prefix ${registry.prefix}`));
  });
  result.attempts.push(
    attempt(
      conf,
      rewrite(refString, registry.prefix, registry.location),
      registry.location ?? ref.registry,
      'source',
      registry.insecure ?? false,
      used.length ? 'the registry itself, after every mirror failed' : `the registry location for prefix ${registry.prefix}`,
    ),
  );
  return result;
}

/** Blocking is checked per attempt, against the registry entry the rewritten reference falls under. */
function attempt(conf: ParsedRegistriesConf, reference: string, location: string, kind: PullAttempt['kind'], insecure: boolean, reason: string): PullAttempt {
  const out: PullAttempt = { reference, location, kind, insecure, reason };
  let name: string;
  try {
    name = repositoryName(parseReference(reference));
  } catch {
    out.refused = `the rewritten reference "${reference}" is not valid`;
    return out;
  }
  const target = findRegistry(conf, name);
  if (target?.blocked) out.refused = `registry ${target.prefix} is blocked`;
  return out;
}
