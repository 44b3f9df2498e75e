import type { Command } from 'commander';
import { collect } from '../host/common-options';

/** The trust policy as `ferry verify` and `ferry push` take it (see electron/engine/signing/trust-policy.ts). */
export interface TrustCliOptions {
  trust: string[];
  allowUnsigned: boolean;
  allowUntrusted: boolean;
}

export function addTrustOptions(cmd: Command): Command {
  return cmd
    .option('--trust <key.pub|fingerprint>', 'trust transfers signed by this key: its PREFIX.pub, or its fingerprint as ferry prints it; repeatable', collect, [])
    .option('--allow-unsigned', 'accept a transfer that has no transfer.json.sig', false)
    .option('--allow-untrusted', 'accept a transfer signed by a key no --trust names (its fingerprint is still shown)', false);
}
