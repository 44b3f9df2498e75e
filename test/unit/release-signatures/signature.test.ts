import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { parse as parseYaml } from 'yaml';
import { FerryError } from '../../../shared/errors';
import { signatureConfigMap } from '../../../shared/signatures/signature-configmap';
import { verifyReleaseSignature } from '../../../electron/engine/release-signatures/verify-release-signature';
import { atomicSignaturePayload as payload, gpgSigner, type GpgSigner } from '../../support/gpg';
import { tempDir, type TempDir } from '../../support/tmp';
import { ferry } from '../../fixtures/certs/helpers';

const DIGEST = `sha256:${'81154f5c03294534e1eaf0319bef7a601134f891689ccede5d705ef659aa8c92'}`;
const OTHER_DIGEST = `sha256:${'ab'.repeat(32)}`;
const RELEASE = 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64';
const LIBRARY_GO = join(import.meta.dirname, '..', '..', 'fixtures', 'signatures', 'library-go');

let tmp: TempDir;
let signer: { privateKey: openpgp.PrivateKey; publicArmored: string; publicBinary: Uint8Array };
let stranger: { publicArmored: string };
let gpgA: GpgSigner;
let gpgB: GpgSigner;

async function makeKey(name: string) {
  const { privateKey, publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name, email: `${name}@example.com` }], format: 'object' });
  return { privateKey, publicArmored: publicKey.armor(), publicBinary: publicKey.write() };
}

/** A binary OpenPGP signed message made by openpgp.js (new-format packet headers), zlib-compressed. */
async function sign(content: Uint8Array, key = signer.privateKey): Promise<Uint8Array> {
  const signed = await openpgp.sign({ message: await openpgp.createMessage({ binary: content }), signingKeys: key, format: 'object' });
  // Message.compress exists at run time but not in openpgp.js's type declarations.
  const compressible = signed as unknown as { compress(algorithm: number): Promise<{ write(): ReadableStream<Uint8Array> }> };
  const reader = (await compressible.compress(openpgp.enums.compression.zlib)).write().getReader();
  const chunks: Uint8Array[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
  return new Uint8Array(Buffer.concat(chunks));
}

const text = (s: string) => new TextEncoder().encode(s);
const isError = (code: string, re: RegExp) => (e: unknown) => e instanceof FerryError && e.code === code && re.test(e.message);

before(async () => {
  tmp = tempDir('signature');
  [signer, stranger, gpgA, gpgB] = await Promise.all([makeKey('release-signer'), makeKey('stranger'), gpgSigner('release-a'), gpgSigner('release-b')]);
});
after(async () => {
  await Promise.all([tmp.cleanup(), gpgA.cleanup(), gpgB.cleanup()]);
});

test('an openpgp.js signature verifies with the armored and the binary key; the signed repository is reported, not compared (as the CVO does)', async () => {
  const signature = await sign(payload(DIGEST, 'registry.example.com/somewhere/else:tag'));
  for (const keyring of [text(signer.publicArmored), signer.publicBinary]) {
    const check = await verifyReleaseSignature({ signature, keyring, digest: DIGEST });
    assert.equal(check.claims.digest, DIGEST);
    assert.equal(check.claims.dockerReference, 'registry.example.com/somewhere/else:tag');
    assert.equal(check.claims.creator, 'Ferry test signer');
    assert.equal(check.claims.timestamp, '2023-11-14T22:13:20.000Z');
    assert.equal(check.keyFingerprint, signer.privateKey.getFingerprint());
    assert.equal(check.keyId, signer.privateKey.getKeyID().toHex());
    assert.equal(check.verifier, 'openpgp.js');
  }
});

test('signatures made by real gpg in the forms shipped over the years verify; those openpgp.js refuses go to gpgv', async () => {
  const keyring = text(gpgA.publicArmored);
  const forms: Array<[string[], 'openpgp.js' | 'gpgv']> = [
    [[], 'openpgp.js'],
    [['--compress-algo', 'zip'], 'openpgp.js'],
    [['--compress-algo', 'zlib'], 'openpgp.js'],
    [['--compress-algo', 'bzip2'], 'openpgp.js'],
    [['--compress-algo', 'none'], 'openpgp.js'],
    // RFC 2440 / PGP 6 compatibility and SHA-1: openpgp.js refuses SHA-1 message signatures, Go's openpgp (the CVO) does not.
    [['--rfc2440'], 'gpgv'],
    [['--pgp6'], 'gpgv'],
    [['--digest-algo', 'SHA1', '--compress-algo', 'zip'], 'gpgv'],
  ];
  for (const [options, verifier] of forms) {
    const signature = await gpgA.sign(payload(DIGEST, RELEASE), options);
    assert.equal(signature[0]! & 0x40, 0, `gpg ${options.join(' ')} writes old-format packet headers`);
    const check = await verifyReleaseSignature({ signature, keyring, digest: DIGEST });
    assert.equal(check.verifier, verifier, options.join(' '));
    assert.equal(check.keyFingerprint.toUpperCase(), gpgA.fingerprint, options.join(' '));
    assert.equal(check.claims.dockerReference, RELEASE);
  }
});

test("a real Red Hat release signature (v3 signature packet) verifies with Red Hat's key given among prose, through gpgv", async () => {
  const signature = new Uint8Array(await readFile(join(LIBRARY_GO, 'redhat-v3.signature-1')));
  const keyring = new Uint8Array(await readFile(join(LIBRARY_GO, 'redhat.txt')));
  assert.match(new TextDecoder().decode(keyring), /^pub {3}4096R\/FD431D51/);
  const check = await verifyReleaseSignature({ signature, keyring, digest: 'sha256:e3f12513a4b22a2d7c0e7c9207f52128113758d9d68c7d06b11a0ac7672966f7' });
  assert.equal(check.verifier, 'gpgv');
  assert.equal(check.keyFingerprint.toUpperCase(), '567E347AD0044ADE55BA8A5F199E2F91FD431D51');
  assert.equal(check.claims.dockerReference, 'registry.access.redhat.com/rhel7:7.6');
  assert.equal(check.signedAt, '2019-04-09T18:14:24.000Z');
  // Without gpgv, openpgp.js cannot read it: said plainly, not reported as a forgery.
  const path = process.env.PATH;
  process.env.PATH = tmp.path;
  try {
    await assert.rejects(verifyReleaseSignature({ signature, keyring, digest: 'sha256:e3f12513a4b22a2d7c0e7c9207f52128113758d9d68c7d06b11a0ac7672966f7' }), isError('UNSUPPORTED', /gpgv.*is not installed/));
  } finally {
    process.env.PATH = path;
  }
});

test('a keyring of several keys: a signature by any of them counts (library-go combined keyring, and two gpg keys in one file)', async () => {
  const ciSig = new Uint8Array(await readFile(join(LIBRARY_GO, 'ci-v4.signature-1')));
  const combined = new Uint8Array(await readFile(join(LIBRARY_GO, 'combined.txt')));
  const ci = await verifyReleaseSignature({ signature: ciSig, keyring: combined, digest: 'sha256:edd9824f0404f1a139688017e7001370e2f3fbc088b94da84506653b473fe140' });
  assert.equal(ci.keyFingerprint.toUpperCase(), 'D04761B116203B0C0859B61628B76E05B923888E');
  assert.equal(ci.claims.creator, 'openshift release-controller');

  const ring = text(`Release keys, as published:\n\n${gpgA.publicArmored}\nand the second one:\n${gpgB.publicArmored}\n-- end of list --\n`);
  for (const [who, options] of [[gpgA, []], [gpgB, []], [gpgB, ['--rfc2440']]] as const) {
    const check = await verifyReleaseSignature({ signature: await who.sign(payload(DIGEST, RELEASE), [...options]), keyring: ring, digest: DIGEST });
    assert.equal(check.keyFingerprint.toUpperCase(), who.fingerprint);
  }
  // Binary keyrings concatenate.
  const binary = new Uint8Array(Buffer.concat([gpgA.publicBinary, gpgB.publicBinary]));
  assert.equal((await verifyReleaseSignature({ signature: await gpgB.sign(payload(DIGEST, RELEASE)), keyring: binary, digest: DIGEST })).keyFingerprint.toUpperCase(), gpgB.fingerprint);
});

test('a signature by a key outside the keyring, or altered bytes, fail verification (VERIFY_FAILED, exit 1) on both readers', async () => {
  await assert.rejects(verifyReleaseSignature({ signature: await sign(payload(DIGEST, RELEASE)), keyring: text(stranger.publicArmored), digest: DIGEST }), isError('VERIFY_FAILED', /does not verify with the keyring/));
  // Through gpgv (SHA-1 is refused by openpgp.js first).
  await assert.rejects(
    verifyReleaseSignature({ signature: await gpgA.sign(payload(DIGEST, RELEASE), ['--rfc2440']), keyring: text(gpgB.publicArmored), digest: DIGEST }),
    isError('VERIFY_FAILED', /not in the keyring/),
  );
  for (const options of [['--compress-algo', 'none'], ['--compress-algo', 'none', '--rfc2440']]) {
    const plain = Buffer.from(await gpgA.sign(payload(DIGEST, RELEASE), options));
    const at = plain.indexOf('openshift-release-dev');
    assert.ok(at > 0);
    plain[at] = 'O'.charCodeAt(0);
    await assert.rejects(verifyReleaseSignature({ signature: new Uint8Array(plain), keyring: text(gpgA.publicArmored), digest: DIGEST }), (e: unknown) => e instanceof FerryError && e.code === 'VERIFY_FAILED' && e.exitCode === 1);
  }
});

test('expiry as library-go checks it: an expired signature fails, a signature by a key that has expired since still verifies', async () => {
  const old = await gpgSigner('expired-key', { expire: '2d', at: '20200101T000000' });
  try {
    const keyring = text(old.publicArmored);
    const atThen = ['--faked-system-time', '20200101T010000'];
    // openpgp.js refuses the expired key; gpgv reports EXPKEYSIG with VALIDSIG, which library-go accepts.
    const check = await verifyReleaseSignature({ signature: await old.sign(payload(DIGEST, RELEASE), atThen), keyring, digest: DIGEST });
    assert.equal(check.keyFingerprint.toUpperCase(), old.fingerprint);
    assert.equal(check.signedAt, '2020-01-01T01:00:00.000Z');
    await assert.rejects(
      verifyReleaseSignature({ signature: await old.sign(payload(DIGEST, RELEASE), [...atThen, '--default-sig-expire', '1d']), keyring, digest: DIGEST }),
      isError('VERIFY_FAILED', /signature has expired/),
    );
  } finally {
    await old.cleanup();
  }
});

test('the signed JSON is read as the CVO reads it: exact digest, an identity, no unknown field, right types; field names case-insensitive', async () => {
  const keyring = signer.publicBinary;
  await assert.rejects(verifyReleaseSignature({ signature: await sign(payload(OTHER_DIGEST, RELEASE)), keyring, digest: DIGEST }), isError('VERIFY_FAILED', new RegExp(`for digest ${OTHER_DIGEST}, not ${DIGEST}`)));
  const json = (doc: unknown) => text(JSON.stringify(doc));
  const refused: Array<[unknown, RegExp]> = [
    [{ critical: { type: 'atomic container signature', image: { 'docker-manifest-digest': DIGEST }, identity: {} } }, /must have an identity/],
    [{ critical: { type: 'atomic container signature', image: { 'docker-manifest-digest': DIGEST }, identity: { 'docker-reference': RELEASE } }, extra: 1 }, /unknown field extra/],
    [{ critical: { type: 'atomic container signature', image: { 'docker-manifest-digest': DIGEST, size: 1 }, identity: { 'docker-reference': RELEASE } } }, /unknown field critical\.image\.size/],
    [{ critical: { type: 'atomic container signature', image: { 'docker-manifest-digest': DIGEST }, identity: { 'docker-reference': RELEASE } }, optional: { timestamp: 1.5 } }, /optional\.timestamp is not an integer/],
    [{ critical: { type: 'cosign container image signature', image: { 'docker-manifest-digest': DIGEST }, identity: { 'docker-reference': RELEASE } } }, /critical\.type/],
  ];
  for (const [doc, re] of refused) {
    await assert.rejects(verifyReleaseSignature({ signature: await sign(json(doc)), keyring, digest: DIGEST }), (e: unknown) => e instanceof FerryError && e.exitCode === 2 && re.test(e.message), String(re));
  }
  const loud = { Critical: { TYPE: 'atomic container signature', Image: { 'Docker-Manifest-Digest': DIGEST }, identity: { 'docker-reference': RELEASE } }, optional: null };
  assert.equal((await verifyReleaseSignature({ signature: await sign(json(loud)), keyring, digest: DIGEST })).claims.digest, DIGEST);
});

test('unreadable inputs are INVALID_INPUT/USAGE (exit 2): not a signature, not a key, bad digest', async () => {
  const good = await sign(payload(DIGEST, RELEASE));
  const cases: Array<[Parameters<typeof verifyReleaseSignature>[0], RegExp]> = [
    [{ signature: text('hello'), keyring: signer.publicBinary, digest: DIGEST }, /not an OpenPGP signed message/],
    [{ signature: good, keyring: text('not a key'), digest: DIGEST }, /not an OpenPGP public key/],
    [{ signature: good, keyring: text('-----BEGIN PGP SIGNATURE-----\nxx\n-----END PGP SIGNATURE-----\n'), digest: DIGEST }, /no PUBLIC KEY BLOCK/],
    [{ signature: good, keyring: signer.publicBinary, digest: 'sha256:xyz' }, /not a release digest/],
  ];
  for (const [input, re] of cases) {
    await assert.rejects(verifyReleaseSignature(input), (e: unknown) => e instanceof FerryError && e.exitCode === 2 && re.test(e.message), String(re));
  }
});

test('signature ConfigMap: openshift-config-managed, the verification label, binaryData sha256-<hex>-N', async () => {
  const sigs = [await sign(payload(DIGEST, RELEASE)), await sign(payload(DIGEST, RELEASE))];
  const cm = parseYaml(signatureConfigMap([{ digest: DIGEST, signatures: sigs }]).yaml);
  assert.equal(cm.apiVersion, 'v1');
  assert.equal(cm.kind, 'ConfigMap');
  assert.equal(cm.metadata.name, `sha256-${DIGEST.slice(7)}`);
  assert.equal(cm.metadata.namespace, 'openshift-config-managed');
  assert.deepEqual(cm.metadata.labels, { 'release.openshift.io/verification-signatures': '' });
  assert.deepEqual(Object.keys(cm.binaryData), [`sha256-${DIGEST.slice(7)}-1`, `sha256-${DIGEST.slice(7)}-2`]);
  assert.deepEqual(new Uint8Array(Buffer.from(cm.binaryData[`sha256-${DIGEST.slice(7)}-2`], 'base64')), sigs[1]);
  assert.throws(() => signatureConfigMap([{ digest: 'sha256:short', signatures: sigs }]), (e: unknown) => e instanceof FerryError && e.code === 'USAGE');
  assert.throws(() => signatureConfigMap([{ digest: DIGEST, signatures: [] }]), (e: unknown) => e instanceof FerryError && e.code === 'USAGE');
});

test('signature ConfigMap for an upgrade path: one ConfigMap as oc-mirror v2 names it, each release numbered from 1', () => {
  const other = `sha256:${'b'.repeat(64)}`;
  const [a, b, c] = [new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])];
  const cm = parseYaml(signatureConfigMap([{ digest: other, signatures: [a] }, { digest: DIGEST, signatures: [b, c] }]).yaml);
  assert.equal(cm.metadata.name, 'mirrored-release-signatures');
  assert.deepEqual(cm.metadata.labels, { 'release.openshift.io/verification-signatures': '' });
  assert.deepEqual(Object.keys(cm.binaryData), [`sha256-${'b'.repeat(64)}-1`, `sha256-${DIGEST.slice(7)}-1`, `sha256-${DIGEST.slice(7)}-2`]);
  assert.equal(cm.binaryData[`sha256-${DIGEST.slice(7)}-2`], Buffer.from(c).toString('base64'));
  assert.equal(parseYaml(signatureConfigMap([{ digest: other, signatures: [a] }, { digest: DIGEST, signatures: [b] }], 'mine').yaml).metadata.name, 'mine');
});

test('CLI: release-signature verify (exit 0 / 1 / 2) with a keyring file, and config signature-configmap', async () => {
  const sigFile = join(tmp.path, 'signature-1');
  const keyFile = join(tmp.path, 'release.asc');
  await writeFile(sigFile, await gpgB.sign(payload(DIGEST, RELEASE), ['--rfc2440']));
  await writeFile(keyFile, `${gpgA.publicArmored}${gpgB.publicArmored}`);
  const ok = await ferry(['release-signature', 'verify', '--digest', DIGEST, '--signature', sigFile, '--keyring', keyFile]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`Release signature verified for ${DIGEST}`));
  assert.match(ok.stdout, new RegExp(`signed identity: ${RELEASE.replace(/\./g, '\\.')}`));
  assert.match(ok.stdout, new RegExp(gpgB.fingerprint));
  const wrong = await ferry(['release-signature', 'verify', '--digest', OTHER_DIGEST, '--signature', sigFile, '--key', keyFile]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /valid but not for this release/);
  const notSig = await ferry(['release-signature', 'verify', '--digest', DIGEST, '--signature', keyFile, '--keyring', keyFile]);
  assert.equal(notSig.code, 2);

  const out = join(tmp.path, 'sig-cm.yaml');
  const cm = await ferry(['config', 'signature-configmap', '--signature', sigFile, '--digest', DIGEST, '--out', out]);
  assert.equal(cm.code, 0, cm.stderr);
  const obj = parseYaml(await readFile(out, 'utf8'));
  assert.equal(obj.metadata.namespace, 'openshift-config-managed');
  assert.deepEqual(new Uint8Array(Buffer.from(obj.binaryData[`sha256-${DIGEST.slice(7)}-1`], 'base64')), new Uint8Array(await readFile(sigFile)));
});
