import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { tempDir, type TempDir } from '../../support/tmp';
import { ferry } from '../../fixtures/certs/helpers';

const seedSample = fileURLToPath(new URL('../../fixtures/pull-secret/seed-000-sample.json', import.meta.url));
const b64 = (s: string) => Buffer.from(s).toString('base64');
const PASSWORD = 'pw-never-printed-7f3a';
let tmp: TempDir;

before(() => {
  tmp = tempDir('pull-secret-cli');
});
after(() => tmp.cleanup());

test('check: the seed 000 sample fails with exit 2 and line 3, column 30, in human and JSON form', async () => {
  const human = await ferry(['pull-secret', 'check', seedSample]);
  assert.equal(human.code, 2);
  assert.match(human.stderr, /is not valid JSON: line 3, column 30: expected ':' after the key "registry\.connect\.redhat\.com"/);
  assert.match(human.stderr, /\n {29}\^\n/);
  assert.match(human.stderr, /hint: /);
  const json = await ferry(['pull-secret', 'check', seedSample, '--json']);
  assert.equal(json.code, 2);
  const env = JSON.parse(json.stdout).error;
  assert.equal(env.code, 'INVALID_INPUT');
  assert.equal(env.details.line, 3);
  assert.equal(env.details.column, 30);
});

test('check: wrong base64 is exit 2 naming the entry; a valid file with warnings is exit 0', async () => {
  const bad = join(tmp.path, 'bad64.json');
  await writeFile(bad, JSON.stringify({ auths: { 'mirror.example.com:5000': { auth: 'dXNlcjpwYXNz=' } } }, null, 2));
  const r = await ferry(['pull-secret', 'check', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /line 4, column 15: "auth" of "mirror\.example\.com:5000" is not valid base64/);

  const ok = join(tmp.path, 'ok.json');
  await writeFile(ok, `{"auths":{"quay.io":{"auth":"${b64('a:b')}"},"quay.io":{"auth":"${b64('c:d')}","email":"x@example.com"}}}`);
  const good = await ferry(['pull-secret', 'check', ok]);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /valid pull secret, 2 registries, 1 warning/);
  assert.match(good.stderr, /warning: line 1, column \d+: the key "quay\.io" appears more than once/);
  const json = JSON.parse((await ferry(['pull-secret', 'check', ok, '--json'])).stdout);
  assert.equal(json.valid, true);
  assert.deepEqual(json.entries.map((e: { username: string }) => e.username), ['a', 'c']);
});

test('add: writes 0600 atomically, keeps the other entries, never prints the password', async () => {
  const file = join(tmp.path, 'pull-secret.json');
  const original = `{\n  "auths": {\n    "cloud.openshift.com": {\n      "auth": "${b64('c:1')}",\n      "email": "user@example.com"\n    }\n  }\n}\n`;
  await writeFile(file, original, { mode: 0o644 });
  const r = await ferry(['pull-secret', 'add', file, '--registry', 'mirror.example.com:5000/ocp4', '--username', 'mirror', '--password-stdin', '--email', 'ops@example.com', '--secret-yaml', 'my-registry'], { input: `${PASSWORD}\n` });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes(PASSWORD) && !r.stderr.includes(PASSWORD));
  assert.match(r.stdout, /oc set data secret\/pull-secret -n openshift-config --from-file=\.dockerconfigjson=\S+pull-secret\.json/);
  assert.match(r.stdout, /oc secrets link default my-registry --for=pull/);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const doc = JSON.parse(await readFile(file, 'utf8'));
  assert.deepEqual(Object.keys(doc.auths), ['cloud.openshift.com', 'mirror.example.com:5000/ocp4']);
  assert.equal(doc.auths['cloud.openshift.com'].auth, b64('c:1'));
  assert.equal(Buffer.from(doc.auths['mirror.example.com:5000/ocp4'].auth, 'base64').toString(), `mirror:${PASSWORD}`);
  const secretFile = join(tmp.path, 'my-registry.secret.yaml');
  assert.equal((await stat(secretFile)).mode & 0o777, 0o600);
  const secret = parseYaml(await readFile(secretFile, 'utf8'));
  assert.equal(secret.type, 'kubernetes.io/dockerconfigjson');
  assert.equal(secret.metadata.name, 'my-registry');
  assert.deepEqual((await readdir(tmp.path)).filter((n) => n.endsWith('.tmp')), [], 'no temp file left behind');
});

test('add: a malformed file is refused with exit 2 and left untouched; nothing else is written', async () => {
  const dir = join(tmp.path, 'malformed');
  await mkdir(dir);
  const file = join(dir, 'seed.json');
  const original = await readFile(seedSample, 'utf8');
  await writeFile(file, original, { mode: 0o644 });
  const before = await stat(file);
  const r = await ferry(['pull-secret', 'add', file, '--registry', 'm.example.com:5000', '--username', 'u', '--password-stdin', '--out', join(dir, 'out.json')], { input: PASSWORD });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /line 3, column 30/);
  assert.ok(!r.stderr.includes(PASSWORD));
  assert.equal(await readFile(file, 'utf8'), original);
  assert.equal((await stat(file)).mtimeMs, before.mtimeMs);
  assert.deepEqual(await readdir(dir), ['seed.json']);
});

test('add: without --password-stdin, or with a bad registry, it is a usage error (exit 2)', async () => {
  const file = join(tmp.path, 'ok2.json');
  await writeFile(file, '{"auths":{}}');
  const noStdin = await ferry(['pull-secret', 'add', file, '--registry', 'm.io', '--username', 'u']);
  assert.equal(noStdin.code, 2);
  assert.match(noStdin.stderr, /--password-stdin/);
  const badRegistry = await ferry(['pull-secret', 'add', file, '--registry', 'https://m.io', '--username', 'u', '--password-stdin'], { input: 'p' });
  assert.equal(badRegistry.code, 2);
  assert.match(badRegistry.stderr, /not a registry for a pull secret/);
  assert.equal(await readFile(file, 'utf8'), '{"auths":{}}');
});
