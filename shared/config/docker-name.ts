/**
 * The image-name grammar of containers/image `docker/reference` (regexp.go, reference.go,
 * normalize.go), which CRI-O on the node and the installer parse with. It is stricter than Ferry's
 * own `parseReference` (shared/reference.ts) in the ways the rule sets care about: no IPv6 literal
 * hosts, names of at most 255 characters, and ParseNamed's "canonical" form (a domain first).
 *
 * Upstream writes a path component as `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`; `[-]*` matching no
 * dash only joins two alphanumeric runs, so `-+` below accepts the same strings without the
 * backtracking that JavaScript's engine (unlike Go's) would spend on a long invalid component.
 */
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*`;

const ANCHORED_DOMAIN = new RegExp(`^${DOMAIN}$`);
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** `NameTotalLengthMax` in docker/reference. */
const NAME_TOTAL_LENGTH_MAX = 255;

export interface DockerName {
  /** The name without tag or digest, as written. */
  name: string;
  tag?: string;
  digest?: string;
}

export type DockerNameResult = { ok: true; value: DockerName } | { ok: false; problem: string };

/** `host[:port]` as `DomainRegexp` (also what unqualified-search-registries entries must be). */
export function isDockerDomain(s: string): boolean {
  return ANCHORED_DOMAIN.test(s);
}

/** Why a string is not even host-shaped: the diagnoses operators need most. */
function formatProblem(s: string): string {
  if (s.includes('[')) return 'IPv6 address literals such as [::1]:5000 are not accepted in image names; use a host name';
  if (s.includes('*')) return 'wildcards are not accepted here';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return 'must not have a URI scheme (http://, https://)';
  if (/\s/.test(s)) return 'must not contain white space';
  return 'must be host[:port][/namespace…][/repo] with lowercase path components of letters and digits separated by ., _, __ or -';
}

/** `reference.Parse`: the docker reference grammar, with its error cases in words. */
export function parseDockerReference(s: string): DockerNameResult {
  if (s === '') return { ok: false, problem: 'must not be empty' };
  const m = REFERENCE.exec(s);
  if (!m) {
    if (REFERENCE.test(s.toLowerCase())) return { ok: false, problem: 'the repository path must be lowercase' };
    return { ok: false, problem: formatProblem(s) };
  }
  const name = m[1]!;
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    return { ok: false, problem: `a repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters (it has ${name.length})` };
  }
  const value: DockerName = { name };
  if (m[2] !== undefined) value.tag = m[2];
  if (m[3] !== undefined) value.digest = m[3];
  return { ok: true, value };
}

/** `splitDockerDomain`: whether the first component is a registry host rather than a Docker Hub namespace. */
export function hasExplicitDomain(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const first = name.slice(0, slash);
  return /[.:]/.test(first) || first === 'localhost';
}
