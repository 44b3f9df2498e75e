import { stringify } from 'yaml';
import { FerryError } from '../errors';
import { utf8ToBase64 } from '../certs/encoding';
import { shellQuote } from '../certs/shell';
import { authEntry, validateCredential, type Credential } from './add';

/** What the cluster needs to use a pull secret (seed 003) or a per-project token credential (seed 004). */

/** seed 003: replace the global pull secret with the edited file. */
export function ocSetPullSecretCommand(file: string): string {
  return `oc set data secret/pull-secret -n openshift-config --from-file=.dockerconfigjson=${shellQuote(file)}`;
}

export interface DockerConfigSecretInput extends Credential {
  /** Secret name, e.g. `my-registry`. */
  name: string;
  namespace?: string;
}

const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateSecretName(name: string): void {
  if (name.length > 253 || !DNS_SUBDOMAIN_RE.test(name)) {
    throw new FerryError('USAGE', `"${name}" is not a valid Kubernetes object name.`, { hint: "Use lowercase letters, digits, '-' and '.', at most 253 characters, e.g. my-registry." });
  }
}

/**
 * seed 004: the Secret `oc create secret docker-registry` would make, as YAML, for a token (or password)
 * credential. It holds the credential in base64: it is written only where the operator asked.
 */
export function dockerConfigSecret(input: DockerConfigSecretInput): { object: Record<string, unknown>; yaml: string } {
  validateCredential(input);
  validateSecretName(input.name);
  const config = JSON.stringify({ auths: { [input.registry]: authEntry(input) } });
  const metadata: Record<string, string> = { name: input.name };
  if (input.namespace !== undefined) metadata.namespace = input.namespace;
  const object = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata,
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': utf8ToBase64(config) },
  };
  return { object, yaml: stringify(object) };
}

/** seed 004: let the `default` service account pull with the secret. */
export function ocSecretsLinkCommand(secretName: string, serviceAccount = 'default'): string {
  return `oc secrets link ${shellQuote(serviceAccount)} ${shellQuote(secretName)} --for=pull`;
}
