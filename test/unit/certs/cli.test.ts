import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { tempDir, type TempDir } from '../../support/tmp';
import { ferry, makeCa } from '../../fixtures/certs/helpers';

const notACert = fileURLToPath(new URL('../../fixtures/certs/not-a-certificate.der', import.meta.url));
let tmp: TempDir;
let goodPem: string;
let goodDer: string;
let expiredPem: string;
let caPemText: string;

before(async () => {
  tmp = tempDir('ca-cli');
  const good = await makeCa(-1, 365);
  caPemText = good.ca.certPem;
  goodPem = join(tmp.path, 'ca.crt');
  goodDer = join(tmp.path, 'ca.der');
  expiredPem = join(tmp.path, 'expired.crt');
  await writeFile(goodPem, good.ca.certPem);
  await writeFile(goodDer, new X509Certificate(good.ca.certPem).raw);
  await writeFile(expiredPem, (await makeCa(-800, -2, 'Expired CA')).ca.certPem);
});
after(() => tmp.cleanup());

test('ca inspect: a DER file that is not a certificate is exit 2 with a clear message', async () => {
  const r = await ferry(['ca', 'inspect', notACert]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not-a-certificate\.der is neither a PEM certificate nor a DER-encoded X\.509 certificate/);
  assert.match(r.stderr, /hint: /);
});

test('ca inspect: DER and PEM give the same details; --json carries them', async () => {
  const der = await ferry(['ca', 'inspect', goodDer, '--json']);
  const pem = await ferry(['ca', 'inspect', goodPem, '--json']);
  assert.equal(der.code, 0, der.stderr);
  const a = JSON.parse(der.stdout).certificates;
  const b = JSON.parse(pem.stdout).certificates;
  assert.deepEqual(a, b);
  assert.equal(a[0].isCA, true);
  assert.equal(a[0].fingerprintSha256, new X509Certificate(caPemText).fingerprint256);
  const human = await ferry(['ca', 'inspect', goodPem]);
  assert.match(human.stdout, /is CA: +yes/);
  assert.match(human.stdout, /SHA-256: +([0-9A-F]{2}:){31}[0-9A-F]{2}/);
});

test('ca inspect: an expired CA is shown, then exit 2 with when it expired', async () => {
  const r = await ferry(['ca', 'inspect', expiredPem]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /subject: +CN=Expired CA/);
  assert.match(r.stderr, /"CN=Expired CA, O=Ferry mirror registry" in \S+expired\.crt expired on \d{4}-\d\d-\d\dT/);
});

test('ca check: without --ca-file, with a bad registry, or with an expired CA it is a usage/input error (exit 2)', async () => {
  assert.equal((await ferry(['ca', 'check', '--registry', '127.0.0.1:1'])).code, 2);
  const badReg = await ferry(['ca', 'check', '--registry', 'a:b:c', '--ca-file', goodPem]);
  assert.equal(badReg.code, 2);
  assert.match(badReg.stderr, /is not HOST\[:PORT\]/);
  const expired = await ferry(['ca', 'check', '--registry', '127.0.0.1:1', '--ca-file', expiredPem]);
  assert.equal(expired.code, 2);
  assert.match(expired.stderr, /expired on/);
});

test('config ca-configmap: DER input becomes PEM under host..port; the YAML parses back to seed 002/003 fields', async () => {
  const out = join(tmp.path, 'registry-config.yaml');
  const r = await ferry(['config', 'ca-configmap', '--mirror', 'mirror.registry.com:443/ocp/release', '--ca-file', goodDer, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const cm = parseYaml(await readFile(out, 'utf8'));
  assert.equal(cm.kind, 'ConfigMap');
  assert.deepEqual(cm.metadata, { name: 'registry-config', namespace: 'openshift-config' });
  assert.deepEqual(Object.keys(cm.data), ['mirror.registry.com..443']);
  assert.equal(new X509Certificate(cm.data['mirror.registry.com..443']).fingerprint256, new X509Certificate(caPemText).fingerprint256);
  assert.match(r.stdout, /oc patch image\.config\.openshift\.io\/cluster --patch '\{"spec":\{"additionalTrustedCA":\{"name":"registry-config"\}\}\}' --type=merge/);
  assert.ok(!r.stdout.includes('oc create configmap'), 'the --from-file form is offered only for a PEM file');
  const pem = await ferry(['config', 'ca-configmap', '--mirror', 'mirror.registry.com:443', '--ca-file', goodPem, '--name', 'mirror-ca']);
  assert.equal(pem.code, 0, pem.stderr);
  assert.equal(parseYaml(pem.stdout).metadata.name, 'mirror-ca');
  assert.match(pem.stderr, /oc create configmap mirror-ca --from-file=mirror\.registry\.com\.\.443=\S+ca\.crt -n openshift-config/);
});

test('config ca-configmap: an expired CA or a non-certificate is exit 2 and nothing is written', async () => {
  const dir = join(tmp.path, 'refused');
  await mkdir(dir);
  for (const ca of [expiredPem, notACert]) {
    const r = await ferry(['config', 'ca-configmap', '--mirror', 'mirror.example.com:5000', '--ca-file', ca, '--out', join(dir, 'cm.yaml')]);
    assert.equal(r.code, 2, ca);
    assert.match(r.stderr, /expired on|neither a PEM certificate/);
  }
  assert.deepEqual(await readdir(dir), []);
});
