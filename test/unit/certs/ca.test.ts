import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { FerryError } from '../../../shared/errors';
import { caConfigMap, caConfigMapKey, ocCreateCaConfigMapCommand, ocPatchAdditionalTrustedCaCommand } from '../../../shared/certs/ca-configmap';
import { inspectCertificates } from '../../../electron/engine/trust/certificates';
import { createCa, issueServerCertificate } from '../../../electron/engine/registry-kit/pki';
import { makeCa } from '../../fixtures/certs/helpers';

const notACert = readFileSync(new URL('../../fixtures/certs/not-a-certificate.der', import.meta.url));

function colonHex(bytes: Buffer): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

test('inspect reads a PEM bundle: subject, issuer, SANs, validity, is-CA and the SHA-256 of the DER', async () => {
  const { ca, server } = await makeCa(-1, 365);
  const infos = inspectCertificates(Buffer.from(server.certPem + ca.certPem), 'bundle.pem');
  assert.equal(infos.length, 2);
  const [leaf, root] = infos as [(typeof infos)[0], (typeof infos)[0]];
  assert.equal(leaf.subject, 'CN=localhost');
  assert.equal(leaf.issuer, root.subject);
  assert.match(root.subject, /CN=Ferry test CA/);
  assert.deepEqual(leaf.subjectAltNames, ['DNS:localhost', 'IP Address:127.0.0.1']);
  assert.equal(leaf.isCA, false);
  assert.equal(root.isCA, true);
  assert.equal(root.selfSigned, true);
  assert.equal(leaf.selfSigned, false);
  assert.equal(leaf.status, 'valid');
  assert.ok(leaf.daysLeft >= 363 && leaf.daysLeft <= 365);
  const der = Buffer.from(new X509Certificate(server.certPem).raw);
  assert.equal(leaf.fingerprintSha256, colonHex(createHash('sha256').update(der).digest()));
});

test('inspect reads DER, and reports the same certificate as its PEM', async () => {
  const { ca } = await makeCa(-1, 100);
  const der = Buffer.from(new X509Certificate(ca.certPem).raw);
  const [fromDer] = inspectCertificates(der, 'ca.der');
  const [fromPem] = inspectCertificates(Buffer.from(ca.certPem), 'ca.pem');
  assert.deepEqual(fromDer, fromPem);
});

test('validity: under 30 days is expiring, past notAfter is expired, before notBefore is not yet valid', async () => {
  const cases: Array<[number, number, string, RegExp]> = [
    [-10, 10, 'expiring', /expires in \d+ days/],
    [-400, -35, 'expired', /expired on .* \(35 days ago\)/],
    [5, 400, 'not-yet-valid', /not valid before/],
  ];
  for (const [from, to, status, message] of cases) {
    const { ca } = await makeCa(from, to);
    const [info] = inspectCertificates(Buffer.from(ca.certPem), 'ca.pem');
    assert.equal(info!.status, status);
    assert.match(info!.validityMessage!, message);
  }
});

test('a DER file that is not a certificate, and a PEM without one, are INVALID_INPUT (exit 2)', async () => {
  assert.throws(
    () => inspectCertificates(notACert, 'not-a-certificate.der'),
    (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && e.exitCode === 2 && /not-a-certificate\.der is neither a PEM certificate nor a DER-encoded X\.509 certificate/.test(e.message),
  );
  const { ca } = await makeCa(-1, 10);
  assert.throws(() => inspectCertificates(Buffer.from(ca.keyPem), 'ca.key'), /ca\.key holds no certificate \(found: PRIVATE KEY\)/);
  assert.throws(() => inspectCertificates(Buffer.from('-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n'), 'x.pem'), /x\.pem is PEM but unreadable/);
});

test('the kit CA and server certificates carry what TLS clients check', async () => {
  const { ca, server } = await makeCa(-1, 30);
  const caCert = new X509Certificate(ca.certPem);
  const leaf = new X509Certificate(server.certPem);
  assert.ok(leaf.verify(caCert.publicKey), 'the server certificate is signed by the CA');
  assert.ok(leaf.checkIssued(caCert));
  assert.equal(leaf.checkHost('localhost'), 'localhost');
  assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(leaf.checkHost('other.example.com'), undefined);
  assert.equal(caCert.ca, true);
  assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extended key usage: serverAuth only');
  assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
});

test('RSA kits work too: an RSA CA signs an RSA server certificate with keyEncipherment', async () => {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 86_400_000);
  const ca = await createCa({ commonName: 'RSA CA', algorithm: 'rsa-2048', notBefore, notAfter });
  const server = await issueServerCertificate(ca, { dnsNames: ['mirror.example.com'], ips: ['10.0.0.5'], algorithm: 'rsa-2048', notBefore, notAfter });
  const leaf = new X509Certificate(server.certPem);
  assert.ok(leaf.verify(new X509Certificate(ca.certPem).publicKey));
  assert.equal(leaf.publicKey.asymmetricKeyType, 'rsa');
  assert.equal(leaf.subjectAltName, 'DNS:mirror.example.com, IP Address:10.0.0.5');
  assert.equal(leaf.checkIP('10.0.0.5'), '10.0.0.5');
});

test('seed 002 key rule: host:port becomes host..port; seed 003 ConfigMap and oc commands', () => {
  assert.equal(caConfigMapKey('registry-with-port.example.com:5000'), 'registry-with-port.example.com..5000');
  assert.equal(caConfigMapKey('registry.example.com'), 'registry.example.com');
  assert.throws(() => caConfigMapKey('mirror.example.com:5000/ocp4'), (e: unknown) => e instanceof FerryError && e.code === 'USAGE');
  const pem = '-----BEGIN CERTIFICATE-----\nMAo=\n-----END CERTIFICATE-----';
  const cm = parseYaml(caConfigMap([{ registry: 'mirror.registry.com:443', pem }, { registry: 'registry.example.com', pem }]).yaml);
  assert.equal(cm.apiVersion, 'v1');
  assert.equal(cm.kind, 'ConfigMap');
  assert.deepEqual(cm.metadata, { name: 'registry-config', namespace: 'openshift-config' });
  assert.deepEqual(Object.keys(cm.data), ['mirror.registry.com..443', 'registry.example.com']);
  assert.equal(cm.data['mirror.registry.com..443'], `${pem}\n`);
  assert.equal(
    ocCreateCaConfigMapCommand([{ registry: 'mirror.registry.com:443', file: '/root/certs/ca-chain.cert.pem' }]),
    'oc create configmap registry-config --from-file=mirror.registry.com..443=/root/certs/ca-chain.cert.pem -n openshift-config',
  );
  assert.equal(
    ocPatchAdditionalTrustedCaCommand('registry-config'),
    `oc patch image.config.openshift.io/cluster --patch '{"spec":{"additionalTrustedCA":{"name":"registry-config"}}}' --type=merge`,
  );
  assert.throws(() => caConfigMap([{ registry: 'a.io', pem: 'not pem' }]), /not a PEM certificate/);
  assert.throws(() => caConfigMap([{ registry: 'a.io', pem }], 'Bad Name'), /not a valid ConfigMap name/);
});
