import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { parse as parseYaml } from 'yaml';
import { FerryError } from '../../shared/errors';
import { signatureConfigMap } from '../../shared/signatures/signature-configmap';
import { verifyReleaseSignature } from '../../electron/engine/signatures/verify-release-signature';
import { tempDir, type TempDir } from '../support/tmp';
import { ferry } from '../fixtures/certs/helpers';

const DIGEST = `sha256:${'81154f5c03294534e1eaf0319bef7a601134f891689ccede5d705ef659aa8c92'}`;
const OTHER_DIGEST = `sha256:${'ab'.repeat(32)}`;
const RELEASE = 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64';

let tmp: TempDir;
let signer: { privateKey: openpgp.PrivateKey; publicArmored: string; publicBinary: Uint8Array };
let stranger: { publicArmored: string };

async function makeKey(name: string) {
  const { privateKey, publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name, email: `${name}@example.com` }], format: 'object' });
  return { privateKey, publicArmored: publicKey.armor(), publicBinary: publicKey.write() };
}

function payload(digest: string, reference: string, type = 'atomic container signature'): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      critical: { type, image: { 'docker-manifest-digest': digest }, identity: { 'docker-reference': reference } },
      optional: { creator: 'Ferry test signer', timestamp: 1700000000 },
    }),
  );
}

/** A binary OpenPGP signed message, compressed like the release signatures the signature store serves. */
async function sign(content: Uint8Array, key = signer.privateKey): Promise<Uint8Array> {
  const signed = await openpgp.sign({ message: await openpgp.createMessage({ binary: content }), signingKeys: key, format: 'object' });
  // Compression makes openpgp.js hand back its own stream type rather than bytes: drain it.
  // Message.compress exists at run time but not in openpgp.js's type declarations.
  const compressible = signed as unknown as { compress(algorithm: number): Promise<{ write(): ReadableStream<Uint8Array> }> };
  const reader = (await compressible.compress(openpgp.enums.compression.zlib)).write().getReader();
  const chunks: Uint8Array[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
  return new Uint8Array(Buffer.concat(chunks));
}

before(async () => {
  tmp = tempDir('signature');
  signer = await makeKey('release-signer');
  stranger = await makeKey('stranger');
});
after(() => tmp.cleanup());

test('a good signature verifies with the armored and the binary key; the tag may differ from the signed one', async () => {
  const signature = await sign(payload(DIGEST, RELEASE));
  for (const publicKey of [new TextEncoder().encode(signer.publicArmored), signer.publicBinary]) {
    const check = await verifyReleaseSignature({ signature, publicKey, digest: DIGEST, reference: `quay.io/openshift-release-dev/ocp-release@${DIGEST}` });
    assert.equal(check.claims.digest, DIGEST);
    assert.equal(check.claims.dockerReference, RELEASE);
    assert.equal(check.claims.creator, 'Ferry test signer');
    assert.equal(check.claims.timestamp, '2023-11-14T22:13:20.000Z');
    assert.equal(check.keyFingerprint, signer.privateKey.getFingerprint());
    assert.equal(check.keyId, signer.privateKey.getKeyID().toHex());
  }
});

test('a signature by another key, or altered bytes, fail verification (VERIFY_FAILED, exit 1)', async () => {
  const signature = await sign(payload(DIGEST, RELEASE));
  await assert.rejects(
    verifyReleaseSignature({ signature, publicKey: new TextEncoder().encode(stranger.publicArmored), digest: DIGEST, reference: RELEASE }),
    (e: unknown) => e instanceof FerryError && e.code === 'VERIFY_FAILED' && e.exitCode === 1 && /does not verify with key/.test(e.message),
  );
  // Alter one byte of the signed content in an uncompressed signature: the hash no longer matches.
  const plain = Buffer.from(await openpgp.sign({ message: await openpgp.createMessage({ binary: payload(DIGEST, RELEASE) }), signingKeys: signer.privateKey, format: 'binary' }));
  const at = plain.indexOf('openshift-release-dev');
  assert.ok(at > 0);
  plain[at] = 'O'.charCodeAt(0);
  await assert.rejects(
    verifyReleaseSignature({ signature: new Uint8Array(plain), publicKey: signer.publicBinary, digest: DIGEST, reference: RELEASE }),
    (e: unknown) => e instanceof FerryError && e.code === 'VERIFY_FAILED' && /does not verify with key/.test(e.message),
  );
});

test('a valid signature for another digest or another repository is refused, naming both', async () => {
  const forOther = await sign(payload(OTHER_DIGEST, RELEASE));
  await assert.rejects(verifyReleaseSignature({ signature: forOther, publicKey: signer.publicBinary, digest: DIGEST, reference: RELEASE }), (e: unknown) => {
    return e instanceof FerryError && e.code === 'VERIFY_FAILED' && e.message.includes(`for digest ${OTHER_DIGEST}, not ${DIGEST}`);
  });
  const otherRepo = await sign(payload(DIGEST, 'quay.io/someone/ocp-release:4.15.3-x86_64'));
  await assert.rejects(verifyReleaseSignature({ signature: otherRepo, publicKey: signer.publicBinary, digest: DIGEST, reference: RELEASE }), (e: unknown) => {
    return e instanceof FerryError && /for quay\.io\/someone\/ocp-release, not quay\.io\/openshift-release-dev\/ocp-release/.test(e.message);
  });
});

test('unreadable inputs are INVALID_INPUT/USAGE (exit 2): not a signature, not a key, not an atomic signature, bad digest', async () => {
  const good = await sign(payload(DIGEST, RELEASE));
  const cases: Array<[Parameters<typeof verifyReleaseSignature>[0], RegExp]> = [
    [{ signature: new TextEncoder().encode('hello'), publicKey: signer.publicBinary, digest: DIGEST, reference: RELEASE }, /not an OpenPGP signed message/],
    [{ signature: good, publicKey: new TextEncoder().encode('not a key'), digest: DIGEST, reference: RELEASE }, /not an OpenPGP public key/],
    [{ signature: await sign(payload(DIGEST, RELEASE, 'cosign container image signature')), publicKey: signer.publicBinary, digest: DIGEST, reference: RELEASE }, /not an atomic container signature: critical\.type/],
    [{ signature: good, publicKey: signer.publicBinary, digest: 'sha256:xyz', reference: RELEASE }, /not a release digest/],
  ];
  for (const [input, re] of cases) {
    await assert.rejects(verifyReleaseSignature(input), (e: unknown) => e instanceof FerryError && e.exitCode === 2 && re.test(e.message));
  }
});

test('signature ConfigMap: openshift-config-managed, the verification label, binaryData sha256-<hex>-N', async () => {
  const sigs = [await sign(payload(DIGEST, RELEASE)), await sign(payload(DIGEST, RELEASE))];
  const cm = parseYaml(signatureConfigMap(DIGEST, sigs).yaml);
  assert.equal(cm.apiVersion, 'v1');
  assert.equal(cm.kind, 'ConfigMap');
  assert.equal(cm.metadata.name, `sha256-${DIGEST.slice(7)}`);
  assert.equal(cm.metadata.namespace, 'openshift-config-managed');
  assert.deepEqual(cm.metadata.labels, { 'release.openshift.io/verification-signatures': '' });
  assert.deepEqual(Object.keys(cm.binaryData), [`sha256-${DIGEST.slice(7)}-1`, `sha256-${DIGEST.slice(7)}-2`]);
  assert.deepEqual(new Uint8Array(Buffer.from(cm.binaryData[`sha256-${DIGEST.slice(7)}-2`], 'base64')), sigs[1]);
  assert.throws(() => signatureConfigMap('sha256:short', sigs), (e: unknown) => e instanceof FerryError && e.code === 'USAGE');
});

test('CLI: release-signature verify (exit 0 / 1 / 2) and config signature-configmap', async () => {
  const sigFile = join(tmp.path, 'signature-1');
  const keyFile = join(tmp.path, 'release.asc');
  await writeFile(sigFile, await sign(payload(DIGEST, RELEASE)));
  await writeFile(keyFile, signer.publicArmored);
  const ok = await ferry(['release-signature', 'verify', '--digest', DIGEST, '--reference', RELEASE, '--signature', sigFile, '--key', keyFile]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`Release signature verified: ${RELEASE.replace(/\./g, '\\.')}@${DIGEST}`));
  const wrong = await ferry(['release-signature', 'verify', '--digest', OTHER_DIGEST, '--reference', RELEASE, '--signature', sigFile, '--key', keyFile]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /valid but not for this release/);
  const notSig = await ferry(['release-signature', 'verify', '--digest', DIGEST, '--reference', RELEASE, '--signature', keyFile, '--key', keyFile]);
  assert.equal(notSig.code, 2);

  const out = join(tmp.path, 'sig-cm.yaml');
  const cm = await ferry(['config', 'signature-configmap', '--signature', sigFile, '--digest', DIGEST, '--out', out]);
  assert.equal(cm.code, 0, cm.stderr);
  const obj = parseYaml(await readFile(out, 'utf8'));
  assert.equal(obj.metadata.namespace, 'openshift-config-managed');
  assert.deepEqual(new Uint8Array(Buffer.from(obj.binaryData[`sha256-${DIGEST.slice(7)}-1`], 'base64')), new Uint8Array(await readFile(sigFile)));
});
