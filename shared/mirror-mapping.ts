import { FerryError } from './errors';
import { parseReference, repositoryName, type ImageReference } from './reference';

/**
 * Where each source repository lands in the mirror, and the source→mirror pairs the cluster
 * configuration needs. One function decides it, so push, direct mirror, verify --against and the
 * generated IDMS/ICSP/registries.conf can never disagree.
 */
export const RELEASE_REPOSITORY = 'openshift-release-dev/ocp-release';
export const COMPONENT_REPOSITORY = 'openshift-release-dev/ocp-v4.0-art-dev';
export const RELEASE_SOURCE = `quay.io/${RELEASE_REPOSITORY}`;
export const COMPONENT_SOURCE = `quay.io/${COMPONENT_REPOSITORY}`;

/** What role an image plays in a transfer. */
export type ImageRole = 'release' | 'component' | 'extra';

/** `HOST[:PORT]/NAMESPACE...` parsed: the mirror root every image goes under. */
export interface MirrorTarget {
  registry: string;
  /** May be empty (images at the registry root), else without leading/trailing slash. */
  namespace: string;
}

export function parseMirrorTarget(input: string): MirrorTarget {
  const trimmed = input.trim().replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  const registry = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const namespace = slash < 0 ? '' : trimmed.slice(slash + 1);
  // Validate by parsing a reference made of it: the registry must look like a host.
  try {
    const probe = parseReference(`${registry}/${namespace ? `${namespace}/` : ''}probe`);
    if (probe.registry !== registry) throw new Error('no registry host');
  } catch {
    throw new FerryError('INVALID_INPUT', `"${input}" is not a mirror location.`, {
      hint: 'Use HOST:PORT/NAMESPACE, e.g. mirror.example.com:5000/ocp4 (the host must contain a dot or a port, or be localhost).',
    });
  }
  return { registry, namespace };
}

/** The mirror root as a registries scope (`host:port/namespace`), used by the image.config lint. */
export function mirrorScope(target: MirrorTarget): string {
  return target.namespace ? `${target.registry}/${target.namespace}` : target.registry;
}

function join(target: MirrorTarget, path: string): string {
  return target.namespace ? `${target.namespace}/${path}` : path;
}

/**
 * The mirror repository for a source repository. Release payloads and components go to the two
 * well-known repositories under NAMESPACE (like `oc adm release mirror`); extra images keep their
 * repository path under NAMESPACE.
 */
export function mirrorRepositoryFor(source: Pick<ImageReference, 'registry' | 'repository'>, role: ImageRole, target: MirrorTarget): ImageReference {
  const repository =
    role === 'release' ? join(target, 'ocp-release') : role === 'component' ? join(target, 'ocp-v4.0-art-dev') : join(target, source.repository);
  return { registry: target.registry, repository };
}

/** One `source → mirrors` entry as IDMS/ITMS/ICSP and registries.conf express it. */
export interface MirrorMapping {
  source: string;
  mirrors: string[];
}

/** The mapping for a set of images, deduplicated by source repository, in first-seen order. */
export function mirrorMappings(images: ReadonlyArray<{ source: string; role: ImageRole }>, target: MirrorTarget): MirrorMapping[] {
  const bySource = new Map<string, MirrorMapping>();
  for (const img of images) {
    const src = parseReference(img.source);
    const key = repositoryName(src);
    if (bySource.has(key)) continue;
    bySource.set(key, { source: key, mirrors: [repositoryName(mirrorRepositoryFor(src, img.role, target))] });
  }
  return [...bySource.values()];
}
