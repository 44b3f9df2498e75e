/**
 * Where pull secrets and registry passwords live, behind one interface so the privileged side
 * (Electron main or `ferry serve`) never cares which backend it got. `get` exists for the privileged
 * side only: no API method returns a stored secret to the UI.
 */
export type SecretStoreKind = 'keychain' | 'safeStorage' | 'memory';
/** 'signing-key' is the app's own transfer-signing key (jobs/signing-key.ts): never listed to the UI. */
export type SecretKind = 'pull-secret' | 'registry-password' | 'token' | 'signing-key';

export interface SecretMeta {
  name: string;
  kind: SecretKind;
  registry?: string;
  username?: string;
  updatedAt: string;
}

export interface SecretStore {
  readonly kind: SecretStoreKind;
  list(): Promise<SecretMeta[]>;
  save(meta: Omit<SecretMeta, 'updatedAt'>, value: string): Promise<void>;
  get(name: string): Promise<string | undefined>;
  delete(name: string): Promise<boolean>;
}

/** Stored together wherever the backend keeps one opaque string per name. */
export interface SecretRecord {
  meta: SecretMeta;
  value: string;
}

export function stamp(meta: Omit<SecretMeta, 'updatedAt'>): SecretMeta {
  return { ...meta, updatedAt: new Date().toISOString() };
}

/** For the session only: what Ferry falls back to when no keychain or OS encryption is available. */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  private readonly records = new Map<string, SecretRecord>();

  async list(): Promise<SecretMeta[]> {
    return [...this.records.values()].map((r) => r.meta);
  }
  async save(meta: Omit<SecretMeta, 'updatedAt'>, value: string): Promise<void> {
    this.records.set(meta.name, { meta: stamp(meta), value });
  }
  async get(name: string): Promise<string | undefined> {
    return this.records.get(name)?.value;
  }
  async delete(name: string): Promise<boolean> {
    return this.records.delete(name);
  }
}
