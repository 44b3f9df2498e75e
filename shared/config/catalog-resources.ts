import { FerryError } from '../errors';
import type { MirrorMapping } from '../mirror-mapping';
import { parseReference, repositoryName, type ImageReference } from '../reference';
import { dnsSubdomainProblem, KUBERNETES_NAMES, refuseViolations, type Violation } from './rules';
import { toYaml, type Generated } from './yaml';

/**
 * The cluster objects for mirrored operator catalogs: a CatalogSource (OLM v0) and a ClusterCatalog
 * (OLM v1) per filtered catalog, and the source→mirror pairs of every bundle and operand image for
 * the IDMS (pulled by digest) and ITMS (pulled by tag).
 *
 * Names and fields follow oc-mirror v2 (openshift/oc-mirror internal/pkg/clusterresources/
 * clusterresources.go, generateCatalogSource / generateClusterCatalog / generateImageMirrors):
 * `cs-`/`cc-` + the catalog repository's last path component + `-` + the first 12 hex of the
 * digest (by-digest reference) or the first 12 characters of the tag mapped to [a-z0-9-], dots
 * replaced by dashes; CatalogSource in openshift-marketplace with sourceType grpc; ClusterCatalog
 * with source type Image, `priority: 0` as the Go struct marshals it; catalog images themselves are
 * left out of IDMS/ITMS (the cluster reaches them through the catalog objects); a source pulled by
 * digest (also tag+digest) goes to the IDMS, one pulled by tag only to the ITMS. Two deliberate
 * differences: no createdAt/oc-mirror_version annotations (the same transfer gives the same
 * bytes), and mirror entries are scoped to the repository (oc-mirror's forceRepositoryScope), as
 * Ferry's release mirror sets are, so no namespace is redirected wider than what was carried.
 */

/** One filtered catalog in the mirror: what the cluster knew it as, and where it now is (by digest or tag). */
export interface MirroredCatalog {
  source: string;
  mirrored: string;
  /** metadata.name of both catalog objects; default as oc-mirror names them. */
  name?: string;
}

/** A bundle or operand image: its reference as bundles name it, and its reference in the mirror. */
export interface MirroredImage {
  source: string;
  mirrored: string;
}

/** What the mirror holds for operators: a pure description the engine fills from the transfer. */
export interface MirroredCatalogs {
  catalogs: MirroredCatalog[];
  images: MirroredImage[];
}

const CATALOG_SOURCE_NAMESPACE = 'openshift-marketplace';
export const DEFAULT_OPERATOR_IDMS_NAME = 'idms-operator-0';
export const DEFAULT_OPERATOR_ITMS_NAME = 'itms-operator-0';
const HASH_TRUNC_LEN = 12;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const OC_MIRROR_RFC1123 = /^[a-zA-Z0-9][-a-zA-Z0-9]*[a-zA-Z0-9]$/;
const CATALOG_NAMES = 'OLM catalog names';

export interface CatalogSource {
  apiVersion: 'operators.coreos.com/v1alpha1';
  kind: 'CatalogSource';
  metadata: { name: string; namespace: string };
  spec: { image: string; sourceType: 'grpc' };
}

export interface ClusterCatalog {
  apiVersion: 'olm.operatorframework.io/v1';
  kind: 'ClusterCatalog';
  metadata: { name: string };
  spec: { priority: number; source: { image: { ref: string }; type: 'Image' } };
}

/** oc-mirror's toRFC1035: lower case, anything but [a-z0-9-] becomes '-'. */
function toRfc1035(c: string): string {
  const lower = c.toLowerCase();
  return /^[a-z0-9-]$/.test(lower) ? lower : '-';
}

function mirroredReference(catalog: MirroredCatalog, index: number): ImageReference {
  const ref = parseReference(catalog.mirrored);
  if (ref.tag === undefined && ref.digest === undefined) {
    throw new FerryError('INVALID_INPUT', `The mirrored catalog ${catalog.mirrored} names neither a digest nor a tag.`, {
      hint: 'Point the catalog objects at the filtered catalog exactly as pushed: REPOSITORY@sha256:… or REPOSITORY:TAG.',
      details: { path: `catalogs[${index}].mirrored` },
    });
  }
  return ref;
}

/** oc-mirror's name for a catalog object: PREFIX-REPO-SUFFIX (see the module comment). */
function catalogObjectName(prefix: 'cs' | 'cc', mirrored: ImageReference): string {
  const byDigestOnly = mirrored.tag === undefined && mirrored.digest !== undefined;
  const suffix = byDigestOnly
    ? mirrored.digest!.slice(mirrored.digest!.indexOf(':') + 1).slice(0, HASH_TRUNC_LEN)
    : [...(mirrored.tag ?? '').slice(0, HASH_TRUNC_LEN)].map(toRfc1035).join('');
  const repository = mirrored.repository.split('/').pop()!;
  return `${prefix}-${repository}-${suffix || '0'}`.replaceAll('.', '-');
}

/** Kubernetes' rule for every custom resource's name, then oc-mirror's own: a DNS-1035 label, or its RFC 1123 check, of at most 63. */
function nameViolations(name: string, path: string): Violation[] {
  const problem = dnsSubdomainProblem(name);
  if (problem) return [{ path, problem, rule: KUBERNETES_NAMES }];
  const label = name.length <= 63 && (DNS1035_LABEL.test(name) || OC_MIRROR_RFC1123.test(name));
  return label ? [] : [{ path, problem: `"${name}" must be a label of at most 63 letters, digits and '-' (OLM serves the catalog under this name)`, rule: CATALOG_NAMES }];
}

function objectsText(objects: readonly unknown[]): string {
  return objects.map(toYaml).join('---\n');
}

function checkedCatalogs(input: MirroredCatalogs, prefix: 'cs' | 'cc', subject: string): Array<{ name: string; ref: string }> {
  const out = input.catalogs.map((catalog, i) => {
    const mirrored = mirroredReference(catalog, i);
    return { name: catalog.name ?? catalogObjectName(prefix, mirrored), ref: catalog.mirrored.trim() };
  });
  refuseViolations(out.flatMap((c, i) => nameViolations(c.name, out.length === 1 ? 'metadata.name' : `[${i}].metadata.name`)), subject);
  return out;
}

export function catalogSources(input: MirroredCatalogs): Generated<CatalogSource[]> {
  const object = checkedCatalogs(input, 'cs', 'The CatalogSource').map(
    (c): CatalogSource => ({
      apiVersion: 'operators.coreos.com/v1alpha1',
      kind: 'CatalogSource',
      metadata: { name: c.name, namespace: CATALOG_SOURCE_NAMESPACE },
      spec: { image: c.ref, sourceType: 'grpc' },
    }),
  );
  return { text: objectsText(object), object };
}

export function clusterCatalogs(input: MirroredCatalogs): Generated<ClusterCatalog[]> {
  const object = checkedCatalogs(input, 'cc', 'The ClusterCatalog').map(
    (c): ClusterCatalog => ({
      apiVersion: 'olm.operatorframework.io/v1',
      kind: 'ClusterCatalog',
      metadata: { name: c.name },
      spec: { priority: 0, source: { image: { ref: c.ref }, type: 'Image' } },
    }),
  );
  return { text: objectsText(object), object };
}

/**
 * Source→mirror pairs for the operator images pulled one way: by digest (IDMS) or by tag only (ITMS),
 * one entry per source repository in first-seen order, each distinct mirror repository once.
 */
export function operatorMirrorMappings(images: readonly MirroredImage[], pulledBy: 'digest' | 'tag'): MirrorMapping[] {
  const bySource = new Map<string, MirrorMapping>();
  for (const image of images) {
    const source = parseReference(image.source);
    if ((source.digest !== undefined) !== (pulledBy === 'digest')) continue;
    const key = repositoryName(source);
    const mirror = repositoryName(parseReference(image.mirrored));
    const entry = bySource.get(key);
    if (!entry) bySource.set(key, { source: key, mirrors: [mirror] });
    else if (!entry.mirrors.includes(mirror)) entry.mirrors.push(mirror);
  }
  return [...bySource.values()];
}
