import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { generateSigningKeys, keySha256, readPrivateKey, readPublicKey } from '../../../electron/engine/signing/keys';
import { tempDir } from '../../support/tmp';

describe('signing keys', () => {
  const tmp = tempDir('keys');
  after(() => tmp.cleanup());

  it('writes a 0600 PKCS#8 private key and a 0644 SPKI public key of one ed25519 pair', async () => {
    const keys = await generateSigningKeys(join(tmp.path, 'site'));
    assert.equal(keys.privateKeyPath, join(tmp.path, 'site.key'));
    assert.equal(keys.publicKeyPath, join(tmp.path, 'site.pub'));
    assert.equal((await stat(keys.privateKeyPath)).mode & 0o777, 0o600);
    assert.equal((await stat(keys.publicKeyPath)).mode & 0o777, 0o644);
    assert.match(await readFile(keys.privateKeyPath, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(await readFile(keys.publicKeyPath, 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);
    const priv = await readPrivateKey(keys.privateKeyPath);
    const pub = await readPublicKey(keys.publicKeyPath);
    assert.equal(priv.asymmetricKeyType, 'ed25519');
    assert.equal(keySha256(priv), keySha256(pub));
    assert.equal(keySha256(pub), keys.sha256);
  });

  it('never overwrites an existing key without force, and replaces it with force', async () => {
    const prefix = join(tmp.path, 'kept');
    const first = await generateSigningKeys(prefix);
    const before = await readFile(first.privateKeyPath, 'utf8');
    await assert.rejects(generateSigningKeys(prefix), (e: unknown) => e instanceof FerryError && e.code === 'USAGE' && e.message.includes('kept.key') && e.exitCode === 2);
    assert.equal(await readFile(first.privateKeyPath, 'utf8'), before);
    const second = await generateSigningKeys(prefix, { force: true });
    assert.notEqual(await readFile(second.privateKeyPath, 'utf8'), before);
    assert.notEqual(second.sha256, first.sha256);
    assert.equal((await stat(second.privateKeyPath)).mode & 0o777, 0o600);
  });

  it('refuses a lone existing .pub too', async () => {
    const prefix = join(tmp.path, 'lonepub');
    await writeFile(`${prefix}.pub`, 'x');
    await assert.rejects(generateSigningKeys(prefix), /lonepub\.pub already exists/);
  });

  it('refuses a private key given as the key to trust, and a public key given to sign with', async () => {
    const keys = await generateSigningKeys(join(tmp.path, 'swap'));
    await assert.rejects(readPublicKey(keys.privateKeyPath), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && /is a private key/.test(e.message));
    await assert.rejects(readPrivateKey(keys.publicKeyPath), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && /is a public key/.test(e.message));
  });

  it('refuses keys of another type and files that hold no key, without quoting their content', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaPub = join(tmp.path, 'rsa.pub');
    await writeFile(rsaPub, createPublicKey(rsa.privateKey).export({ format: 'pem', type: 'spki' }));
    await assert.rejects(readPublicKey(rsaPub), /holds an rsa key, not an ed25519 key/);
    const junk = join(tmp.path, 'junk.key');
    await writeFile(junk, 'SECRET-LOOKING-TEXT');
    await assert.rejects(readPrivateKey(junk), (e: unknown) => e instanceof FerryError && /not a readable PEM private key/.test(e.message) && !e.message.includes('SECRET'));
    await assert.rejects(readPublicKey(join(tmp.path, 'absent.pub')), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && e.message.includes('absent.pub'));
  });
});
