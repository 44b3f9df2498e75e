import type { RegistrySources } from './image-config';
import { policyJsonViolations } from './node-rules';
import { refuseViolations } from './rules';
import type { Generated } from './yaml';

/**
 * The node's `/etc/containers/policy.json` as the MCO writes it from registrySources (seed 002):
 * with an allowed list the default is `reject` and each allowed scope gets `insecureAcceptAnything`;
 * with a blocked list the default stays `insecureAcceptAnything` and each blocked scope gets
 * `reject`. The same scopes go under `atomic` and `docker`; `docker-daemon` is always accepted.
 */

export type PolicyRequirement = { type: 'insecureAcceptAnything' } | { type: 'reject' };

export interface PolicyJson {
  default: PolicyRequirement[];
  transports: Record<string, Record<string, PolicyRequirement[]>>;
}

const ACCEPT: PolicyRequirement = { type: 'insecureAcceptAnything' };
const REJECT: PolicyRequirement = { type: 'reject' };

function scopes(list: readonly string[], requirement: PolicyRequirement): Record<string, PolicyRequirement[]> {
  const out: Record<string, PolicyRequirement[]> = {};
  for (const scope of [...new Set(list)].sort()) out[scope] = [{ ...requirement }];
  return out;
}

function nodePolicyJson(sources: RegistrySources = {}): PolicyJson {
  const allowed = sources.allowedRegistries ?? [];
  const blocked = sources.blockedRegistries ?? [];
  const transports: PolicyJson['transports'] = {};
  let defaultRequirement = ACCEPT;
  if (allowed.length > 0) {
    defaultRequirement = REJECT;
    transports.atomic = scopes(allowed, ACCEPT);
    transports.docker = scopes(allowed, ACCEPT);
  } else if (blocked.length > 0) {
    transports.atomic = scopes(blocked, REJECT);
    transports.docker = scopes(blocked, REJECT);
  }
  transports['docker-daemon'] = { '': [{ ...ACCEPT }] };
  return { default: [{ ...defaultRequirement }], transports };
}

export function policyJson(sources: RegistrySources = {}): Generated<PolicyJson> {
  const object = nodePolicyJson(sources);
  refuseViolations(policyJsonViolations(object), 'The policy.json');
  return { text: `${JSON.stringify(object, null, 2)}\n`, object };
}
