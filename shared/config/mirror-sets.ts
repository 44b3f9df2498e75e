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

export function imageDigestMirrorSet(mappings: readonly MirrorMapping[], opts: MirrorSetOptions = {}): Generated<ImageDigestMirrorSet> {
  const object: ImageDigestMirrorSet = {
    apiVersion: 'config.openshift.io/v1',
    kind: 'ImageDigestMirrorSet',
    metadata: { name: opts.name ?? DEFAULT_MIRROR_SET_NAME },
    spec: { imageDigestMirrors: entries(mappings, opts.mirrorSourcePolicy) },
  };
  refuseViolations(mergeViolations(imageDigestMirrorSetViolations(object), mirrorEntriesNodeViolations(object.spec.imageDigestMirrors, 'imageDigestMirrors')), 'The ImageDigestMirrorSet');
  return { text: toYaml(object), object };
}

export function imageTagMirrorSet(mappings: readonly MirrorMapping[], opts: MirrorSetOptions = {}): Generated<ImageTagMirrorSet> {
  const object: ImageTagMirrorSet = {
    apiVersion: 'config.openshift.io/v1',
    kind: 'ImageTagMirrorSet',
    metadata: { name: opts.name ?? DEFAULT_MIRROR_SET_NAME },
    spec: { imageTagMirrors: entries(mappings, opts.mirrorSourcePolicy) },
  };
  refuseViolations(mergeViolations(imageTagMirrorSetViolations(object), mirrorEntriesNodeViolations(object.spec.imageTagMirrors, 'imageTagMirrors')), 'The ImageTagMirrorSet');
  return { text: toYaml(object), object };
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
