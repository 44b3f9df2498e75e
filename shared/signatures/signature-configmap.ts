import { stringify } from 'yaml';
import { FerryError } from '../errors';
import { bytesToBase64 } from '../certs/encoding';
import { isDigest } from '../reference';

/**
 * The ConfigMap the cluster-version operator reads release signatures from in a disconnected cluster:
 * namespace `openshift-config-managed`, label `release.openshift.io/verification-signatures`, one
 * `binaryData` key `sha256-<hex>-N` per signature (N from 1 for each release), the value the signature bytes.
 * The operator takes every key that starts with a release's digest (library-go pkg/verify/store/configmap), so
 * the releases of an upgrade path share one ConfigMap, as oc-mirror v2 writes them
 * (internal/pkg/clusterresources: `mirrored-release-signatures`).
 */
const SIGNATURE_NAMESPACE = 'openshift-config-managed';
const SIGNATURE_LABEL = 'release.openshift.io/verification-signatures';

const SEVERAL_RELEASES_NAME = 'mirrored-release-signatures';

export interface SignedRelease {
  digest: string;
  signatures: Uint8Array[];
}

export function signatureConfigMap(releases: readonly SignedRelease[], name?: string): { object: Record<string, unknown>; yaml: string } {
  const binaryData: Record<string, string> = {};
  for (const { digest, signatures } of releases) {
    if (!isDigest(digest)) {
      throw new FerryError('USAGE', `"${digest}" is not a release digest.`, { hint: 'Give --digest sha256:<64 hex>, e.g. from `ferry release info`.' });
    }
    const base = digest.replace(':', '-');
    signatures.forEach((sig, i) => {
      binaryData[`${base}-${i + 1}`] = bytesToBase64(sig);
    });
  }
  if (Object.keys(binaryData).length === 0) throw new FerryError('USAGE', 'No signature to put in the ConfigMap.', { hint: 'Give --signature FILE.' });
  const object = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    // `oc adm release mirror` names it after the digest, one ConfigMap per release; oc-mirror v2 one for all.
    metadata: { name: name ?? (releases.length === 1 ? releases[0]!.digest.replace(':', '-') : SEVERAL_RELEASES_NAME), namespace: SIGNATURE_NAMESPACE, labels: { [SIGNATURE_LABEL]: '' } },
    binaryData,
  };
  return { object, yaml: stringify(object) };
}
