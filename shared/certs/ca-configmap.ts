import { stringify } from 'yaml';
import { FerryError } from '../errors';
import { pemBlocks } from './encoding';
import { shellQuote } from './shell';

/**
 * The ConfigMap that `image.config.openshift.io/cluster` names in `spec.additionalTrustedCA` (seeds 002, 003):
 * namespace `openshift-config`, one data key per registry, the value the PEM CA it is trusted with.
 */

const CA_CONFIGMAP_NAMESPACE = 'openshift-config';
export const DEFAULT_CA_CONFIGMAP_NAME = 'registry-config';

const HOST_PORT_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::\d{1,5})?$/;
const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** seed 002: "if the registry has a port, ':' must be replaced by '..'" — `mirror.example.com:5000` → `mirror.example.com..5000`. */
export function caConfigMapKey(registry: string): string {
  if (!HOST_PORT_RE.test(registry)) {
    throw new FerryError('USAGE', `"${registry}" is not a registry host[:port] for additionalTrustedCA.`, {
      hint: 'Give the mirror as HOST or HOST:PORT (no namespace, no scheme); ConfigMap keys cannot hold IPv6 brackets.',
    });
  }
  return registry.replace(':', '..');
}

function checkName(name: string): void {
  if (!NAME_RE.test(name) || name.length > 253) {
    throw new FerryError('USAGE', `"${name}" is not a valid ConfigMap name.`, { hint: "Use lowercase letters, digits, '-' and '.', e.g. registry-config." });
  }
}

export interface CaConfigMapEntry {
  /** `host[:port]` the CA is trusted for. */
  registry: string;
  /** PEM text of the CA certificate(s). */
  pem: string;
}

export function caConfigMap(entries: CaConfigMapEntry[], name = DEFAULT_CA_CONFIGMAP_NAME): { object: Record<string, unknown>; yaml: string } {
  checkName(name);
  if (entries.length === 0) throw new FerryError('USAGE', 'No registry CA to put in the ConfigMap.', { hint: 'Give --mirror HOST:PORT and --ca-file FILE.' });
  const data: Record<string, string> = {};
  for (const e of entries) {
    const key = caConfigMapKey(e.registry);
    if (key in data) throw new FerryError('USAGE', `The registry ${e.registry} is given twice.`, { hint: 'Give each registry once; put several CAs for it in one PEM file.' });
    if (!pemBlocks(e.pem).some((b) => b.label === 'CERTIFICATE')) {
      throw new FerryError('INVALID_INPUT', `The CA for ${e.registry} is not a PEM certificate.`, { hint: 'OpenShift wants PEM here; Ferry converts DER files it reads, paste PEM text otherwise.' });
    }
    data[key] = `${e.pem.trim()}\n`;
  }
  const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: CA_CONFIGMAP_NAMESPACE }, data };
  return { object, yaml: stringify(object) };
}

/** seed 003: `oc create configmap NAME --from-file=HOST..PORT=FILE -n openshift-config`. */
export function ocCreateCaConfigMapCommand(entries: Array<{ registry: string; file: string }>, name = DEFAULT_CA_CONFIGMAP_NAME): string {
  checkName(name);
  const froms = entries.map((e) => `--from-file=${shellQuote(`${caConfigMapKey(e.registry)}=${e.file}`)}`);
  return ['oc create configmap', shellQuote(name), ...froms, `-n ${CA_CONFIGMAP_NAMESPACE}`].join(' ');
}

/** seed 003: point the cluster image config at the ConfigMap. */
export function ocPatchAdditionalTrustedCaCommand(name = DEFAULT_CA_CONFIGMAP_NAME): string {
  checkName(name);
  const patch = JSON.stringify({ spec: { additionalTrustedCA: { name } } });
  return `oc patch image.config.openshift.io/cluster --patch ${shellQuote(patch)} --type=merge`;
}
