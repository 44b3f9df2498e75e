import { dnsSubdomainProblem, KUBERNETES_NAMES, repeats, type Violation } from './rules';

/**
 * The openshift/api rules for the objects Ferry generates, written out by hand from the CRDs
 * (config/v1 ImageDigestMirrorSet, ImageTagMirrorSet, Image; operator/v1alpha1
 * ImageContentSourcePolicy): patterns, lengths, item counts, enums, list-type=set uniqueness and the
 * x-kubernetes-validations (CEL) rules. test/fixtures/upstream/openshift-api holds the schemas these
 * mirror; the tests check generated objects against them.
 */

const LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST_PORT = `${LABEL}(?:\\.${LABEL})*(?::[0-9]+)?`;
// Upstream: `(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?`; the same strings, see docker-name.ts.
const PATH = '(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*';
const WILDCARD = `\\*(?:\\.${LABEL})+`;

/** IDMS/ITMS `mirrors` items. */
export const MIRROR_PATTERN = new RegExp(`^${HOST_PORT}${PATH}$`);
/** IDMS/ITMS `source`, and the CEL `self.matches(…)` on Image registrySources entries. */
export const SCOPE_PATTERN = new RegExp(`^${WILDCARD}$|^${HOST_PORT}${PATH}$`);

export const MIRROR_SOURCE_POLICIES: readonly string[] = ['NeverContactSource', 'AllowContactingSource'];

/** Why a value fails SCOPE_PATTERN or MIRROR_PATTERN, in the operator's terms. */
function scopeProblem(value: string, wildcardAllowed: boolean): string | undefined {
  if ((wildcardAllowed ? SCOPE_PATTERN : MIRROR_PATTERN).test(value)) return undefined;
  if (value === '') return 'must not be empty';
  if (value.includes('@')) return 'must not contain a digest; name a registry, namespace or repository';
  if (value.startsWith('[')) return 'IPv6 address literals such as [::1]:5000 are not accepted; use a host name';
  if (value.includes('*')) {
    return wildcardAllowed ? 'a wildcard must lead and cover whole subdomains: *.example.com, without port or path' : 'wildcards are not accepted here';
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'must not have a URI scheme (http://, https://)';
  const slash = value.indexOf('/');
  if (slash >= 0 && value.indexOf(':', slash) >= 0) return 'must not contain a tag; name a registry, namespace or repository';
  if (slash >= 0 && /[A-Z]/.test(value.slice(slash))) return 'the repository path must be lowercase';
  return 'must be host[:port][/namespace…][/repo]: DNS labels of letters, digits and -, lowercase path components separated by ., _, __ or -';
}

const IDMS = 'openshift/api ImageDigestMirrorSet';
const ITMS = 'openshift/api ImageTagMirrorSet';
const ICSP = 'openshift/api ImageContentSourcePolicy';
const IMAGE = 'openshift/api Image';

function nameViolations(metadata: { name?: unknown } | undefined): Violation[] {
  const name = metadata?.name;
  if (typeof name !== 'string') return [{ path: 'metadata.name', problem: 'is required', rule: KUBERNETES_NAMES }];
  const problem = dnsSubdomainProblem(name);
  return problem ? [{ path: 'metadata.name', problem, rule: KUBERNETES_NAMES }] : [];
}

interface MirrorSetEntry {
  source?: unknown;
  mirrors?: unknown;
  mirrorSourcePolicy?: unknown;
}

function stringItems(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

function mirrorSetEntries(entries: readonly MirrorSetEntry[], field: string, rule: string): Violation[] {
  const out: Violation[] = [];
  entries.forEach((entry, i) => {
    const at = `spec.${field}[${i}]`;
    if (typeof entry.source !== 'string') {
      out.push({ path: `${at}.source`, problem: 'is required', rule });
    } else {
      const problem = scopeProblem(entry.source, true);
      if (problem) out.push({ path: `${at}.source`, problem, rule });
    }
    const mirrors = entry.mirrors === undefined ? [] : stringItems(entry.mirrors);
    if (!mirrors) {
      out.push({ path: `${at}.mirrors`, problem: 'must be a list of strings', rule });
    } else {
      mirrors.forEach((m, j) => {
        const problem = scopeProblem(m, false);
        if (problem) out.push({ path: `${at}.mirrors[${j}]`, problem, rule });
      });
      for (const r of repeats(mirrors)) out.push({ path: `${at}.mirrors[${r.index}]`, problem: `"${r.value}" is listed twice; mirrors is a set`, rule });
    }
    if (entry.mirrorSourcePolicy !== undefined) {
      if (typeof entry.mirrorSourcePolicy !== 'string' || !MIRROR_SOURCE_POLICIES.includes(entry.mirrorSourcePolicy)) {
        out.push({ path: `${at}.mirrorSourcePolicy`, problem: `must be one of ${MIRROR_SOURCE_POLICIES.join(', ')}`, rule });
      } else if (mirrors && mirrors.length === 0) {
        out.push({ path: `${at}.mirrorSourcePolicy`, problem: 'is valid only when one or more mirrors are listed', rule });
      }
    }
  });
  return out;
}

function specList(obj: { spec?: unknown }, field: string, rule: string): { entries: MirrorSetEntry[]; violations: Violation[] } {
  if (typeof obj.spec !== 'object' || obj.spec === null) return { entries: [], violations: [{ path: 'spec', problem: 'is required', rule }] };
  const list = (obj.spec as Record<string, unknown>)[field];
  if (list === undefined) return { entries: [], violations: [] };
  if (!Array.isArray(list) || !list.every((e) => typeof e === 'object' && e !== null)) {
    return { entries: [], violations: [{ path: `spec.${field}`, problem: 'must be a list of objects', rule }] };
  }
  return { entries: list as MirrorSetEntry[], violations: [] };
}

type KubeObject = { metadata?: { name?: unknown }; spec?: unknown };

export function imageDigestMirrorSetViolations(obj: KubeObject): Violation[] {
  const { entries, violations } = specList(obj, 'imageDigestMirrors', IDMS);
  return [...nameViolations(obj.metadata), ...violations, ...mirrorSetEntries(entries, 'imageDigestMirrors', IDMS)];
}

export function imageTagMirrorSetViolations(obj: KubeObject): Violation[] {
  const { entries, violations } = specList(obj, 'imageTagMirrors', ITMS);
  return [...nameViolations(obj.metadata), ...violations, ...mirrorSetEntries(entries, 'imageTagMirrors', ITMS)];
}

/** The ICSP schema only types its fields; the node-side rules (registries-rules.ts) check the names. */
export function imageContentSourcePolicyViolations(obj: KubeObject): Violation[] {
  const { entries, violations } = specList(obj, 'repositoryDigestMirrors', ICSP);
  const out = [...nameViolations(obj.metadata), ...violations];
  entries.forEach((entry, i) => {
    const at = `spec.repositoryDigestMirrors[${i}]`;
    if (typeof entry.source !== 'string') out.push({ path: `${at}.source`, problem: 'is required', rule: ICSP });
    if (entry.mirrors !== undefined && !stringItems(entry.mirrors)) out.push({ path: `${at}.mirrors`, problem: 'must be a list of strings', rule: ICSP });
  });
  return out;
}

const SCOPE_LISTS = ['allowedRegistries', 'blockedRegistries', 'insecureRegistries'] as const;
const SCOPE_MAX_LENGTH = 256;
const SCOPE_MAX_ITEMS = 1024;

/** `spec` of image.config.openshift.io (the name `cluster` is Ferry's lint's concern, not the schema's). */
export function imageConfigViolations(obj: KubeObject): Violation[] {
  const out: Violation[] = [];
  const add = (path: string, problem: string) => out.push({ path, problem, rule: IMAGE });
  if (typeof obj.spec !== 'object' || obj.spec === null || Array.isArray(obj.spec)) {
    add('spec', 'is required and must be a mapping');
    return out;
  }
  const spec = obj.spec as Record<string, unknown>;
  const ca = spec.additionalTrustedCA;
  if (ca !== undefined) {
    const name = (ca as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') add('spec.additionalTrustedCA.name', 'is required');
    else {
      // The schema types it only; a ConfigMap with any other name cannot exist to be referenced.
      const problem = dnsSubdomainProblem(name);
      if (problem) out.push({ path: 'spec.additionalTrustedCA.name', problem: `${problem} (it names a ConfigMap)`, rule: KUBERNETES_NAMES });
    }
  }
  const forImport = spec.allowedRegistriesForImport;
  if (forImport !== undefined) {
    if (!Array.isArray(forImport)) add('spec.allowedRegistriesForImport', 'must be a list');
    else {
      forImport.forEach((r: unknown, i) => {
        const e = (r ?? {}) as { domainName?: unknown; insecure?: unknown };
        if (e.domainName !== undefined && typeof e.domainName !== 'string') add(`spec.allowedRegistriesForImport[${i}].domainName`, 'must be a string');
        if (e.insecure !== undefined && typeof e.insecure !== 'boolean') add(`spec.allowedRegistriesForImport[${i}].insecure`, 'must be true or false');
      });
    }
  }
  const rs = spec.registrySources;
  if (rs === undefined) return out;
  if (typeof rs !== 'object' || rs === null || Array.isArray(rs)) {
    add('spec.registrySources', 'must be a mapping');
    return out;
  }
  const src = rs as Record<string, unknown>;
  for (const key of SCOPE_LISTS) {
    const value = src[key];
    if (value === undefined) continue;
    const path = `spec.registrySources.${key}`;
    const list = stringItems(value);
    if (!list) {
      add(path, 'must be a list of registry scopes');
      continue;
    }
    if (list.length > SCOPE_MAX_ITEMS) add(path, `must have at most ${SCOPE_MAX_ITEMS} items (it has ${list.length})`);
    list.forEach((scope, i) => {
      if (scope.length > SCOPE_MAX_LENGTH) add(`${path}[${i}]`, `must be at most ${SCOPE_MAX_LENGTH} characters (it has ${scope.length})`);
      else {
        const problem = scopeProblem(scope, true);
        if (problem) add(`${path}[${i}]`, problem);
      }
    });
  }
  const search = src.containerRuntimeSearchRegistries;
  if (search !== undefined) {
    const list = stringItems(search);
    if (!list) add('spec.registrySources.containerRuntimeSearchRegistries', 'must be a list of registry host names');
    else {
      if (list.length === 0) add('spec.registrySources.containerRuntimeSearchRegistries', 'must have at least 1 item when set');
      for (const r of repeats(list)) add(`spec.registrySources.containerRuntimeSearchRegistries[${r.index}]`, `"${r.value}" is listed twice; the list is a set`);
    }
  }
  // x-kubernetes-validations on registrySources: has(self.blockedRegistries) ? !has(self.allowedRegistries) : true
  if (src.blockedRegistries !== undefined && src.allowedRegistries !== undefined) {
    add('spec.registrySources', 'Only one of blockedRegistries or allowedRegistries may be set');
  }
  return out;
}
