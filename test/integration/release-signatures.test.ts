import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { TransferManifest } from '../../shared/transfer/manifest';
import { MemorySecretStore } from '../../electron/jobs/secrets/secret-store';
import { generateConfig } from '../../electron/host/handlers/config';
import { planExport } from '../../electron/host/handlers/release';
import { ferry, worldFlags } from '../support/cli';
import { atomicSignaturePayload, gpgSigner, type GpgSigner } from '../support/gpg';
import { pushRelease, type FixtureRelease } from '../support/release';
import { startSignatureStore, type SignatureStore } from '../support/signature-store';
import { tempDir, type TempDir } from '../support/tmp';
import { startTestWorld, type TestWorld } from '../support/world';

const release = (v: string) => `quay.io/openshift-release-dev/ocp-release:${v}-x86_64`;

async function readManifest(dir: string): Promise<TransferManifest> {
  return JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
}

/**
 * Issue 14 item 7 with the real CLI, registries, gpg and an HTTPS signature store on its own CA: the release's
 * signature goes from the store onto the media (inside transfer.json), and out again as the ConfigMap the
 * cluster-version operator reads (openshift/library-go pkg/verify/store/configmap), for a full transfer and
 * for a --since delta; a release without one travels with a warning the plan shows.
 */
describe('release signatures travel with the release', () => {
  let world: TestWorld;
  let store: SignatureStore;
  let signer: GpgSigner;
  let stranger: GpgSigner;
  let rel3: FixtureRelease;
  let rel4: FixtureRelease;
  let work: TempDir;
  let keyring: string;
  let flags: string[];
  const served = new Map<string, Uint8Array>();
  const dir = (name: string) => join(work.path, name);
  const hex = (digest: string) => digest.slice('sha256:'.length);

  before(async () => {
    [world, store, signer, stranger] = await Promise.all([startTestWorld(), startSignatureStore(), gpgSigner('release-signer'), gpgSigner('stranger')]);
    rel3 = await pushRelease(world, '4.15.3');
    rel4 = await pushRelease(world, '4.15.4');
    work = tempDir('release-signatures');
    keyring = join(work.path, 'release-keys.asc');
    await writeFile(keyring, `Keys that sign our releases:\n\n${signer.publicArmored}\n`);
    // 4.15.3: one signature in the RFC 2440 form (SHA-1, read by gpgv). 4.15.4: signature-1 by a stranger, signature-2 good.
    const sig3 = await signer.sign(atomicSignaturePayload(rel3.digest, release('4.15.3')), ['--rfc2440']);
    const bad4 = await stranger.sign(atomicSignaturePayload(rel4.digest, release('4.15.4')));
    const sig4 = await signer.sign(atomicSignaturePayload(rel4.digest, release('4.15.4')), ['--compress-algo', 'zlib']);
    store.put(rel3.digest, 1, sig3);
    store.put(rel4.digest, 1, bad4);
    store.put(rel4.digest, 2, sig4);
    served.set(rel3.digest, sig3).set(rel4.digest, sig4);
    flags = [
      ...worldFlags(world),
      '--ca-file', store.caPath,
      '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`,
      '--signature-store', store.url,
      '--signature-keyring', keyring,
    ];
  });
  after(async () => {
    await Promise.all([world?.stop(), store?.close(), signer?.cleanup(), stranger?.cleanup(), work?.cleanup()]);
  });

  it('mirror to disk puts the signature the store serves into transfer.json, reading signature-N until the first 404', async () => {
    const r = await ferry(['mirror', '--release', release('4.15.3'), '--to-dir', dir('base'), ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Release signatures: 1 verified \\(keys ${signer.fingerprint}\\) from ${store.url.replace(/[.]/g, '\\.')}`));
    const m = await readManifest(dir('base'));
    const carried = m.releaseSignatures!;
    assert.equal(carried.digest, rel3.digest);
    assert.equal(carried.store, store.url);
    assert.deepEqual(carried.warnings, []);
    assert.equal(carried.signatures.length, 1);
    const bytes = Buffer.from(carried.signatures[0]!.data, 'base64');
    assert.deepEqual(new Uint8Array(bytes), served.get(rel3.digest));
    assert.equal(carried.signatures[0]!.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(carried.signatures[0]!.keyFingerprint.toUpperCase(), signer.fingerprint);
    assert.equal(carried.signatures[0]!.identity, release('4.15.3'));
    const asked = store.requests().filter((p) => p.includes(hex(rel3.digest)));
    assert.deepEqual(asked.map((p) => p.split('/').slice(-2).join('/')), [`sha256=${hex(rel3.digest)}/signature-1`, `sha256=${hex(rel3.digest)}/signature-2`]);
    const verify = await ferry(['verify', '--dir', dir('base')]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  it('config signature-configmap --from-dir and the app hand out the ConfigMap the CVO reads, whose signature verifies', async () => {
    const out = join(work.path, 'signature-cm.yaml');
    const r = await ferry(['config', 'signature-configmap', '--from-dir', dir('base'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const text = await readFile(out, 'utf8');
    const cm = parseYaml(text);
    assert.equal(cm.kind, 'ConfigMap');
    assert.equal(cm.metadata.namespace, 'openshift-config-managed');
    assert.deepEqual(cm.metadata.labels, { 'release.openshift.io/verification-signatures': '' });
    // library-go's configmap store takes every binaryData key starting with sha256-<hex>.
    assert.deepEqual(Object.keys(cm.binaryData), [`sha256-${hex(rel3.digest)}-1`]);
    const sigFile = join(work.path, 'signature-1');
    await writeFile(sigFile, Buffer.from(cm.binaryData[`sha256-${hex(rel3.digest)}-1`], 'base64'));
    const v = await ferry(['release-signature', 'verify', '--digest', rel3.digest, '--signature', sigFile, '--keyring', keyring]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /read by gpgv/);

    const app = await generateConfig({ kind: 'signature-configmap', fromDir: dir('base'), mirror: `${world.mirror.host}/ocp4` });
    assert.equal(app.text, text);
    assert.equal(app.fileName, `signature-sha256-${hex(rel3.digest).slice(0, 16)}.yaml`);
  });

  it('a --since delta carries the new release signature; one the keyring does not verify is left out with a warning', async () => {
    const p = await ferry(['push', '--from-dir', dir('base'), '--to', `${world.mirror.host}/ocp4`, '--allow-unsigned', ...worldFlags(world)]);
    assert.equal(p.code, 0, p.stderr);
    const r = await ferry(['mirror', '--release', release('4.15.4'), '--to-dir', dir('delta'), '--since', join(dir('base'), 'receipt.json'), ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /WARNING: .*signature-1 was not carried: .*not in the keyring/);
    const m = await readManifest(dir('delta'));
    assert.equal(m.parent?.kind, 'receipt');
    assert.equal(m.releaseSignatures?.digest, rel4.digest);
    assert.deepEqual(m.releaseSignatures?.signatures.map((s) => s.index), [2]);
    const cm = await ferry(['config', 'signature-configmap', '--from-dir', dir('delta')]);
    assert.equal(cm.code, 0, cm.stderr);
    const obj = parseYaml(cm.stdout);
    assert.equal(obj.metadata.name, `sha256-${hex(rel4.digest)}`);
    assert.deepEqual(new Uint8Array(Buffer.from(obj.binaryData[`sha256-${hex(rel4.digest)}-1`], 'base64')), served.get(rel4.digest));
    assert.match(cm.stderr, /warning: .*signature-1 was not carried/);
  });

  it('a release the store has no signature for travels with a warning that the dry-run, the app plan and the config step show', async () => {
    const empty = `${store.url}/nothing-here`;
    const noSigFlags = flags.map((f) => (f === store.url ? empty : f));
    const dry = await ferry(['mirror', '--release', release('4.15.3'), '--to-dir', dir('unsigned'), '--dry-run', ...noSigFlags]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Release signatures: none/);
    assert.match(dry.stdout, /WARNING: The signature store .*nothing-here holds no signature for sha256:/);
    assert.match(dry.stdout, /WARNING: Release sha256:[0-9a-f]{64} travels without a verified signature/);

    const defaults = { caFiles: [world.ca.certPath, store.caPath], authfile: world.authfile, sourceMirrors: [`quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`], signatureStores: [empty], signatureKeyring: keyring };
    const plan = await planExport(new MemorySecretStore(), defaults, { release: release('4.15.3'), images: [], toDir: dir('unsigned'), caPems: [] });
    assert.equal(plan.releaseSignatures?.verified, 0);
    assert.ok(plan.releaseSignatures?.warnings.some((w) => /travels without a verified signature/.test(w)), JSON.stringify(plan.releaseSignatures));
    const signed = await planExport(new MemorySecretStore(), { ...defaults, signatureStores: [store.url] }, { release: release('4.15.3'), images: [], toDir: dir('unsigned'), caPems: [] });
    assert.deepEqual(signed.releaseSignatures, { verified: 1, store: store.url, warnings: [] });

    const r = await ferry(['mirror', '--release', release('4.15.3'), '--to-dir', dir('unsigned'), ...noSigFlags]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /WARNING: Release .* travels without a verified signature/);
    const m = await readManifest(dir('unsigned'));
    assert.deepEqual(m.releaseSignatures?.signatures, []);
    const cm = await ferry(['config', 'signature-configmap', '--from-dir', dir('unsigned')]);
    assert.equal(cm.code, 2);
    assert.match(cm.stderr, /carries no signature for release 4\.15\.3/);
    await assert.rejects(generateConfig({ kind: 'signature-configmap', fromDir: dir('unsigned'), mirror: `${world.mirror.host}/ocp4` }), /carries no signature/);
  });

  it('the store is trusted as a registry is: a CA in certs.d/HOST:PORT works; an untrusted store is a warning naming the TLS problem', async () => {
    const untrusted = flags.filter((f, i) => f !== store.caPath && flags[i + 1] !== store.caPath);
    const dry = await ferry(['mirror', '--release', release('4.15.3'), '--to-dir', dir('untrusted'), '--dry-run', ...untrusted]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`WARNING: Could not read release signatures from ${store.url.replace(/[.]/g, '\\.')}: The TLS certificate of ${store.host.replace(/[.]/g, '\\.')} is not trusted`));

    const certDir = join(work.path, 'certs.d');
    await mkdir(join(certDir, store.host), { recursive: true });
    await copyFile(store.caPath, join(certDir, store.host, 'ca.crt'));
    const perHost = await ferry(['mirror', '--release', release('4.15.3'), '--to-dir', dir('untrusted'), '--dry-run', ...untrusted, '--cert-dir', certDir]);
    assert.equal(perHost.code, 0, perHost.stderr);
    assert.match(perHost.stdout, /Release signatures: 1 verified/);
  });
});
