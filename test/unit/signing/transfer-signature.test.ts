import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { formatFingerprint } from '../../../shared/fingerprint';
import { SIGNATURE_FILE, renderSignatureCheck } from '../../../shared/transfer/signature';
import { generateSigningKeys, type GeneratedKeys } from '../../../electron/engine/signing/keys';
import { signTransfer } from '../../../electron/engine/signing/transfer-signature';
import { checkTransferTrust, openTrustedTransfer, type TrustPolicy } from '../../../electron/engine/signing/trust-policy';
import { tempDir } from '../../support/tmp';

const verifyTransferSignature = (dir: string, policy: TrustPolicy = {}) => checkTransferTrust(dir, policy);

const MANIFEST = `${JSON.stringify({ formatVersion: 1, id: 't-1', blobs: [{ digest: `sha256:${'a'.repeat(64)}`, size: 3 }] }, null, 2)}\n`;

describe('transfer.json signatures and the trust policy', () => {
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
    const check = await verifyTransferSignature(dir, { trust: [site.publicKeyPath] });
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
      const check = await verifyTransferSignature(dir, { trust: [site.publicKeyPath] });
      assert.equal(check.status, 'invalid', `byte ${at}`);
      assert.equal(check.ok, false);
      assert.match(check.message, /changed after it was signed/);
    }
    // without --trust the carried key still catches the change
    assert.equal((await verifyTransferSignature(dir)).status, 'invalid');
  });

  it('fails a signature by a key nobody trusts, even when another key is trusted, naming both fingerprints', async () => {
    await signTransfer(dir, site.privateKeyPath);
    const check = await verifyTransferSignature(dir, { trust: [other.publicKeyPath] });
    assert.deepEqual([check.status, check.ok], ['untrusted', false]);
    assert.equal(check.fingerprint, formatFingerprint(site.sha256));
    assert.deepEqual(check.trustedFingerprints, [formatFingerprint(other.sha256)]);
    const text = renderSignatureCheck(check).join('\n');
    assert.match(text, /^Signature: FAILED: transfer\.json is signed by an unknown key \(fingerprint [0-9A-F ]+\)\./);
    assert.ok(text.includes(formatFingerprint(site.sha256)) && text.includes(formatFingerprint(other.sha256)));
    assert.match(check.hint ?? '', /--allow-untrusted/);
    const none = await verifyTransferSignature(dir);
    assert.deepEqual([none.status, none.ok], ['untrusted', false], 'no trusted key: unknown, not OK');
  });

  it('trusts a key given by its printed fingerprint, its full SHA-256 or its .pub, and nothing close to it', async () => {
    await signTransfer(dir, site.privateKeyPath);
    const printed = formatFingerprint(site.sha256);
    for (const spec of [printed, printed.toLowerCase().replace(/ /g, ':'), site.sha256, `sha256:${site.sha256}`, site.publicKeyPath]) {
      const check = await verifyTransferSignature(dir, { trust: [other.publicKeyPath, spec] });
      assert.deepEqual([check.status, check.ok], ['trusted', true], spec);
    }
    const flipped = `${printed.slice(0, -1)}${printed.endsWith('0') ? '1' : '0'}`;
    assert.equal((await verifyTransferSignature(dir, { trust: [flipped] })).status, 'untrusted');
    await assert.rejects(verifyTransferSignature(dir, { trust: [printed.slice(0, -1)] }), (e: unknown) => e instanceof FerryError && e.code === 'USAGE' && /not a whole key fingerprint/.test(e.message));
  });

  it('accepts an unknown key only with allowUntrusted, as a warning that still shows the fingerprint', async () => {
    await signTransfer(dir, other.privateKeyPath);
    const allowed = await verifyTransferSignature(dir, { trust: [site.publicKeyPath], allowUntrusted: true });
    assert.deepEqual([allowed.status, allowed.ok, allowed.fingerprint], ['untrusted', true, formatFingerprint(other.sha256)]);
    assert.match(renderSignatureCheck(allowed)[0]!, /^Signature: WARNING: .*unknown key/);
  });

  it('refuses an edited manifest whatever the policy allows', async () => {
    await signTransfer(dir, site.privateKeyPath);
    await writeFile(join(dir, 'transfer.json'), MANIFEST.replace('t-1', 't-2'));
    const check = await verifyTransferSignature(dir, { trust: [site.publicKeyPath], allowUnsigned: true, allowUntrusted: true });
    assert.deepEqual([check.status, check.ok], ['invalid', false]);
  });

  it('catches an edited manifest re-signed with another key: unknown, not trusted', async () => {
    await writeFile(join(dir, 'transfer.json'), MANIFEST.replace('t-1', 't-2'));
    await signTransfer(dir, other.privateKeyPath);
    const check = await verifyTransferSignature(dir, { trust: [site.publicKeyPath] });
    assert.deepEqual([check.status, check.ok, check.fingerprint], ['untrusted', false, formatFingerprint(other.sha256)]);
  });

  it('fails an unsigned transfer unless allowUnsigned, naming the flag', async () => {
    const refused = await verifyTransferSignature(dir);
    assert.deepEqual([refused.status, refused.ok], ['unsigned', false]);
    assert.match(refused.hint ?? '', /--allow-unsigned/);
    assert.match(renderSignatureCheck(refused)[0]!, /^Signature: FAILED: /);
    const allowed = await verifyTransferSignature(dir, { allowUnsigned: true });
    assert.deepEqual([allowed.status, allowed.ok], ['unsigned', true]);
    assert.match(renderSignatureCheck(allowed)[0]!, /^Signature: WARNING: /);
  });

  it('opens a transfer for push from the bytes it judged, and refuses (VERIFY_FAILED) one it does not accept', async () => {
    await signTransfer(dir, site.privateKeyPath);
    await assert.rejects(
      openTrustedTransfer(dir, {}),
      (e: unknown) => e instanceof FerryError && e.code === 'VERIFY_FAILED' && /Refusing to push: .*unknown key/.test(e.message) && /--allow-untrusted/.test(e.hint ?? ''),
    );
    // Past the signature comes the schema check: this toy manifest is signed and trusted but not a transfer.
    // A manifest that breaks the schema is a failed check of the media (MEDIA_CORRUPT, exit 1), not bad usage.
    await assert.rejects(openTrustedTransfer(dir, { trust: [site.sha256] }), (e: unknown) => e instanceof FerryError && e.code === 'MEDIA_CORRUPT');
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
      const check = await verifyTransferSignature(dir, { trust: [site.publicKeyPath] });
      assert.equal(check.status, 'invalid', what);
      assert.equal(check.ok, false, what);
    }
  });

  it('throws bad input for an unreadable trusted key or a directory without transfer.json', async () => {
    await assert.rejects(verifyTransferSignature(dir, { trust: [join(tmp.path, 'missing.pub')] }), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT');
    await assert.rejects(signTransfer(tmp.path, site.privateKeyPath), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && e.message.includes('transfer.json'));
  });
});
