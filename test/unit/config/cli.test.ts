import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { parse as parseToml } from 'smol-toml';
import { SEED002_BLOCKED_IMAGE_CONFIG, SEED002_MISSPELT_PATCH } from './seed-examples';
import { writeImageListTransfer } from '../../support/transfer-json';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const run = promisify(execFile);
const D = `sha256:${'cd'.repeat(32)}`;
let dir: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function ferry(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-config-cli-'));
  // A real CA, PEM and DER, made by openssl for this run.
  await run('openssl', [
    'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', join(dir, 'ca.key'),
    '-out', join(dir, 'ca.crt'), '-days', '2', '-subj', '/CN=Ferry config test CA',
  ]);
  await run('openssl', ['x509', '-in', join(dir, 'ca.crt'), '-outform', 'DER', '-out', join(dir, 'ca.der')]);
  await writeFile(join(dir, 'not-a-cert.der'), Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]));
  // A transfer directory whose transfer.json lists a release, a component and an extra image.
  await writeImageListTransfer(
    join(dir, 'transfer'),
    [
      { source: `quay.io/openshift-release-dev/ocp-release@${D}`, role: 'release' },
      { source: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D}`, role: 'component' },
      { source: 'registry.access.redhat.com/ubi8/ubi-minimal:latest', role: 'extra' },
    ],
    D,
  );
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('image-config with both --allowed and --blocked: exit 2, the reason, nothing written', async () => {
  const out = join(dir, 'image-both.yaml');
  const r = await ferry('config', 'image-config', '--mirror', 'mirror.example.com:5000/ocp4', '--allowed', 'quay.io', '--blocked', 'untrusted.com', '--out', out);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /spec\.registrySources: Only one of blockedRegistries or allowedRegistries may be set \(openshift\/api Image\)/);
  assert.match(r.stderr, /nothing was written/);
  assert.equal(existsSync(out), false);
});

test('image-config with --json and a blocked essential registry: envelope lists the findings', async () => {
  const r = await ferry('config', 'image-config', '--mirror', 'mirror.example.com:5000/ocp4', '--blocked', 'registry.redhat.io', '--json');
  assert.equal(r.code, 2);
  const env = JSON.parse(r.stdout).error;
  assert.equal(env.code, 'INVALID_INPUT');
  assert.deepEqual(
    env.details.findings.map((f: { level: string; path: string }) => [f.level, f.path]),
    [['error', 'spec.registrySources.blockedRegistries[0]']],
  );
});

test('image-config writes the CR and prints the warnings', async () => {
  const out = join(dir, 'image.yaml');
  const r = await ferry('config', 'image-config', '--mirror', 'mirror.example.com:5000/ocp4', '--allowed', 'quay.io', '--allowed', 'mirror.example.com:5000', '--trusted-ca', 'registry-config', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: spec\.registrySources\.allowedRegistries: registry\.redhat\.io is not in allowedRegistries/);
  const cr = parseYaml(await readFile(out, 'utf8'));
  assert.equal(cr.kind, 'Image');
  assert.deepEqual(cr.spec.additionalTrustedCA, { name: 'registry-config' });
  assert.deepEqual(cr.spec.allowedRegistriesForImport, [{ domainName: 'mirror.example.com:5000', insecure: false }]);
  assert.deepEqual(cr.spec.registrySources.allowedRegistries, ['quay.io', 'mirror.example.com:5000']);
});

test('icsp --from-dir reads transfer.json and maps each repository under the namespace', async () => {
  const r = await ferry('config', 'icsp', '--from-dir', join(dir, 'transfer'), '--mirror', 'mirror.example.com:5000/ocp4');
  assert.equal(r.code, 0, r.stderr);
  const icsp = parseYaml(r.stdout);
  assert.equal(icsp.metadata.name, 'mirror-ocp');
  assert.deepEqual(icsp.spec.repositoryDigestMirrors, [
    { mirrors: ['mirror.example.com:5000/ocp4/ocp-release'], source: 'quay.io/openshift-release-dev/ocp-release' },
    { mirrors: ['mirror.example.com:5000/ocp4/ocp-v4.0-art-dev'], source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev' },
    { mirrors: ['mirror.example.com:5000/ocp4/ubi8/ubi-minimal'], source: 'registry.access.redhat.com/ubi8/ubi-minimal' },
  ]);
});

test('--from-dir without transfer.json, and a bad --mirror: exit 2 with what to do', async () => {
  const missing = await ferry('config', 'idms', '--from-dir', dir, '--mirror', 'mirror.example.com:5000/ocp4');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no transfer\.json in that directory/);
  const badMirror = await ferry('config', 'idms', '--release', 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64', '--mirror', 'not a mirror');
  assert.equal(badMirror.code, 2);
  assert.match(badMirror.stderr, /is not a mirror location/);
});

test('install-config takes a PEM or DER CA into additionalTrustBundle; a DER that is not a certificate is refused', async () => {
  const pem = (await readFile(join(dir, 'ca.crt'), 'utf8')).trim();
  for (const ca of ['ca.crt', 'ca.der']) {
    const r = await ferry('config', 'install-config', '--release', 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64', '--mirror', 'mirror.example.com:5000/ocp4', '--ca-file', join(dir, ca), '--sources-field', 'imageContentSources');
    assert.equal(r.code, 0, r.stderr);
    const snippet = parseYaml(r.stdout);
    assert.equal(snippet.additionalTrustBundle.trim(), pem);
    assert.equal(snippet.imageContentSources.length, 2);
  }
  const out = join(dir, 'install-bad.yaml');
  const bad = await ferry('config', 'install-config', '--release', 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64', '--mirror', 'mirror.example.com:5000/ocp4', '--ca-file', join(dir, 'not-a-cert.der'), '--out', out);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not-a-cert\.der is not a CA certificate/);
  assert.equal(existsSync(out), false);
});

test('install-config with --pull-secret is written 0600', async () => {
  const secretFile = join(dir, 'ps.json');
  await writeFile(secretFile, '{"auths":{"mirror.example.com:5000":{"auth":"dXNlcjpwYXNz"}}}\n');
  const out = join(dir, 'install.yaml');
  const r = await ferry('config', 'install-config', '--image', 'registry.example.com/team/app:1', '--mirror', 'mirror.example.com:5000/ocp4', '--pull-secret', secretFile, '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await stat(out)).mode & 0o777, 0o600);
  assert.equal(parseYaml(await readFile(out, 'utf8')).pullSecret, '{"auths":{"mirror.example.com:5000":{"auth":"dXNlcjpwYXNz"}}}');
});

test('registries-conf then resolve: digest goes to the mirror, tag stays on the source', async () => {
  const conf = join(dir, 'registries.conf');
  const w = await ferry('config', 'registries-conf', '--from-dir', join(dir, 'transfer'), '--mirror', 'mirror.example.com:5000/ocp4', '--out', conf);
  assert.equal(w.code, 0, w.stderr);
  assert.equal((parseToml(await readFile(conf, 'utf8')).registry as unknown[]).length, 3);
  const byDigest = await ferry('resolve', `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D}`, '--registries-conf', conf, '--json');
  assert.equal(byDigest.code, 0, byDigest.stderr);
  assert.deepEqual(
    JSON.parse(byDigest.stdout).attempts.map((a: { reference: string }) => a.reference),
    [`mirror.example.com:5000/ocp4/ocp-v4.0-art-dev@${D}`, `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D}`],
  );
  const byTag = await ferry('resolve', 'quay.io/openshift-release-dev/ocp-v4.0-art-dev:4.15', '--registries-conf', conf);
  assert.equal(byTag.code, 0, byTag.stderr);
  assert.match(byTag.stdout, /^ {2}1\. quay\.io\/openshift-release-dev\/ocp-v4\.0-art-dev:4\.15 {2}\[source\]/m);
  assert.doesNotMatch(byTag.stdout, /^ {2}2\./m);
});

test('resolve: malformed registries.conf names the file, line and column; exit 2', async () => {
  const conf = join(dir, 'broken.conf');
  await writeFile(conf, 'unqualified-search-registries = ["docker.io"]\n[[registry]\nlocation = "a.io"\n');
  const r = await ferry('resolve', 'a.io/x:1', '--registries-conf', conf);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /broken\.conf: TOML syntax error at line 2, column \d+/);
});

test('resolve: every location refused is a failed check (exit 1)', async () => {
  const conf = join(dir, 'blocked.conf');
  await writeFile(conf, '[[registry]]\nlocation = "untrusted.com"\nblocked = true\n');
  const r = await ferry('resolve', 'untrusted.com/x:1', '--registries-conf', conf);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /REFUSED \(registry untrusted\.com is blocked\)/);
});

test('policy-json with both lists: exit 2; with an allowed list: reject by default', async () => {
  const both = await ferry('config', 'policy-json', '--allowed', 'quay.io', '--blocked', 'untrusted.com');
  assert.equal(both.code, 2);
  const r = await ferry('config', 'policy-json', '--allowed', 'quay.io', '--allowed', 'registry.redhat.io');
  assert.equal(r.code, 0, r.stderr);
  const policy = JSON.parse(r.stdout);
  assert.deepEqual(policy.default, [{ type: 'reject' }]);
  assert.deepEqual(Object.keys(policy.transports.docker), ['quay.io', 'registry.redhat.io']);
});

test('lint-image-config: seed 002 misspelling is exit 2, its block list is clean once its tagged entry goes, broken YAML has a position', async () => {
  const misspelt = join(dir, 'misspelt.yaml');
  await writeFile(misspelt, SEED002_MISSPELT_PATCH);
  const bad = await ferry('config', 'lint-image-config', misspelt);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /error: spec\.registrySource: Unknown field registrySource/);

  // Seed 002 predates the Image API's refusal of tags in registry scopes: as written it now fails on that rule alone.
  const seed = join(dir, 'seed-blocked-image.yaml');
  await writeFile(seed, SEED002_BLOCKED_IMAGE_CONFIG);
  const tagged = await ferry('config', 'lint-image-config', seed);
  assert.equal(tagged.code, 2);
  assert.match(tagged.stderr, /error: spec\.registrySources\.blockedRegistries\[1\]: must not contain a tag.*\(openshift\/api Image\)/);

  const good = join(dir, 'blocked-image.yaml');
  await writeFile(good, SEED002_BLOCKED_IMAGE_CONFIG.replace('    - reg1.io/myrepo/myapp:latest\n', ''));
  const ok = await ferry('config', 'lint-image-config', good);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /no problems found/);

  const broken = join(dir, 'broken.yaml');
  await writeFile(broken, 'spec:\n  registrySources:\n    allowedRegistries: [quay.io\n');
  const br = await ferry('config', 'lint-image-config', broken);
  assert.equal(br.code, 2);
  assert.match(br.stderr, /broken\.yaml is not valid YAML at line \d+, column \d+/);
});
