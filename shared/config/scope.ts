/**
 * Scope matching shared by the generators, the lint and the resolver, so the three agree with each
 * other and with the node: `refMatchingPrefix` follows containers/image sysregistriesv2, and
 * `scopeIsNestedInsideScope` follows openshift/runtime-utils (what the MCO uses to propagate
 * blocked/insecure flags to nested entries).
 */

/** The OpenShift internal registry as pods see it (`status.internalRegistryHostname`). */
export const INTERNAL_REGISTRY = 'image-registry.openshift-image-registry.svc:5000';

export function isWildcardScope(scope: string): boolean {
  return scope.startsWith('*.');
}

function subdomainPrefixMatch(ref: string, prefix: string): number {
  const suffix = prefix.slice(1); // ".example.com"
  const index = ref.indexOf(suffix);
  if (index === -1 || ref.slice(0, index).includes('/')) return -1;
  const end = index + suffix.length;
  if (end === ref.length) return end;
  return ':/@'.includes(ref[end]!) ? end : -1;
}

/**
 * Length of the part of `ref` that `prefix` matches, or -1. A prefix matches the whole reference or
 * a leading part followed by `:`, `/` or `@`; `*.example.com` matches any subdomain's host.
 */
export function refMatchingPrefix(ref: string, prefix: string): number {
  if (isWildcardScope(prefix)) return subdomainPrefixMatch(ref, prefix);
  if (ref.length < prefix.length || !ref.startsWith(prefix)) return -1;
  if (ref.length === prefix.length) return prefix.length;
  return ':/@'.includes(ref[prefix.length]!) ? prefix.length : -1;
}

/** True when `sub` (a registry, namespace or repository scope) lies inside `superScope`. */
export function scopeIsNestedInsideScope(sub: string, superScope: string): boolean {
  if (sub === superScope) return true;
  if (sub.length > superScope.length && sub.startsWith(superScope) && sub[superScope.length] === '/') return true;
  if (!isWildcardScope(superScope)) return false;
  const suffix = superScope.slice(1);
  const colon = sub.indexOf(':');
  if (colon >= 0) {
    const host = sub.slice(0, colon);
    return host.endsWith(suffix) && !host.includes('/');
  }
  return (sub.split('/')[0] ?? '').endsWith(suffix);
}
