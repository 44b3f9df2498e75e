import type { MirrorMapping } from '../mirror-mapping';
import { imageContentSourcePolicyViolations, imageDigestMirrorSetViolations, imageTagMirrorSetViolations } from './api-rules';
import { mirrorEntriesNodeViolations } from './node-rules';
import { mergeViolations, refuseViolations } from './rules';
import { toYaml, type Generated } from './yaml';

/**
 * The cluster objects that redirect pulls to the mirror: ImageDigestMirrorSet / ImageTagMirrorSet
 * (config.openshift.io/v1, current clusters) and the legacy ImageContentSourcePolicy
 * (operator.openshift.io/v1alpha1). Field names are the API's; entries keep `mirrors` before
 * `source` as `oc adm release mirror` and the docs print them.
 */

/** `NeverContactSource` makes the node refuse the source once every mirror failed (MCO sets `blocked`). */
export type MirrorSourcePolicy = 'AllowContactingSource' | 'NeverContactSource';

const DEFAULT_MIRROR_SET_NAME = 'mirror-ocp';

export interface MirrorEntry {
  mirrors: string[];
  source: string;
  mirrorSourcePolicy?: MirrorSourcePolicy;
}

interface Metadata {
  name: string;
}

export interface ImageDigestMirrorSet {
  apiVersion: 'config.openshift.io/v1';
  kind: 'ImageDigestMirrorSet';
  metadata: Metadata;
  spec: { imageDigestMirrors: MirrorEntry[] };
}

export interface ImageTagMirrorSet {
  apiVersion: 'config.openshift.io/v1';
  kind: 'ImageTagMirrorSet';
  metadata: Metadata;
  spec: { imageTagMirrors: MirrorEntry[] };
}

export interface ImageContentSourcePolicy {
  apiVersion: 'operator.openshift.io/v1alpha1';
  kind: 'ImageContentSourcePolicy';
  metadata: Metadata;
  spec: { repositoryDigestMirrors: Array<{ mirrors: string[]; source: string }> };
}

export interface MirrorSetOptions {
  name?: string;
  mirrorSourcePolicy?: MirrorSourcePolicy;
}

function entries(mappings: readonly MirrorMapping[], policy: MirrorSourcePolicy | undefined): MirrorEntry[] {
  return mappings.map((m) => (policy ? { mirrors: [...m.mirrors], source: m.source, mirrorSourcePolicy: policy } : { mirrors: [...m.mirrors], source: m.source }));
}

/** The two mirror-set kinds differ only in their list's field and the API rules that check it. */
const MIRROR_SET_KINDS = {
  ImageDigestMirrorSet: { field: 'imageDigestMirrors', violations: imageDigestMirrorSetViolations },
  ImageTagMirrorSet: { field: 'imageTagMirrors', violations: imageTagMirrorSetViolations },
} as const;

function mirrorSet<S extends ImageDigestMirrorSet | ImageTagMirrorSet>(kind: S['kind'], mappings: readonly MirrorMapping[], opts: MirrorSetOptions): Generated<S> {
  const { field, violations } = MIRROR_SET_KINDS[kind];
  const list = entries(mappings, opts.mirrorSourcePolicy);
  const object = { apiVersion: 'config.openshift.io/v1', kind, metadata: { name: opts.name ?? DEFAULT_MIRROR_SET_NAME }, spec: { [field]: list } } as S;
  refuseViolations(mergeViolations(violations(object), mirrorEntriesNodeViolations(list, field)), `The ${kind}`);
  return { text: toYaml(object), object };
}

export function imageDigestMirrorSet(mappings: readonly MirrorMapping[], opts: MirrorSetOptions = {}): Generated<ImageDigestMirrorSet> {
  return mirrorSet<ImageDigestMirrorSet>('ImageDigestMirrorSet', mappings, opts);
}

export function imageTagMirrorSet(mappings: readonly MirrorMapping[], opts: MirrorSetOptions = {}): Generated<ImageTagMirrorSet> {
  return mirrorSet<ImageTagMirrorSet>('ImageTagMirrorSet', mappings, opts);
}

/** ICSP has no source policy: its mirrors are digest-only and the source is always tried last. */
export function imageContentSourcePolicy(mappings: readonly MirrorMapping[], opts: { name?: string } = {}): Generated<ImageContentSourcePolicy> {
  const object: ImageContentSourcePolicy = {
    apiVersion: 'operator.openshift.io/v1alpha1',
    kind: 'ImageContentSourcePolicy',
    metadata: { name: opts.name ?? DEFAULT_MIRROR_SET_NAME },
    spec: { repositoryDigestMirrors: mappings.map((m) => ({ mirrors: [...m.mirrors], source: m.source })) },
  };
  refuseViolations(
    mergeViolations(imageContentSourcePolicyViolations(object), mirrorEntriesNodeViolations(object.spec.repositoryDigestMirrors, 'repositoryDigestMirrors')),
    'The ImageContentSourcePolicy',
  );
  return { text: toYaml(object), object };
}
