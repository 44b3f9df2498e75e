import { FerryError } from './errors';

/**
 * One parsed image reference, one place to normalise it (like regclient's types/ref and
 * go-containerregistry's pkg/name). Pure: used by the engine, the config generators and the renderer.
 */
export interface ImageReference {
  /** Registry host with optional port, e.g. `quay.io`, `mirror.example.com:5000`, `127.0.0.1:40211`. */
  registry: string;
  /** Repository path inside the registry, e.g. `openshift-release-dev/ocp-release`. */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>` */
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
// Path components per the distribution reference grammar: lowercase alnum separated by ., _, __ or -+.
const COMPONENT_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const HOST_RE = /^(?:\[[0-9a-fA-F:]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]{1,5})?$/;

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

function invalid(ref: string, why: string): FerryError {
  return new FerryError('INVALID_REFERENCE', `"${ref}" is not a valid image reference: ${why}.`, {
    hint: 'Use HOST[:PORT]/REPOSITORY[:TAG][@sha256:DIGEST], e.g. quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64.',
  });
}

/** True when the first path component names a registry rather than a Docker Hub namespace. */
function looksLikeRegistry(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component.startsWith('[');
}

export function parseReference(input: string): ImageReference {
  const ref = input.trim();
  if (ref === '') throw invalid(input, 'it is empty');
  if (/\s/.test(ref)) throw invalid(input, 'it contains white space');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw invalid(input, `the digest "${digest}" is not sha256: followed by 64 lowercase hex digits`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw invalid(input, `the tag "${tag}" may hold only letters, digits, '_', '.', '-' (at most 128)`);
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && looksLikeRegistry(parts[0]!)) {
    registry = parts.shift()!;
    if (!HOST_RE.test(registry)) throw invalid(input, `"${registry}" is not a valid host[:port]`);
  }
  if (parts.length === 0 || parts.some((p) => p === '')) throw invalid(input, 'the repository path is empty or has an empty component');
  for (const p of parts) {
    if (!COMPONENT_RE.test(p)) throw invalid(input, `the path component "${p}" must be lowercase letters and digits, optionally separated by '.', '_', '__' or '-'`);
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  const out: ImageReference = { registry, repository: parts.join('/') };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** `registry/repository` without tag or digest. */
export function repositoryName(ref: Pick<ImageReference, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`;
}

/** Full string form. A reference with both tag and digest keeps both (the digest is what is pulled). */
export function formatReference(ref: ImageReference): string {
  let s = repositoryName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** The tag or digest to ask the registry for: the digest wins, else the tag, else `latest`. */
export function manifestSelector(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

export function withDigest(ref: ImageReference, digest: string): ImageReference {
  const { tag: _tag, ...base } = ref;
  return { ...base, digest };
}
