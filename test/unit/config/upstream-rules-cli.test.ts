import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { generateConfig } from '../../../electron/host/handlers/config';
import { FerryError } from '../../../shared/errors';
import { ferry } from '../../support/cli';
import { writeImageListTransfer } from '../../support/transfer-json';

/**
 * `ferry config KIND` (and the app's config.generate handler) refuse input that would give an object
 * the cluster, the installer or the node rejects: exit 2, the broken rule named, no file with --out.
 */

const D = `sha256:${'ef'.repeat(32)}`;
const RELEASE = 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64';
let dir: string;
let transfer: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-config-rules-'));
  transfer = join(dir, 'transfer');
  await writeImageListTransfer(
    transfer,
    [
      { source: `quay.io/openshift-release-dev/ocp-release@${D}`, role: 'release' },
      { source: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D}`, role: 'component' },
    ],
    D,
  );
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs a config command with --out and checks the refusal: exit 2, every expected text on stderr, no file. */
async function refused(kind: string, args: string[], ...expected: RegExp[]): Promise<void> {
  const out = join(dir, `${kind}-${randomUUID()}.out`);
  const r = await ferry(['config', kind, ...args, '--out', out]);
  assert.equal(r.code, 2, `${kind} ${args.join(' ')}: ${r.stderr}`);
  for (const re of expected) assert.match(r.stderr, re);
  assert.match(r.stderr, /nothing was written/);
  assert.equal(existsSync(out), false, 'no file is written');
}

test('idms: an IPv6 mirror host is refused naming the IDMS mirrors pattern', async () => {
  await refused('idms', ['--release', RELEASE, '--mirror', '[::1]:5000/ocp4'], /spec\.imageDigestMirrors\[0\]\.mirrors\[0\]: IPv6 address literals/, /\(openshift\/api ImageDigestMirrorSet\)/);
});

test('icsp and itms: a name the API refuses is refused naming the Kubernetes rule', async () => {
  await refused('icsp', ['--from-dir', transfer, '--mirror', 'mirror.example.com:5000/ocp4', '--name', 'Mirror_OCP'], /metadata\.name: "Mirror_OCP" must be a lowercase RFC 1123 subdomain/, /\(Kubernetes object names\)/);
  await refused('itms', ['--from-dir', transfer, '--mirror', 'mirror.example.com:5000/ocp4', '--name', 'x'.repeat(254)], /metadata\.name: must be no more than 253 characters/);
});

test('itms: an extra image whose mirror repository would pass 255 characters is refused', async () => {
  const deep = `quay.io/${'team/'.repeat(46)}app:1.0`;
  await refused('itms', ['--image', deep, '--mirror', 'mirror.example.com:5000/ocp4'], /spec\.imageTagMirrors\[0\]\.mirrors\[0\]: a repository name must not be more than 255 characters \(it has 262\) \(containers-registries\.conf\(5\)\)/);
});

test('install-config: the installer refuses an IPv6 mirror; the rule is named', async () => {
  await refused('install-config', ['--release', RELEASE, '--mirror', '[::1]:5000/ocp4'], /imageDigestSources\[0\]\.mirrors\[0\]: failed to parse/, /\(openshift\/installer install-config validation\)/);
});

test('image-config: a tag in a registry scope and a repeated search registry are refused; one repository under quay.io may be blocked', async () => {
  await refused('image-config', ['--mirror', 'mirror.example.com:5000/ocp4', '--blocked', 'quay.io/someorg/app:latest'], /spec\.registrySources\.blockedRegistries\[0\]: must not contain a tag.*\(openshift\/api Image\)/);
  await refused('image-config', ['--mirror', 'mirror.example.com:5000/ocp4', '--search', 'reg1.io', '--search', 'reg1.io'], /containerRuntimeSearchRegistries\[1\]: "reg1\.io" is listed twice; the list is a set/);
  await refused('image-config', ['--mirror', 'mirror.example.com:5000/ocp4', '--blocked', 'quay.io'], /Blocking quay\.io blocks quay\.io/);

  const out = join(dir, 'blocked-one-repo.yaml');
  const ok = await ferry(['config', 'image-config', '--mirror', 'mirror.example.com:5000/ocp4', '--blocked', 'quay.io/someorg/app', '--out', out]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(parseYaml(await readFile(out, 'utf8')).spec.registrySources, { blockedRegistries: ['quay.io/someorg/app'] });
});

test('registries-conf and policy-json: the node rules and the Image rules on the lists', async () => {
  await refused(
    'registries-conf',
    ['--from-dir', transfer, '--mirror', 'mirror.example.com:5000/ocp4', '--search', 'mirror.example.com:5000/ocp4'],
    /unqualified-search-registries\[0\]: "mirror\.example\.com:5000\/ocp4" must be a registry host\[:port\].*\(containers-registries\.conf\(5\)\)/,
  );
  await refused('policy-json', ['--allowed', '*.example.com:5000', '--allowed', 'quay.io'], /error: spec\.registrySources\.allowedRegistries\[0\]: a wildcard must lead.*\(openshift\/api Image\)/);
});

test('--json: the envelope carries each violation with its path and rule', async () => {
  const r = await ferry(['config', 'idms', '--release', RELEASE, '--mirror', '[::1]:5000/ocp4', '--name', 'Bad', '--json']);
  assert.equal(r.code, 2);
  const env = JSON.parse(r.stdout).error;
  assert.equal(env.code, 'INVALID_INPUT');
  assert.deepEqual(
    env.details.violations.map((v: { path: string; rule: string }) => [v.path, v.rule]),
    [
      ['metadata.name', 'Kubernetes object names'],
      ['spec.imageDigestMirrors[0].mirrors[0]', 'openshift/api ImageDigestMirrorSet'],
      ['spec.imageDigestMirrors[1].mirrors[0]', 'openshift/api ImageDigestMirrorSet'],
    ],
  );
});

test('the app handler refuses the same input with the same rule named', async () => {
  await assert.rejects(
    generateConfig({ kind: 'idms', fromDir: transfer, mirror: '[::1]:5000/ocp4' }),
    (e: FerryError) => e.code === 'INVALID_INPUT' && /spec\.imageDigestMirrors\[0\]\.mirrors\[0\]: IPv6.*\(openshift\/api ImageDigestMirrorSet\)/.test(e.message),
  );
  await assert.rejects(
    generateConfig({ kind: 'policy-json', fromDir: transfer, mirror: 'mirror.example.com:5000/ocp4', imageConfig: { allowed: [], blocked: ['quay.io/x:latest'], insecure: [], search: [] } }),
    (e: FerryError) => /spec\.registrySources\.blockedRegistries\[0\]: must not contain a tag.*\(openshift\/api Image\)/.test(e.message),
  );
  const ok = await generateConfig({ kind: 'idms', fromDir: transfer, mirror: 'mirror.example.com:5000/ocp4', name: 'ocp-4.15' });
  assert.equal(parseYaml(ok.text).metadata.name, 'ocp-4.15');
});
