import { hasExplicitDomain, parseDockerReference } from './docker-name';
import { MIRROR_SOURCE_POLICIES } from './api-rules';
import type { InstallConfigSnippet } from './install-config';
import { dnsSubdomainProblem, type Violation } from './rules';

/**
 * openshift-install's rules for the mirror fields of install-config.yaml
 * (openshift/installer pkg/types/validation/installconfig.go: validateImageDigestSources,
 * validateImageContentSources, validateNamedRepository, and the one-of check in
 * ValidateInstallConfig). The installer parses each source and mirror with containers/image
 * `reference.ParseNamed`: a repository in canonical form (a host first), or a bare host[:port].
 */

export const INSTALLER = 'openshift/installer install-config validation';

/** ParseNamed's canonical test: normalising (docker.io, library/) would not change the name. */
function isCanonical(name: string): boolean {
  if (!hasExplicitDomain(name)) return false;
  const [domain, ...path] = name.split('/');
  if (domain === 'index.docker.io') return false;
  return !(domain === 'docker.io' && path.length === 1);
}

/** `validateNamedRepository`, its messages kept. */
export function namedRepositoryProblem(r: string): string | undefined {
  const parsed = parseDockerReference(r);
  if (!parsed.ok) return `failed to parse: ${parsed.problem}`;
  const canonical = isCanonical(parsed.value.name);
  if (canonical && (parsed.value.tag !== undefined || parsed.value.digest !== undefined)) return 'must be repository--not reference';
  if (!canonical) {
    // ErrNameNotCanonical: the installer then accepts only a bare host[:port].
    if (parsed.value.digest !== undefined) return 'must be repository--not reference';
    const host = /^(.*):([0-9]+)$/.exec(r)?.[1] ?? r;
    if (dnsSubdomainProblem(host) !== undefined) {
      return 'the repository provided is invalid: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character';
    }
  }
  return undefined;
}

interface SourceEntry {
  source: string;
  mirrors?: string[];
  sourcePolicy?: string;
}

function entries(list: readonly SourceEntry[], field: string): Violation[] {
  const out: Violation[] = [];
  list.forEach((group, i) => {
    const problem = namedRepositoryProblem(group.source);
    if (problem) out.push({ path: `${field}[${i}].source`, problem, rule: INSTALLER });
    (group.mirrors ?? []).forEach((m, j) => {
      const mp = namedRepositoryProblem(m);
      if (mp) out.push({ path: `${field}[${i}].mirrors[${j}]`, problem: mp, rule: INSTALLER });
    });
    if (group.sourcePolicy !== undefined) {
      if (!MIRROR_SOURCE_POLICIES.includes(group.sourcePolicy)) {
        out.push({ path: `${field}[${i}].sourcePolicy`, problem: 'supported values are "NeverContactSource" and "AllowContactingSource"', rule: INSTALLER });
      } else if ((group.mirrors ?? []).length === 0) {
        out.push({ path: `${field}[${i}].sourcePolicy`, problem: 'sourcePolicy cannot be configured without a mirror', rule: INSTALLER });
      }
    }
  });
  return out;
}

export function installConfigViolations(snippet: Pick<InstallConfigSnippet, 'imageDigestSources' | 'imageContentSources'>): Violation[] {
  const out = [...entries(snippet.imageContentSources ?? [], 'imageContentSources'), ...entries(snippet.imageDigestSources ?? [], 'imageDigestSources')];
  if ((snippet.imageContentSources ?? []).length > 0 && (snippet.imageDigestSources ?? []).length > 0) {
    out.push({ path: 'imageContentSources', problem: 'cannot set imageContentSources and imageDigestSources at the same time', rule: INSTALLER });
  }
  return out;
}
