import { EncryptedFileSecretStore, type StringCipher } from './encrypted-file-store';
import { KeytarSecretStore, loadKeytar, type Keytar } from './keytar-store';
import { MemorySecretStore, type SecretStore } from './secret-store';

export interface SecretStoreOptions {
  /** Defaults to trying the optional keytar module. */
  keytar?: () => Promise<Keytar | undefined>;
  /** Electron's safeStorage with the file to keep ciphertext in; absent in serve mode. */
  encrypted?: { cipher: StringCipher; file: string };
}

/** Keychain when keytar loads, else safeStorage when the OS can encrypt, else memory for the session. */
export async function openSecretStore(opts: SecretStoreOptions = {}): Promise<SecretStore> {
  const keytar = await (opts.keytar ?? loadKeytar)();
  if (keytar) return new KeytarSecretStore(keytar);
  if (opts.encrypted && opts.encrypted.cipher.isEncryptionAvailable()) {
    return new EncryptedFileSecretStore(opts.encrypted.file, opts.encrypted.cipher);
  }
  return new MemorySecretStore();
}
