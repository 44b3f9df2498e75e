/**
 * Keys of a pull secret's `auths` object: `host[:port]` or a namespaced `host[:port]/namespace/...`
 * (seed 000). containers/image looks credentials up by `host/a/b`, then `host/a`, then `host`.
 */

export interface AuthKey {
  /** `host[:port]` */
  registry: string;
  /** Path below the registry without slashes at either end, when the key is namespaced. */
  namespace?: string;
  /** The key carried an `http://` or `https://` prefix (legacy Docker style). */
  scheme: boolean;
  /** The key ended with `/` (as in seed 000's `my-registry:5000/my-namespace/`). */
  trailingSlash: boolean;
}

const HOST_RE = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::(\d{1,5}))?$/;
const COMPONENT_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

/** Parses an `auths` key; undefined when it is not `[scheme://]host[:port][/namespace...][/]`. */
export function parseAuthKey(key: string): AuthKey | undefined {
  const schemeMatch = /^https?:\/\//.exec(key);
  let rest = schemeMatch ? key.slice(schemeMatch[0].length) : key;
  const trailingSlash = rest.endsWith('/');
  if (trailingSlash) rest = rest.slice(0, -1);
  const [registry = '', ...path] = rest.split('/');
  const host = HOST_RE.exec(registry);
  if (!host) return undefined;
  if (host[1] !== undefined && Number(host[1]) > 65535) return undefined;
  // Legacy Docker Hub keys look like https://index.docker.io/v1/: the /v1 is an API path, not a namespace.
  const namespace = schemeMatch && path.length === 1 && path[0] === 'v1' ? [] : path;
  if (!namespace.every((c) => COMPONENT_RE.test(c))) return undefined;
  const out: AuthKey = { registry, scheme: schemeMatch !== null, trailingSlash };
  if (namespace.length > 0) out.namespace = namespace.join('/');
  return out;
}

export const AUTH_KEY_FORMAT = 'host[:port] or host[:port]/namespace, e.g. mirror.example.com:5000 or mirror.example.com:5000/ocp4';

/** Docker Hub's names; Ferry calls the registry docker.io (containers/image normalizeRegistry folds the same three). */
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * The key lookups match an `auths` key under (containers/image pkg/docker/config normalizeAuthFileKey):
 * a URL key (`https://index.docker.io/v1/`, as docker login once wrote them) names its host only, and
 * Docker Hub's aliases are one registry. A trailing `/` (seed 000's `my-registry:5000/my-namespace/`)
 * is dropped as well, as the kubelet does, so Ferry finds what the cluster would use.
 */
export function normalizeAuthKey(key: string): string {
  let k = key.trim();
  const hadScheme = /^https?:\/\//.test(k);
  k = k.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  // A URL-style key names a registry, not a namespace: its path (/v1/, /v2/) is not a repository prefix.
  if (hadScheme) k = k.split('/')[0]!;
  return DOCKER_HUB_ALIASES.has(k) ? 'docker.io' : k;
}

/** `host/a/b/img` → [`host/a/b/img`, `host/a/b`, `host/a`, `host`] (containers/image authKeysForKey). */
export function authKeyLookupOrder(registry: string, repository: string): string[] {
  const keys: string[] = [];
  let key = repository ? `${registry}/${repository}` : registry;
  for (;;) {
    keys.push(key);
    const slash = key.lastIndexOf('/');
    if (slash < 0) break;
    key = key.slice(0, slash);
  }
  return keys;
}
