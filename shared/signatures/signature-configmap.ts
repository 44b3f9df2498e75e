import { stringify } from 'yaml';
import { FerryError } from '../errors';
import { bytesToBase64 } from '../certs/encoding';
import { isDigest } from '../reference';

/**
 * The ConfigMap the cluster-version operator reads release signatures from in a disconnected cluster:
 * namespace `openshift-config-managed`, label `release.openshift.io/verification-signatures`, one
 * `binaryData` key `sha256-<hex>-N` per signature (N from 1), the value the signature bytes.
 */
const SIGNATURE_NAMESPACE = 'openshift-config-managed';
const SIGNATURE_LABEL = 'release.openshift.io/verification-signatures';

export function signatureConfigMap(digest: string, signatures: Uint8Array[], name?: string): { object: Record<string, unknown>; yaml: string } {
  if (!isDigest(digest)) {
    throw new FerryError('USAGE', `"${digest}" is not a release digest.`, { hint: 'Give --digest sha256:<64 hex>, e.g. from `ferry release info`.' });
  }
  if (signatures.length === 0) throw new FerryError('USAGE', 'No signature to put in the ConfigMap.', { hint: 'Give --signature FILE.' });
  const base = digest.replace(':', '-');
  const binaryData: Record<string, string> = {};
  signatures.forEach((sig, i) => {
    binaryData[`${base}-${i + 1}`] = bytesToBase64(sig);
  });
  const object = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    // `oc adm release mirror` names it after the digest, one ConfigMap per release.
    metadata: { name: name ?? base, namespace: SIGNATURE_NAMESPACE, labels: { [SIGNATURE_LABEL]: '' } },
    binaryData,
  };
  return { object, yaml: stringify(object) };
}
