import { FerryError } from '../errors';

/**
 * What every rule set (openshift/api, the installer, containers-registries.conf(5),
 * containers-policy.json(5)) reports: the field, what is wrong with it, and whose rule it is, so
 * a refusal names the rule the operator would otherwise meet on the cluster.
 */
export interface Violation {
  /** Field path in the generated object, e.g. `spec.imageDigestMirrors[0].source`. */
  path: string;
  problem: string;
  /** Whose rule, e.g. `openshift/api ImageDigestMirrorSet`. */
  rule: string;
}

export function formatViolation(v: Violation): string {
  return `${v.path}: ${v.problem} (${v.rule})`;
}

/** Throws one INVALID_INPUT naming every broken rule; generators call it before returning any text. */
export function refuseViolations(violations: readonly Violation[], subject: string): void {
  if (violations.length === 0) return;
  throw new FerryError('INVALID_INPUT', `${subject} would break ${violations.length === 1 ? 'a rule' : `${violations.length} rules`}: ${violations.map(formatViolation).join('; ')}.`, {
    hint: 'Change the input named above (registry names, --mirror, --name); nothing was written.',
    details: { violations: violations.map((v) => ({ ...v })) },
  });
}

const DNS1123_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Kubernetes object names (metadata.name of custom resources, ConfigMap names): a lowercase RFC 1123
 * subdomain of at most 253 characters (k8s.io/apimachinery validation.IsDNS1123Subdomain, which
 * apiextensions-apiserver applies to every custom resource's name).
 */
export function dnsSubdomainProblem(name: string): string | undefined {
  if (name === '') return 'must not be empty';
  if (name.length > 253) return `must be no more than 253 characters (it has ${name.length})`;
  if (!DNS1123_SUBDOMAIN.test(name)) {
    return `"${name}" must be a lowercase RFC 1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

export const KUBERNETES_NAMES = 'Kubernetes object names';

/** Several rule sets on one object: a field already refused by an earlier set is not reported again. */
export function mergeViolations(...sets: ReadonlyArray<readonly Violation[]>): Violation[] {
  const out: Violation[] = [];
  for (const set of sets) {
    const known = new Set(out.map((v) => v.path));
    out.push(...set.filter((v) => !known.has(v.path)));
  }
  return out;
}

/** Values that appear more than once, with the index of each repeat (for listType=set). */
export function repeats(list: readonly string[]): Array<{ index: number; value: string }> {
  const seen = new Set<string>();
  const out: Array<{ index: number; value: string }> = [];
  list.forEach((value, index) => {
    if (seen.has(value)) out.push({ index, value });
    seen.add(value);
  });
  return out;
}
