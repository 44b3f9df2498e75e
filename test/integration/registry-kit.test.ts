import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import bcrypt from 'bcryptjs';
import { addImage, addLayer } from '../support/layers';
import { OciLayoutWriter } from '../support/oci-layout';
import type { TestPki } from '../support/pki';
import { run } from '../support/processes';
import { startRegistry, type RegistryProcess } from '../support/registry-process';
import { tempDir, type TempDir } from '../support/tmp';
import { ferry, type CliResult } from '../fixtures/certs/helpers';

/**
 * The registry node kit end to end: `ferry registry-kit` writes the files, the real distribution registry runs
 * on the kit's certificate and htpasswd, and real skopeo logs in and pushes trusting only the kit's CA.
 */

const USER = 'kit-user';
const PASSWORD = 'pw-kit-4f1c9e0b7a';
let tmp: TempDir;
let kitDir: string;
let kitRun: CliResult;
let registry: RegistryProcess;
let certDir: string;
let policy: string;
let authfile: string;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

before(async () => {
  tmp = tempDir('registry-kit');
  kitDir = join(tmp.path, 'kit');
  kitRun = await ferry(['registry-kit', '--host', 'localhost', '--ip', '127.0.0.1', '--user', USER, '--password-stdin', '--to', kitDir], { input: `${PASSWORD}\n` });
  assert.equal(kitRun.code, 0, kitRun.stderr);
  const caPem = await readFile(join(kitDir, 'ca/localhost-ca.crt'), 'utf8');
  // startRegistry reads only the CA (to wait for the registry) and the server certificate of a PKI.
  const kitPki = {
    ca: { certPath: join(kitDir, 'ca/localhost-ca.crt'), derPath: '', keyPath: join(kitDir, 'ca/ca.key'), certPem: caPem },
    server: { certPath: join(kitDir, 'opt/registry/certs/domain.crt'), keyPath: join(kitDir, 'opt/registry/certs/domain.key') },
  } as TestPki;
  registry = await startRegistry({
    dir: join(tmp.path, 'run'),
    pki: kitPki,
    auth: { htpasswd: { realm: 'Registry Realm', path: join(kitDir, 'opt/registry/auth/htpasswd') } },
  });
  certDir = join(tmp.path, 'certs');
  await mkdir(certDir);
  await copyFile(join(kitDir, 'ca/localhost-ca.crt'), join(certDir, 'ca.crt'));
  policy = join(tmp.path, 'policy.json');
  await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  authfile = join(tmp.path, 'auth.json');
});
after(async () => {
  await registry?.stop();
  await tmp.cleanup();
});

test('the kit has the seed 001 layout, private keys and htpasswd 0600, and the password only as bcrypt', async () => {
  const files = (await filesUnder(kitDir)).map((f) => relative(kitDir, f)).sort();
  for (const f of ['README.md', 'ca/ca.key', 'ca/localhost-ca.crt', 'etc/systemd/system/mirror-registry.service', 'opt/registry/auth/htpasswd', 'opt/registry/certs/domain.crt', 'opt/registry/certs/domain.key', 'scripts/firewall.sh', 'scripts/run-registry.sh', 'scripts/trust-ca.sh']) {
    assert.ok(files.includes(f), f);
  }
  assert.ok((await stat(join(kitDir, 'opt/registry/data'))).isDirectory());
  for (const f of ['ca/ca.key', 'opt/registry/certs/domain.key', 'opt/registry/auth/htpasswd']) assert.equal((await stat(join(kitDir, f))).mode & 0o777, 0o600, f);
  for (const f of await filesUnder(kitDir)) assert.ok(!(await readFile(f, 'utf8')).includes(PASSWORD), `password in ${f}`);
  assert.ok(!kitRun.stdout.includes(PASSWORD) && !kitRun.stderr.includes(PASSWORD));
  const [line, ...rest] = (await readFile(join(kitDir, 'opt/registry/auth/htpasswd'), 'utf8')).split('\n');
  assert.deepEqual(rest, ['']);
  const [user, hash] = line!.split(':') as [string, string];
  assert.equal(user, USER);
  assert.match(hash, /^\$2y\$10\$/);
  assert.ok(bcrypt.compareSync(PASSWORD, hash));
  assert.ok(!bcrypt.compareSync(`${PASSWORD}x`, hash));
});

test('the server certificate has the SANs, serverAuth, and chains to the kit CA (basicConstraints CA)', async () => {
  const chain = (await readFile(join(kitDir, 'opt/registry/certs/domain.crt'), 'utf8')).split(/(?<=-----END CERTIFICATE-----\n)/).filter(Boolean);
  assert.equal(chain.length, 2);
  const leaf = new X509Certificate(chain[0]!);
  const ca = new X509Certificate(await readFile(join(kitDir, 'ca/localhost-ca.crt')));
  assert.equal(leaf.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1');
  assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
  assert.equal(ca.ca, true);
  assert.equal(new X509Certificate(chain[1]!).fingerprint256, ca.fingerprint256);
  const text = (await run('openssl', ['x509', '-in', join(kitDir, 'ca/localhost-ca.crt'), '-noout', '-text'])).stdout;
  assert.match(text, /Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
  assert.match(text, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
});

test('the podman command, systemd unit, firewall and trust commands follow seed 001', async () => {
  const podman = await readFile(join(kitDir, 'scripts/run-registry.sh'), 'utf8');
  for (const part of ['-p 5000:5000', '-v /opt/registry/data:/var/lib/registry:z', '-v /opt/registry/auth:/auth:z', '-v /opt/registry/certs:/certs:z', '-e REGISTRY_AUTH=htpasswd', "-e 'REGISTRY_AUTH_HTPASSWD_REALM=Registry Realm'", '-e REGISTRY_AUTH_HTPASSWD_PATH=/auth/htpasswd', '-e REGISTRY_HTTP_TLS_CERTIFICATE=/certs/domain.crt', '-e REGISTRY_HTTP_TLS_KEY=/certs/domain.key']) {
    assert.ok(podman.includes(part), part);
  }
  const unit = await readFile(join(kitDir, 'etc/systemd/system/mirror-registry.service'), 'utf8');
  assert.match(unit, /^ExecStart=\/usr\/bin\/podman run --rm --name mirror-registry -p 5000:5000 .*"REGISTRY_AUTH_HTPASSWD_REALM=Registry Realm"/m);
  assert.match(unit, /^WantedBy=multi-user\.target$/m);
  assert.deepEqual((await readFile(join(kitDir, 'scripts/firewall.sh'), 'utf8')).split('\n').filter((l) => l.startsWith('sudo')), [
    'sudo firewall-cmd --add-port=5000/tcp --zone=libvirt --permanent',
    'sudo firewall-cmd --add-port=5000/tcp --zone=public --permanent',
    'sudo firewall-cmd --reload',
  ]);
  const trust = await readFile(join(kitDir, 'scripts/trust-ca.sh'), 'utf8');
  assert.match(trust, /^sudo cp ca\/localhost-ca\.crt \/etc\/pki\/ca-trust\/source\/anchors\/localhost-ca\.crt$/m);
  assert.match(trust, /^sudo update-ca-trust$/m);
  const readme = await readFile(join(kitDir, 'README.md'), 'utf8');
  assert.match(readme, /sudo mkdir -p \/opt\/registry/);
  assert.match(readme, /ferry ca check --registry localhost:5000/);
});

test('skopeo logs in and pushes to the real registry running on the kit, trusting only the kit CA', async () => {
  const layout = await new OciLayoutWriter(join(tmp.path, 'layout')).init();
  const layer = await addLayer(layout, [{ path: 'etc/kit-test', content: 'pushed through the registry kit\n' }]);
  const image = await addImage(layout, { layers: [layer] });
  layout.tag('kit-test', image);
  await layout.save();
  await run('skopeo', ['login', '--authfile', authfile, '--cert-dir', certDir, '-u', USER, '--password', PASSWORD, registry.host]);
  await run('skopeo', ['--policy', policy, 'copy', '--authfile', authfile, '--dest-cert-dir', certDir, `oci:${layout.dir}:kit-test`, `docker://${registry.host}/ocp4/kit-test:v1`]);
  const { stdout } = await run('skopeo', ['inspect', '--raw', '--authfile', authfile, '--cert-dir', certDir, `docker://${registry.host}/ocp4/kit-test:v1`]);
  assert.equal(JSON.parse(stdout).layers[0].digest, layer.descriptor.digest);
  await assert.rejects(
    run('skopeo', ['login', '--authfile', join(tmp.path, 'other-auth.json'), '--cert-dir', certDir, '-u', USER, '--password', 'wrong-password', registry.host]),
    /401|unauthorized|invalid username\/password/i,
  );
});

test('ferry ca check passes against the kit registry with the kit CA', async () => {
  const r = await ferry(['ca', 'check', '--registry', registry.host, '--ca-file', join(kitDir, 'ca/localhost-ca.crt'), '--json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const result = JSON.parse(r.stdout);
  assert.equal(result.chainVerified, true);
  assert.equal(result.nameMatches, true);
  assert.equal(result.chain[0].subject, 'CN=localhost');
});

test('a second kit into the same directory is refused (exit 2) and changes nothing', async () => {
  const keyBefore = await readFile(join(kitDir, 'ca/ca.key'), 'utf8');
  const r = await ferry(['registry-kit', '--host', 'localhost', '--user', USER, '--password-stdin', '--to', kitDir], { input: PASSWORD });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is not empty/);
  assert.equal(await readFile(join(kitDir, 'ca/ca.key'), 'utf8'), keyBefore);
  assert.deepEqual((await readdir(tmp.path)).filter((n) => n.includes('partial')), []);
  const badIp = await ferry(['registry-kit', '--host', 'localhost', '--ip', '300.1.1.1', '--user', USER, '--password-stdin', '--to', join(tmp.path, 'kit2')], { input: PASSWORD });
  assert.equal(badIp.code, 2);
  assert.match(badIp.stderr, /not an IPv4 or IPv6 address/);
});
