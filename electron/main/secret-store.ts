import { safeStorage } from 'electron';
import { join } from 'node:path';
import { openSecretStore } from '../jobs/secrets/open-secret-store';
import type { SecretStore } from '../jobs/secrets/secret-store';

/** The desktop app's store: keychain via keytar, else safeStorage-encrypted file, else memory. */
export function openAppSecretStore(userDataDir: string): Promise<SecretStore> {
  return openSecretStore({ encrypted: { cipher: safeStorage, file: join(userDataDir, 'secrets.json') } });
}
