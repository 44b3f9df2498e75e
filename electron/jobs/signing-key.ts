import { newPrivateKeyPem } from '../engine/signing/keys';
import type { SecretStore } from './secrets/secret-store';

/**
 * The app's transfer-signing key: one ed25519 key per installation, made on the first export and kept in
 * the OS secret store beside the pull secrets, so every transfer carries the same fingerprint (what the
 * other side checks once and then trusts). It reaches a mirror worker over IPC only, like a pull secret.
 */
export const SIGNING_KEY_NAME = 'ferry-transfer-signing-key';

let creating: Promise<string> | undefined;

export async function transferSigningKey(store: SecretStore): Promise<string> {
  const kept = await store.get(SIGNING_KEY_NAME);
  if (kept !== undefined) return kept;
  // Two exports started together must not each make (and overwrite) a key: the first one's key is the key.
  creating ??= (async () => {
    const pem = newPrivateKeyPem();
    await store.save({ name: SIGNING_KEY_NAME, kind: 'signing-key' }, pem);
    return pem;
  })().finally(() => (creating = undefined));
  return creating;
}
