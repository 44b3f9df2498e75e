import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptedFileSecretStore, type StringCipher } from '../../../electron/jobs/secrets/encrypted-file-store';
import { openSecretStore } from '../../../electron/jobs/secrets/open-secret-store';
import { MemorySecretStore } from '../../../electron/jobs/secrets/secret-store';
import { collectSecrets, redact } from '../../../electron/jobs/redact';

/** A real cipher standing in for safeStorage (AES-256-GCM with a per-test key). */
function aesCipher(available = true): StringCipher {
  const key = randomBytes(32);
  return {
    isEncryptionAvailable: () => available,
    encryptString(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(buf) {
      const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

const SECRET = '{"auths":{"quay.io":{"auth":"dXNlcjpzM2NyZXQtcHVsbA=="}}}';

describe('secret stores', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-secrets-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('encrypted file store keeps only ciphertext, mode 0600, and round-trips', async () => {
    const file = join(dir, 'secrets.json');
    const store = new EncryptedFileSecretStore(file, aesCipher());
    await store.save({ name: 'pull', kind: 'pull-secret' }, SECRET);
    await Promise.all([store.save({ name: 'a', kind: 'token' }, 'tok-aaaa'), store.save({ name: 'b', kind: 'token' }, 'tok-bbbb')]);
    const text = await readFile(file, 'utf8');
    for (const s of [SECRET, 'dXNlcjpzM2NyZXQtcHVsbA==', 'tok-aaaa', 'tok-bbbb']) assert.ok(!text.includes(s), 'no plaintext on disk');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(await store.get('pull'), SECRET);
    assert.deepEqual((await store.list()).map((m) => m.name).sort(), ['a', 'b', 'pull']);
    assert.equal(await store.delete('a'), true);
    assert.equal(await store.delete('a'), false);
    assert.equal(await store.get('a'), undefined);
  });

  it('refuses to use safeStorage when the OS cannot encrypt', () => {
    assert.throws(() => new EncryptedFileSecretStore(join(dir, 'x.json'), aesCipher(false)), { code: 'UNSUPPORTED' });
  });

  it('chooses keychain, else safeStorage, else memory', async () => {
    const noKeytar = async () => undefined;
    assert.equal((await openSecretStore({ keytar: noKeytar })).kind, 'memory');
    assert.equal((await openSecretStore({ keytar: noKeytar, encrypted: { cipher: aesCipher(false), file: join(dir, 'y.json') } })).kind, 'memory');
    assert.equal((await openSecretStore({ keytar: noKeytar, encrypted: { cipher: aesCipher(), file: join(dir, 'y.json') } })).kind, 'safeStorage');
    const fakeKeychain = { setPassword: async () => {}, getPassword: async () => null, deletePassword: async () => false, findCredentials: async () => [] };
    assert.equal((await openSecretStore({ keytar: async () => fakeKeychain })).kind, 'keychain');
  });

  it('memory store lists names and kinds without values', async () => {
    const store = new MemorySecretStore();
    await store.save({ name: 'm', kind: 'registry-password', registry: 'h:5000', username: 'u' }, 'pw-12345');
    const listed = await store.list();
    assert.ok(!JSON.stringify(listed).includes('pw-12345'));
    assert.equal(listed[0]?.registry, 'h:5000');
  });
});

describe('redaction', () => {
  it('replaces secret keys and scrubs their values everywhere, including pull secret auth entries', () => {
    const params = { credentials: [{ registry: 'r', username: 'u', password: 'pw-secret-1' }], pullSecret: SECRET, pullSecretRef: 'pull' };
    const secrets = collectSecrets(params);
    assert.ok(secrets.has('dXNlcjpzM2NyZXQtcHVsbA=='), 'auth inside the pull secret is a secret too');
    const out = redact({ ...params, note: 'failed with pw-secret-1 and dXNlcjpzM2NyZXQtcHVsbA==' }, secrets);
    assert.equal(out.credentials[0]?.password, '[redacted]');
    assert.equal(out.pullSecret, '[redacted]');
    assert.equal(out.pullSecretRef, 'pull', 'a reference is a name, not a secret');
    assert.equal(out.note, 'failed with [redacted] and [redacted]');
  });
});
