import { hasExplicitDomain, isDockerDomain, parseDockerReference } from './docker-name';
import type { PolicyJson } from './policy-json';
import type { RegistriesConf } from './registries-conf';
import type { Violation } from './rules';

/**
 * The node's rules: what containers/image (CRI-O, podman, skopeo) accepts in
 * /etc/containers/registries.conf (containers-registries.conf(5), pkg/sysregistriesv2
 * postProcessRegistries) and /etc/containers/policy.json (containers-policy.json(5), the docker
 * transport's scopes). Locations are rewritten into image names and parsed with docker/reference,
 * so they follow its grammar: a host first, no IPv6 literals, at most 255 characters.
 */

const REGISTRIES_CONF = 'containers-registries.conf(5)';
const POLICY_JSON = 'containers-policy.json(5)';

/** A `*.example.com` prefix/scope: leading wildcard over whole DNS labels, no port, path or digest. */
function wildcardProblem(value: string): string | undefined {
  const host = value.slice(2);
  return host !== '' && !host.includes(':') && isDockerDomain(host) ? undefined : 'a wildcard must be *.example.com: leading, whole labels, without port, path, tag or digest';
}

/**
 * A registries.conf `prefix`/`location` or policy.json docker scope: `host[:port]`,
 * `host[:port]/namespace…/repo`, optionally with `:tag` or `@digest`, or (where allowed) `*.host`.
 */
function locationProblem(value: string, opts: { wildcard: boolean }): string | undefined {
  if (value.startsWith('*')) return opts.wildcard ? wildcardProblem(value) : 'wildcards are not accepted here; name a host';
  if (/^https?:\/\//.test(value)) return 'URI schemes are not supported; write host[:port][/path] without http:// or https://';
  if (!value.includes('/')) {
    if (isDockerDomain(value)) return undefined;
    const parsed = parseDockerReference(value);
    return parsed.ok ? 'must be a host[:port] or start with one' : parsed.problem;
  }
  const parsed = parseDockerReference(value);
  if (!parsed.ok) return parsed.problem;
  if (!hasExplicitDomain(parsed.value.name)) return `must start with a registry host (a name with a dot or a port, or localhost); "${value.split('/')[0]}" is not one`;
  return undefined;
}

export function registriesConfViolations(conf: RegistriesConf): Violation[] {
  const out: Violation[] = [];
  const add = (path: string, problem: string) => out.push({ path, problem, rule: REGISTRIES_CONF });
  conf['unqualified-search-registries'].forEach((r, i) => {
    if (!isDockerDomain(r.replace(/\/+$/, ''))) add(`unqualified-search-registries[${i}]`, `"${r}" must be a registry host[:port], without a path, wildcard, tag or digest`);
  });
  const byLocation = new Map<string, { insecure: boolean; blocked: boolean; index: number }>();
  conf.registry.forEach((reg, i) => {
    const at = `registry[${i}]`;
    if (reg.prefix === '' && !reg.location) add(at, 'both location and prefix are unset');
    if (reg.prefix !== '') {
      const problem = locationProblem(reg.prefix, { wildcard: true });
      if (problem) add(`${at}.prefix`, problem);
    }
    if (reg.location) {
      const problem = locationProblem(reg.location, { wildcard: false });
      if (problem) add(`${at}.location`, problem);
    } else if (!reg.prefix.startsWith('*.')) {
      add(`${at}.location`, 'location is unset and prefix is not in the format *.example.com');
    }
    (reg.mirror ?? []).forEach((m, j) => {
      if (m.location === '') add(`${at}.mirror[${j}].location`, 'mirror location is unset');
      else {
        const problem = locationProblem(m.location, { wildcard: false });
        if (problem) add(`${at}.mirror[${j}].location`, problem);
      }
      if (reg['mirror-by-digest-only'] && m['pull-from-mirror'] !== undefined) {
        add(`${at}.mirror[${j}].pull-from-mirror`, 'cannot be set together with the registry\'s mirror-by-digest-only');
      }
    });
    const key = reg.location || reg.prefix;
    const flags = { insecure: reg.insecure ?? false, blocked: reg.blocked ?? false, index: i };
    const seen = byLocation.get(key);
    if (!seen) byLocation.set(key, flags);
    else {
      for (const flag of ['insecure', 'blocked'] as const) {
        if (seen[flag] !== flags[flag]) add(at, `registry "${key}" is defined multiple times with conflicting "${flag}" (see registry[${seen.index}])`);
      }
    }
  });
  return out;
}

export const MCO = 'openshift/machine-config-operator';

/**
 * The entries of an IDMS/ITMS/ICSP as the node will use them: the MCO copies each source into a
 * registries.conf prefix and each mirror into a mirror location, after its own check
 * (pkg/controller/container-runtime-config validateRegistriesConfScopes) that a source never
 * contacted is not also one of its mirrors.
 */
export function mirrorEntriesNodeViolations(
  entries: ReadonlyArray<{ source: string; mirrors?: readonly string[]; mirrorSourcePolicy?: string }>,
  field: string,
): Violation[] {
  const out: Violation[] = [];
  entries.forEach((e, i) => {
    if (e.mirrorSourcePolicy === 'NeverContactSource' && (e.mirrors ?? []).includes(e.source)) {
      out.push({ path: `spec.${field}[${i}].mirrorSourcePolicy`, problem: `cannot be NeverContactSource when the source "${e.source}" is one of the mirrors`, rule: MCO });
    }
    const problem = locationProblem(e.source, { wildcard: true });
    if (problem) out.push({ path: `spec.${field}[${i}].source`, problem, rule: REGISTRIES_CONF });
    (e.mirrors ?? []).forEach((m, j) => {
      const mp = locationProblem(m, { wildcard: false });
      if (mp) out.push({ path: `spec.${field}[${i}].mirrors[${j}]`, problem: mp, rule: REGISTRIES_CONF });
    });
  });
  return out;
}

const REQUIREMENT_TYPES: readonly string[] = ['insecureAcceptAnything', 'reject', 'signedBy', 'sigstoreSigned'];
/** Transports whose scopes name docker references (containers/image docker transport; atomic is its old alias). */
const DOCKER_TRANSPORTS: readonly string[] = ['docker', 'atomic'];

export function policyJsonViolations(policy: PolicyJson): Violation[] {
  const out: Violation[] = [];
  const add = (path: string, problem: string) => out.push({ path, problem, rule: POLICY_JSON });
  const requirements = (path: string, list: ReadonlyArray<{ type: string }>) => {
    if (list.length === 0) add(path, 'must list at least one requirement');
    list.forEach((r, i) => {
      if (!REQUIREMENT_TYPES.includes(r.type)) add(`${path}[${i}].type`, `"${r.type}" is not a policy requirement type`);
    });
  };
  requirements('default', policy.default);
  for (const [transport, scopes] of Object.entries(policy.transports)) {
    for (const [scope, list] of Object.entries(scopes)) {
      const path = `transports.${transport}["${scope}"]`;
      requirements(path, list);
      // "" is the transport-wide default; every other docker scope is a fully expanded name or *.domain.
      if (scope !== '' && DOCKER_TRANSPORTS.includes(transport)) {
        const problem = locationProblem(scope, { wildcard: true });
        if (problem) add(path, problem);
      }
    }
  }
  return out;
}
