import type { SecretMeta, SecretRecord, SecretStore } from './secret-store';
import { stamp } from './secret-store';

/** The part of keytar's API Ferry uses. */
export interface Keytar {
  setPassword(service: string, account: string, password: string): Promise<void>;
  getPassword(service: string, account: string): Promise<string | null>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

const SERVICE = 'io.ferry.app';

/**
 * keytar is an optional native dependency: absent, unbuildable or without a keychain daemon (a
 * headless Linux box has no Secret Service) it must not break Ferry. Returns undefined then.
 */
export async function loadKeytar(): Promise<Keytar | undefined> {
  try {
    const specifier = 'keytar'; // a variable keeps bundlers and tsc from requiring the optional module
    const mod = (await import(specifier)) as { default?: Keytar } & Keytar;
    const keytar = mod.default ?? mod;
    await keytar.findCredentials(SERVICE); // probes that a keychain actually answers
    return keytar;
  } catch {
    return undefined;
  }
}

/** Secrets in the OS keychain (macOS Keychain, Windows Credential Vault, Secret Service). */
export class KeytarSecretStore implements SecretStore {
  readonly kind = 'keychain' as const;
  constructor(private readonly keytar: Keytar) {}

  async list(): Promise<SecretMeta[]> {
    const creds = await this.keytar.findCredentials(SERVICE);
    return creds.flatMap((c) => {
      try {
        return [(JSON.parse(c.password) as SecretRecord).meta];
      } catch {
        return [];
      }
    });
  }
  async save(meta: Omit<SecretMeta, 'updatedAt'>, value: string): Promise<void> {
    const record: SecretRecord = { meta: stamp(meta), value };
    await this.keytar.setPassword(SERVICE, meta.name, JSON.stringify(record));
  }
  async get(name: string): Promise<string | undefined> {
    const raw = await this.keytar.getPassword(SERVICE, name);
    return raw === null ? undefined : (JSON.parse(raw) as SecretRecord).value;
  }
  async delete(name: string): Promise<boolean> {
    return this.keytar.deletePassword(SERVICE, name);
  }
}
