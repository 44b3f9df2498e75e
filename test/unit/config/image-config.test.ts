import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { hasErrors, imageConfig, lintImageConfig, type LintFinding } from '../../../shared/config/image-config';
import { SEED002_BLOCKED_IMAGE_CONFIG, SEED002_IMAGE_CONFIG, SEED002_MISSPELT_PATCH } from './seed-examples';

const MIRROR = 'mirror.example.com:5000/ocp4';

function at(findings: LintFinding[], level: LintFinding['level'], text: string): LintFinding[] {
  return findings.filter((f) => f.level === level && f.message.includes(text));
}

test('the CR built from seed 002 first example inputs matches it field by field', () => {
  const seed = parse(SEED002_IMAGE_CONFIG);
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

test('lint: allowed and blocked together is an error', () => {
  const { findings } = imageConfig({ allowed: ['quay.io'], blocked: ['untrusted.com'] });
  const errors = at(findings, 'error', 'allowedRegistries and blockedRegistries are both set');
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

test('lint: the seed 002 block-list CR (with server metadata and status) is clean', () => {
  assert.deepEqual(lintImageConfig(parse(SEED002_BLOCKED_IMAGE_CONFIG)), []);
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
