import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { createCa, issueServerCertificate } from '../../electron/engine/registry-kit/pki';
import { startTestWorld, type TestWorld } from '../support/world';
import { tempDir, type TempDir } from '../support/tmp';
import { ferry } from '../fixtures/certs/helpers';

/**
 * `ferry ca check` against real TLS endpoints: the test world's registries (CA made by openssl), and TLS
 * servers whose certificates are wrong in one way each (name, expiry).
 */

const DAY = 86_400_000;
let world: TestWorld;
let tmp: TempDir;
let otherCaFile: string;
let badCaFile: string;
const servers: Server[] = [];

async function tlsServer(opts: { dnsNames: string[]; ips: string[]; fromDays: number; toDays: number }): Promise<{ host: string }> {
  const now = Date.now();
  const ca = await createCa({ commonName: 'Ferry check CA', algorithm: 'ecdsa-p256', notBefore: new Date(now - 400 * DAY), notAfter: new Date(now + 400 * DAY) });
  const leaf = await issueServerCertificate(ca, { ...opts, algorithm: 'ecdsa-p256', notBefore: new Date(now + opts.fromDays * DAY), notAfter: new Date(now + opts.toDays * DAY) });
  await writeFile(badCaFile, ca.certPem);
  const server = createServer({ cert: leaf.certPem + ca.certPem, key: leaf.keyPem }, (s) => s.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

before(async () => {
  world = await startTestWorld();
  tmp = tempDir('ca-check');
  otherCaFile = join(tmp.path, 'other-ca.crt');
  badCaFile = join(tmp.path, 'bad-server-ca.crt');
  const other = await createCa({ commonName: 'Unrelated CA', algorithm: 'ecdsa-p256', notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 30 * DAY) });
  await writeFile(otherCaFile, other.certPem);
});
after(async () => {
  for (const s of servers) s.close();
  await world?.stop();
  await tmp?.cleanup();
});

test('the test world mirror verifies with its CA, given as PEM or as DER', async () => {
  for (const ca of [world.ca.certPath, world.ca.derPath]) {
    const r = await ferry(['ca', 'check', '--registry', world.mirror.host, '--ca-file', ca]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /chain: +verifies/);
    assert.match(r.stdout, /name: +the certificate is valid for 127\.0\.0\.1/);
  }
});

test('with another CA the chain does not verify: exit 1, TLS_UNTRUSTED, naming the CA file', async () => {
  const r = await ferry(['ca', 'check', '--registry', world.source.host, '--ca-file', otherCaFile, '--json']);
  assert.equal(r.code, 1);
  const env = JSON.parse(r.stdout).error;
  assert.equal(env.code, 'TLS_UNTRUSTED');
  assert.match(env.message, new RegExp(`${world.source.host} would be rejected: its certificate chain does not verify with \\S+other-ca\\.crt`));
  assert.equal(env.details.chainVerified, false);
  assert.equal(env.details.nameMatches, true);
});

test('a certificate for another name: exit 1, TLS_NAME_MISMATCH', async () => {
  const { host } = await tlsServer({ dnsNames: ['registry.example.com'], ips: [], fromDays: -1, toDays: 100 });
  const r = await ferry(['ca', 'check', '--registry', host, '--ca-file', badCaFile]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /chain: +verifies/);
  assert.match(r.stdout, /name: +does NOT match/);
  assert.match(r.stderr, /is not valid for the name 127\.0\.0\.1/);
});

test('an expired server certificate: exit 1, and the report says when it expired', async () => {
  const { host } = await tlsServer({ dnsNames: ['localhost'], ips: ['127.0.0.1'], fromDays: -100, toDays: -3 });
  const r = await ferry(['ca', 'check', '--registry', host, '--ca-file', badCaFile]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /does NOT verify \(CERT_HAS_EXPIRED\)/);
  assert.match(r.stdout, /expired on \d{4}-\d\d-\d\dT\S+ \(3 days ago\)/);
});

test('nothing listening: exit 1, UNREACHABLE', async () => {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  server.close();
  await once(server, 'close');
  const r = await ferry(['ca', 'check', '--registry', `127.0.0.1:${port}`, '--ca-file', world.ca.certPath]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Cannot open a TLS connection to 127\.0\.0\.1:\d+: ECONNREFUSED/);
});
