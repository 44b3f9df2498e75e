import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { writeFileAtomic } from '../../engine/trust/secret-file';
import type { SecretMeta, SecretRecord, SecretStore } from './secret-store';
import { stamp } from './secret-store';

/** Electron's safeStorage, as far as Ferry uses it (injected so this file never imports electron). */
export interface StringCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

type FileShape = Record<string, { meta: SecretMeta; data: string }>;

/**
 * Secrets encrypted with OS-bound keys (safeStorage) in one 0600 file under the data dir. Only
 * ciphertext touches the disk; the file is replaced atomically. Refuses to work when the OS offers
 * no encryption (safeStorage would then fall back to a hard-coded key on Linux).
 */
export class EncryptedFileSecretStore implements SecretStore {
  readonly kind = 'safeStorage' as const;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly cipher: StringCipher,
  ) {
    if (!cipher.isEncryptionAvailable()) {
      throw new FerryError('UNSUPPORTED', 'The operating system offers no encryption for stored secrets.', {
        hint: 'Secrets are kept in memory for this session only.',
      });
    }
  }

  async list(): Promise<SecretMeta[]> {
    return Object.values(await this.read()).map((e) => e.meta);
  }
  async save(meta: Omit<SecretMeta, 'updatedAt'>, value: string): Promise<void> {
    await this.mutate((all) => {
      const record: SecretRecord = { meta: stamp(meta), value };
      all[meta.name] = { meta: record.meta, data: this.cipher.encryptString(value).toString('base64') };
    });
  }
  async get(name: string): Promise<string | undefined> {
    const entry = (await this.read())[name];
    return entry ? this.cipher.decryptString(Buffer.from(entry.data, 'base64')) : undefined;
  }
  async delete(name: string): Promise<boolean> {
    let existed = false;
    await this.mutate((all) => {
      existed = name in all;
      delete all[name];
    });
    return existed;
  }

  private async read(): Promise<FileShape> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as FileShape;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new FerryError('INVALID_INPUT', `The secret store ${this.file} cannot be read.`, { hint: 'Delete the file to start with no saved secrets.', cause: e });
    }
  }

  /** Read-modify-write, one at a time, so two saves cannot lose each other's entry. */
  private mutate(change: (all: FileShape) => void): Promise<void> {
    const run = this.queue.then(async () => {
      const all = await this.read();
      change(all);
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.file, JSON.stringify(all), 0o600);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
