import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { formatFingerprint } from '../../../shared/fingerprint';
import { SIGNATURE_FILE, renderSignatureCheck } from '../../../shared/transfer/signature';
import { generateSigningKeys, type GeneratedKeys } from '../../../electron/engine/signing/keys';
import { signTransfer, verifyTransferSignature } from '../../../electron/engine/signing/transfer-signature';
import { tempDir } from '../../support/tmp';

const MANIFEST = `${JSON.stringify({ formatVersion: 1, id: 't-1', blobs: [{ digest: `sha256:${'a'.repeat(64)}`, size: 3 }] }, null, 2)}\n`;

describe('transfer.json signatures', () => {
  const tmp = tempDir('sig');
  const dir = join(tmp.path, 'transfer');
  let site: GeneratedKeys;
  let other: GeneratedKeys;

  before(async () => {
    site = await generateSigningKeys(join(tmp.path, 'site'));
    other = await generateSigningKeys(join(tmp.path, 'other'));
  });
  beforeEach(async () => {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    await writeFile(join(dir, 'transfer.json'), MANIFEST);
  });
  after(() => tmp.cleanup());

  it('signs the exact bytes and verifies with the trusted key, reporting the same fingerprint it returned', async () => {
    const signed = await signTransfer(dir, site.privateKeyPath);
    assert.equal(signed.sha256, site.sha256);
    assert.equal(signed.fingerprint, formatFingerprint(site.sha256));
    const doc = JSON.parse(await readFile(join(dir, SIGNATURE_FILE), 'utf8'));
    assert.deepEqual(Object.keys(doc).sort(), ['algorithm', 'fingerprint', 'publicKey', 'signature']);
    assert.equal(doc.algorithm, 'ed25519');
    assert.equal(doc.fingerprint, site.sha256);
    assert.equal(Buffer.from(doc.signature, 'base64').length, 64);
    const check = await verifyTransferSignature(dir, { trust: site.publicKeyPath });
    assert.equal(check.status, 'trusted');
    assert.equal(check.ok, true);
    assert.equal(check.fingerprint, signed.fingerprint);
  });

  it('fails when any single byte of transfer.json changes', async () => {
    await signTransfer(dir, site.privateKeyPath);
    const bytes = Buffer.from(MANIFEST);
    for (const at of [0, MANIFEST.indexOf('aaaa'), bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[at] = changed[at]! ^ 0x01;
      await writeFile(join(dir, 'transfer.json'), changed);
      const check = await verifyTransferSignature(dir, { trust: site.publicKeyPath });
      assert.equal(check.status, 'invalid', `byte ${at}`);
      assert.equal(check.ok, false);
      assert.match(check.message, /changed after it was signed/);
    }
    // without --trust the carried key still catches the change
    assert.equal((await verifyTransferSignature(dir)).status, 'invalid');
  });

  it('fails with a different trusted key, naming both fingerprints', async () => {
    await signTransfer(dir, site.privateKeyPath);
    const check = await verifyTransferSignature(dir, { trust: other.publicKeyPath });
    assert.equal(check.status, 'invalid');
    assert.equal(check.fingerprint, formatFingerprint(site.sha256));
    assert.equal(check.trustedFingerprint, formatFingerprint(other.sha256));
    const text = renderSignatureCheck(check).join('\n');
    assert.ok(text.includes(formatFingerprint(site.sha256)) && text.includes(formatFingerprint(other.sha256)));
  });

  it('catches an edited manifest re-signed with another key when a key is trusted, and shows the other fingerprint when none is', async () => {
    await writeFile(join(dir, 'transfer.json'), MANIFEST.replace('t-1', 't-2'));
    await signTransfer(dir, other.privateKeyPath);
    assert.equal((await verifyTransferSignature(dir, { trust: site.publicKeyPath })).status, 'invalid');
    const untrusted = await verifyTransferSignature(dir);
    assert.equal(untrusted.status, 'signed');
    assert.equal(untrusted.ok, true);
    assert.equal(untrusted.fingerprint, formatFingerprint(other.sha256));
  });

  it('passes an unsigned transfer with a warning, fails it when a signature is required or a key is trusted', async () => {
    const plain = await verifyTransferSignature(dir);
    assert.deepEqual([plain.status, plain.ok], ['unsigned', true]);
    assert.match(renderSignatureCheck(plain)[0]!, /^Signature: WARNING: /);
    const required = await verifyTransferSignature(dir, { require: true });
    assert.deepEqual([required.status, required.ok], ['unsigned', false]);
    const trusted = await verifyTransferSignature(dir, { trust: site.publicKeyPath });
    assert.deepEqual([trusted.status, trusted.ok], ['unsigned', false]);
    assert.match(renderSignatureCheck(trusted)[0]!, /^Signature: FAILED: /);
  });

  it('fails on a garbled signature file', async () => {
    await signTransfer(dir, site.privateKeyPath);
    const good = JSON.parse(await readFile(join(dir, SIGNATURE_FILE), 'utf8'));
    await signTransfer(dir, other.privateKeyPath);
    const otherDoc = JSON.parse(await readFile(join(dir, SIGNATURE_FILE), 'utf8'));
    const variants: Array<[string, string]> = [
      ['not JSON', '{"algorithm": "ed25519", '],
      ['wrong algorithm', JSON.stringify({ ...good, algorithm: 'rsa' })],
      ['bad base64', JSON.stringify({ ...good, signature: '***' })],
      ['key and fingerprint disagree', JSON.stringify({ ...good, publicKey: otherDoc.publicKey })],
      ['key not a key', JSON.stringify({ ...good, publicKey: Buffer.from('nope').toString('base64') })],
      ['truncated signature', JSON.stringify({ ...good, signature: Buffer.from(good.signature, 'base64').subarray(0, 32).toString('base64') })],
    ];
    for (const [what, text] of variants) {
      await writeFile(join(dir, SIGNATURE_FILE), text);
      const check = await verifyTransferSignature(dir, { trust: site.publicKeyPath });
      assert.equal(check.status, 'invalid', what);
      assert.equal(check.ok, false, what);
    }
  });

  it('throws bad input for an unreadable trusted key or a directory without transfer.json', async () => {
    await assert.rejects(verifyTransferSignature(dir, { trust: join(tmp.path, 'missing.pub') }), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT');
    await assert.rejects(signTransfer(tmp.path, site.privateKeyPath), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && e.message.includes('transfer.json'));
  });
});
