import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { buildImageConfig, hasErrors, imageConfig, lintImageConfig, type LintFinding } from '../../../shared/config/image-config';
import type { FerryError } from '../../../shared/errors';
import { SEED002_BLOCKED_IMAGE_CONFIG, SEED002_IMAGE_CONFIG, SEED002_MISSPELT_PATCH } from './seed-examples';

const MIRROR = 'mirror.example.com:5000/ocp4';

function at(findings: LintFinding[], level: LintFinding['level'], text: string): LintFinding[] {
  return findings.filter((f) => f.level === level && f.message.includes(text));
}

// Seed 002 was written before openshift/api refused tags and digests in registrySources (the CEL
// rule on each entry; config/v1/tests/images.config.openshift.io "tagged registry entry" cases), so
// its reg1.io/myrepo/myapp:latest entry is dropped here and refused below.
const SEED_TAGGED = 'reg1.io/myrepo/myapp:latest';

function seedWithoutTag(text: string): { spec: { registrySources: Record<string, string[]> } } {
  const seed = parse(text);
  for (const [key, list] of Object.entries(seed.spec.registrySources as Record<string, string[]>)) {
    seed.spec.registrySources[key] = list.filter((s) => s !== SEED_TAGGED);
  }
  return seed;
}

test('the seed 002 first example as written is refused: its tagged entry breaks the Image API rule', () => {
  const seed = parse(SEED002_IMAGE_CONFIG);
  assert.throws(
    () => imageConfig({ allowed: seed.spec.registrySources.allowedRegistries }),
    (e: FerryError) =>
      e.code === 'INVALID_INPUT' && e.message.includes('spec.registrySources.allowedRegistries[4]: must not contain a tag') && e.message.includes('(openshift/api Image)'),
  );
});

test('the CR built from seed 002 first example inputs matches it field by field', () => {
  const seed = seedWithoutTag(SEED002_IMAGE_CONFIG);
  const out = imageConfig({
    allowedRegistriesForImport: [{ domainName: 'quay.io', insecure: false }],
    additionalTrustedCA: 'myconfigmap',
    allowed: seed.spec.registrySources.allowedRegistries,
    insecure: ['insecure.com'],
  });
  const parsed = parse(out.text);
  assert.equal(parsed.apiVersion, 'config.openshift.io/v1');
  assert.equal(parsed.kind, 'Image');
  assert.equal(parsed.metadata.name, 'cluster');
  assert.deepEqual(parsed.spec.allowedRegistriesForImport, [{ domainName: 'quay.io', insecure: false }]);
  assert.deepEqual(parsed.spec.additionalTrustedCA, { name: 'myconfigmap' });
  assert.deepEqual(parsed.spec.registrySources.allowedRegistries, seed.spec.registrySources.allowedRegistries);
  assert.deepEqual(parsed.spec.registrySources.insecureRegistries, ['insecure.com']);
  assert.ok(!('blockedRegistries' in parsed.spec.registrySources));
  assert.deepEqual(parsed, seed);
  assert.deepEqual(parsed, out.object);
  // insecure.com is not in the allowed list: the docs say it must be.
  assert.equal(at(out.findings, 'warning', 'insecure.com is insecure but not in allowedRegistries').length, 1);
});

test('containerRuntimeSearchRegistries is written under registrySources', () => {
  const parsed = parse(imageConfig({ search: ['reg1.io', 'reg2.io', 'reg3.io'] }).text);
  assert.deepEqual(parsed.spec.registrySources, { containerRuntimeSearchRegistries: ['reg1.io', 'reg2.io', 'reg3.io'] });
});

test('allowed and blocked together: the generator refuses, the lint reports the CEL rule', () => {
  assert.throws(() => imageConfig({ allowed: ['quay.io'], blocked: ['untrusted.com'] }), /spec\.registrySources: Only one of blockedRegistries or allowedRegistries may be set \(openshift\/api Image\)/);
  const findings = lintImageConfig(buildImageConfig({ allowed: ['quay.io'], blocked: ['untrusted.com'] }));
  const errors = at(findings, 'error', 'Only one of blockedRegistries or allowedRegistries may be set');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.path, 'spec.registrySources');
  assert.ok(hasErrors(findings));
});

test('lint: an allowed list missing each essential registry warns once per registry, with the reason', () => {
  const { findings } = imageConfig({ allowed: ['example.com'] }, { mirror: MIRROR });
  const warnings = findings.filter((f) => f.level === 'warning');
  assert.deepEqual(
    warnings.map((w) => w.message.split(' ')[0]),
    ['quay.io', 'registry.redhat.io', 'image-registry.openshift-image-registry.svc:5000', MIRROR],
  );
  assert.match(at(findings, 'warning', 'quay.io is not in allowedRegistries')[0]!.message, /release payload/);
  assert.match(at(findings, 'warning', MIRROR)[0]!.message, /disconnected cluster pulls every image from its mirror/);
  assert.ok(!hasErrors(findings));
});

test('lint: an allowed list keeping all four is clean; the mirror host alone covers the namespace', () => {
  const allowed = ['quay.io', 'registry.redhat.io', 'image-registry.openshift-image-registry.svc:5000', 'mirror.example.com:5000'];
  assert.deepEqual(lintImageConfig(imageConfig({ allowed }).object, { mirror: MIRROR }), []);
  // A narrower entry does not cover the whole registry.
  const narrow = lintImageConfig(imageConfig({ allowed: [...allowed.slice(1), 'quay.io/openshift-release-dev'] }).object);
  assert.equal(at(narrow, 'warning', 'quay.io is not in allowedRegistries').length, 1);
});

test('lint: blocking an essential registry, or a part of it, is an error', () => {
  for (const blocked of ['quay.io', 'registry.redhat.io', 'quay.io/openshift-release-dev', 'image-registry.openshift-image-registry.svc:5000', 'mirror.example.com:5000']) {
    const findings = lintImageConfig(imageConfig({ blocked: [blocked] }).object, { mirror: MIRROR });
    const errors = findings.filter((f) => f.level === 'error');
    assert.equal(errors.length, 1, `${blocked}: ${JSON.stringify(findings)}`);
    assert.equal(errors[0]!.path, 'spec.registrySources.blockedRegistries[0]');
    assert.match(errors[0]!.message, /^Blocking /);
  }
  assert.deepEqual(lintImageConfig(imageConfig({ blocked: ['untrusted.com'] }).object, { mirror: MIRROR }), []);
});

test('lint: blocking one repository under an essential registry is allowed (the MCO refuses only the payload registry)', () => {
  for (const blocked of ['quay.io/someorg/app', 'registry.redhat.io/rhel8/app', 'image-registry.openshift-image-registry.svc:5000/myproject', 'mirror.example.com:5000/ocp4/extra/app']) {
    assert.deepEqual(lintImageConfig(imageConfig({ blocked: [blocked] }).object, { mirror: MIRROR }), [], blocked);
  }
  // The mirror's release repositories are what the cluster runs on.
  const findings = lintImageConfig(imageConfig({ blocked: ['mirror.example.com:5000/ocp4/ocp-v4.0-art-dev'] }).object, { mirror: MIRROR });
  assert.equal(at(findings, 'error', `Blocking mirror.example.com:5000/ocp4/ocp-v4.0-art-dev blocks ${MIRROR}`).length, 1);
});

test('lint: the seed 002 block-list CR (with server metadata and status) is clean but for its tagged entry', () => {
  const cr = parse(SEED002_BLOCKED_IMAGE_CONFIG);
  assert.deepEqual(lintImageConfig(cr), [
    { level: 'error', path: 'spec.registrySources.blockedRegistries[1]', message: 'must not contain a tag; name a registry, namespace or repository (openshift/api Image)' },
  ]);
  assert.deepEqual(lintImageConfig(seedWithoutTag(SEED002_BLOCKED_IMAGE_CONFIG)), []);
});

test('lint: the seed 002 registrySource misspelling is caught', () => {
  const findings = lintImageConfig(parse(SEED002_MISSPELT_PATCH));
  assert.deepEqual(findings, [
    { level: 'error', path: 'spec.registrySource', message: 'Unknown field registrySource: the field is spelled registrySources; the cluster ignores this one.' },
  ]);
});

test('lint: wrong kind, apiVersion and name; malformed lists and scopes', () => {
  const findings = lintImageConfig({
    apiVersion: 'config.openshift.io/v2',
    kind: 'Images',
    metadata: { name: 'default' },
    spec: { registrySources: { blockedRegistries: 'untrusted.com', insecureRegistries: ['*.bad/ns', 'ok.io'] } },
  });
  assert.deepEqual(
    findings.map((f) => f.path),
    ['apiVersion', 'kind', 'metadata.name', 'spec.registrySources.blockedRegistries', 'spec.registrySources.insecureRegistries[0]'],
  );
  assert.ok(findings.every((f) => f.level === 'error'));
  assert.equal(lintImageConfig('text')[0]!.level, 'error');
});

test('lint: public registries in containerRuntimeSearchRegistries warn about credential exposure', () => {
  const findings = imageConfig({ search: ['reg1.io', 'docker.io'] }).findings;
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.path, 'spec.registrySources.containerRuntimeSearchRegistries[1]');
  assert.match(findings[0]!.message, /pull secret/);
});

test('lint: a CR written by hand is held to the Image API rules across its spec', () => {
  const findings = lintImageConfig({
    apiVersion: 'config.openshift.io/v1',
    kind: 'Image',
    metadata: { name: 'cluster' },
    spec: {
      additionalTrustedCA: { name: 'My CA' },
      registrySources: { insecureRegistries: ['[::1]:5000', 'registry.io/repo@sha256:abc123'], containerRuntimeSearchRegistries: ['reg1.io', 'reg1.io'] },
    },
  });
  assert.deepEqual(
    findings.map((f) => [f.level, f.path]),
    [
      ['error', 'spec.additionalTrustedCA.name'],
      ['error', 'spec.registrySources.insecureRegistries[0]'],
      ['error', 'spec.registrySources.insecureRegistries[1]'],
      ['error', 'spec.registrySources.containerRuntimeSearchRegistries[1]'],
    ],
  );
  assert.match(findings[1]!.message, /IPv6 .*\(openshift\/api Image\)$/);
  assert.match(findings[2]!.message, /must not contain a digest/);
});
