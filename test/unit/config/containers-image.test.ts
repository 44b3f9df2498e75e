import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { policyJson } from '../../../shared/config/policy-json';
import { nodeRegistriesConf, registriesConf, renderRegistriesConf, type NodeViewInput } from '../../../shared/config/registries-conf';
import type { Violation } from '../../../shared/config/rules';
import { mirrorMappings, parseMirrorTarget } from '../../../shared/mirror-mapping';
import { ferryRefusal } from '../../support/refusal';

/**
 * The node views against the real containers/image: Debian's skopeo reads the generated
 * registries.conf and policy.json exactly as CRI-O would. The mirror is 127.0.0.1:1 (connection
 * refused at once), so an answer that names the mirror proves the file was read and its rewrite
 * worked; input Ferry refuses is shown to break skopeo too, through the same renderer unchecked.
 */

const run = promisify(execFile);
const DIGEST = `sha256:${'1'.repeat(64)}`;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-containers-image-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function skopeo(args: string[]): Promise<string> {
  try {
    await run('skopeo', args, { env: { ...process.env, HOME: dir } });
    return '';
  } catch (e) {
    return (e as { stderr: string }).stderr;
  }
}

async function inspectWith(confText: string, ref: string): Promise<string> {
  const file = join(dir, `registries-${Math.random().toString(36).slice(2)}.conf`);
  await writeFile(file, confText);
  return skopeo(['--registries-conf', file, 'inspect', '--raw', '--retry-times', '0', `docker://${ref}`]);
}

function nodeInput(mirror: string, extra: Partial<NodeViewInput> = {}): NodeViewInput {
  const mappings = mirrorMappings(
    [
      { source: 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64', role: 'release' },
      { source: 'registry.example.com:8443/team/app:1.0', role: 'extra' },
    ],
    parseMirrorTarget(mirror),
  );
  return {
    digestMirrors: mappings.map((m) => ({ ...m, mirrorSourcePolicy: 'NeverContactSource' as const })),
    tagMirrors: mappings,
    registrySources: { insecureRegistries: ['insecure.example.com'], blockedRegistries: ['untrusted.com'], containerRuntimeSearchRegistries: ['127.0.0.1:1'] },
    ...extra,
  };
}

function refusedBy(fn: () => unknown): Violation[] {
  const e = ferryRefusal(fn);
  assert.equal(e.code, 'INVALID_INPUT', e.message);
  return (e.details?.violations ?? []) as Violation[];
}

test('skopeo reads the generated registries.conf: digest and tag pulls go to the mirror, the source is blocked', async () => {
  const text = registriesConf(nodeInput('127.0.0.1:1/ocp4')).text;
  const byDigest = await inspectWith(text, `quay.io/openshift-release-dev/ocp-release@${DIGEST}`);
  assert.doesNotMatch(byDigest, /loading registries configuration|rewriting reference/);
  assert.match(byDigest, new RegExp(`Mirrors also failed: \\[127\\.0\\.0\\.1:1/ocp4/ocp-release@${DIGEST}: pinging container registry 127\\.0\\.0\\.1:1`));
  assert.match(byDigest, /registry quay\.io\/openshift-release-dev\/ocp-release is blocked/);
  const byTag = await inspectWith(text, 'registry.example.com:8443/team/app:1.0');
  assert.match(byTag, /Mirrors also failed: \[127\.0\.0\.1:1\/ocp4\/team\/app:1\.0: /);
});

test('an IPv6 mirror: Ferry refuses it with the registries.conf rule, and skopeo cannot rewrite to it', async () => {
  const input = nodeInput('[::1]:5000/ocp4');
  const violations = refusedBy(() => registriesConf(input));
  assert.ok(violations.some((v) => v.path === 'registry[0].mirror[0].location' && v.rule === 'containers-registries.conf(5)' && /IPv6/.test(v.problem)), JSON.stringify(violations));
  const stderr = await inspectWith(renderRegistriesConf(nodeRegistriesConf(input)), `quay.io/openshift-release-dev/ocp-release@${DIGEST}`);
  assert.match(stderr, /rewriting reference: invalid reference format/);
});

test('a search registry with a path: Ferry refuses it, and skopeo refuses the file', async () => {
  const input = nodeInput('127.0.0.1:1/ocp4', { registrySources: { containerRuntimeSearchRegistries: ['mirror.example.com/ns'] } });
  const violations = refusedBy(() => registriesConf(input));
  assert.deepEqual(violations.map((v) => v.path), ['unqualified-search-registries[0]']);
  const stderr = await inspectWith(renderRegistriesConf(nodeRegistriesConf(input)), 'quay.io/x/y:latest');
  assert.match(stderr, /Invalid unqualified-search-registries entry \\?"mirror\.example\.com\/ns\\?"/);
});

test('a mirror repository over 255 characters: Ferry refuses it, and skopeo cannot rewrite to it', async () => {
  const deep = `registry.example.com:8443/${'team/'.repeat(45)}app`;
  assert.equal(deep.length, 254);
  const mappings = mirrorMappings([{ source: `${deep}:1.0`, role: 'extra' }], parseMirrorTarget('127.0.0.1:1/ocp4/disconnected/lab'));
  const input: NodeViewInput = { digestMirrors: mappings };
  const violations = refusedBy(() => registriesConf(input));
  assert.ok(violations.some((v) => v.path === 'registry[0].mirror[0].location' && /more than 255 characters/.test(v.problem)), JSON.stringify(violations));
  const stderr = await inspectWith(renderRegistriesConf(nodeRegistriesConf(input)), `${deep}@${DIGEST}`);
  assert.match(stderr, /rewriting reference: repository name must not be more than 255 characters/);
});

test('skopeo loads the generated policy.json (allowed list with a wildcard and an image scope)', async () => {
  const file = join(dir, 'policy.json');
  await writeFile(file, policyJson({ allowedRegistries: ['quay.io', '*.example.com', '127.0.0.1:1/ocp4', 'reg1.io/myrepo/myapp:latest'] }).text);
  const stderr = await skopeo(['--policy', file, 'copy', '--retry-times', '0', 'docker://127.0.0.1:1/ocp4/x:latest', `dir:${join(dir, 'copy')}`]);
  assert.doesNotMatch(stderr, /trust policy/);
  assert.match(stderr, /pinging container registry 127\.0\.0\.1:1/);
  // The control: a policy skopeo cannot load says so.
  await writeFile(file, JSON.stringify({ default: [{ type: 'rejected' }] }));
  assert.match(await skopeo(['--policy', file, 'copy', 'docker://127.0.0.1:1/ocp4/x:latest', `dir:${join(dir, 'copy')}`]), /Error loading trust policy/);
});
