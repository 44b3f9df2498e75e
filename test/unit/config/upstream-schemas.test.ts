import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import {
  imageConfigViolations,
  imageContentSourcePolicyViolations,
  imageDigestMirrorSetViolations,
  imageTagMirrorSetViolations,
  MIRROR_PATTERN,
  SCOPE_PATTERN,
} from '../../../shared/config/api-rules';
import { caConfigMap } from '../../../shared/certs/ca-configmap';
import { imageConfig } from '../../../shared/config/image-config';
import { imageContentSourcePolicy, imageDigestMirrorSet, imageTagMirrorSet } from '../../../shared/config/mirror-sets';
import { formatViolation, type Violation } from '../../../shared/config/rules';
import { FerryError } from '../../../shared/errors';
import { COMPONENT_SOURCE, RELEASE_SOURCE, mirrorMappings, parseMirrorTarget, type MirrorMapping } from '../../../shared/mirror-mapping';
import { formatSchemaErrors, loadCrd, loadSuite, validateAgainstCrd, type VendoredCrd } from '../../support/crd-schema';
import { ferryRefusal } from '../../support/refusal';

/**
 * Generated objects against the vendored openshift/api CRD schemas (test/fixtures/upstream), and
 * Ferry's hand-written rules against the upstream validation suites, so the two can never drift
 * apart silently: a rule upstream adds fails here once the schema is re-vendored.
 */

const CRDS = {
  images: loadCrd('images'),
  imagedigestmirrorsets: loadCrd('imagedigestmirrorsets'),
  imagetagmirrorsets: loadCrd('imagetagmirrorsets'),
  imagecontentsourcepolicies: loadCrd('imagecontentsourcepolicies'),
};
const PRODUCT_RULES: Record<keyof typeof CRDS, (obj: never) => Violation[]> = {
  images: imageConfigViolations,
  imagedigestmirrorsets: imageDigestMirrorSetViolations,
  imagetagmirrorsets: imageTagMirrorSetViolations,
  imagecontentsourcepolicies: imageContentSourcePolicyViolations,
};

function assertValid(crd: VendoredCrd, object: unknown): void {
  const errors = validateAgainstCrd(crd, object);
  assert.deepEqual(errors, [], `${crd.kind} does not validate:\n${formatSchemaErrors(errors)}\n${JSON.stringify(object, null, 2)}`);
}

/** The generator refuses, naming the path and the rule, and the upstream schema rejects the same object at that path. */
function assertRefused(generate: () => unknown, path: string, rule: string, problem: RegExp): FerryError {
  const caught = ferryRefusal(generate, `a refusal at ${path}`);
  assert.equal(caught.code, 'INVALID_INPUT');
  const violations = (caught.details?.violations ?? []) as Violation[];
  const hit = violations.find((v) => v.path === path);
  assert.ok(hit, `no violation at ${path}: ${caught.message}`);
  assert.equal(hit.rule, rule);
  assert.match(hit.problem, problem);
  assert.ok(caught.message.includes(formatViolation(hit)), caught.message);
  return caught;
}

for (const [name, crd] of Object.entries(CRDS) as Array<[keyof typeof CRDS, VendoredCrd]>) {
  test(`${crd.kind}: the upstream onCreate suite, through the test validator and through Ferry's rules`, () => {
    const cases = loadSuite(name);
    assert.ok(cases.length > 0);
    for (const c of cases) {
      const object = parse(c.initial) as Record<string, unknown>;
      // The upstream harness names every object it creates; Image is a singleton named cluster.
      object.metadata = { name: 'cluster' };
      const schemaErrors = validateAgainstCrd(crd, object).map((e) => `${e.path}: ${e.message}`);
      const ferry = PRODUCT_RULES[name](object as never).map(formatViolation);
      if (c.expectedError !== undefined) {
        assert.ok(schemaErrors.some((e) => e.includes(c.expectedError!)), `${c.name}: schema errors ${JSON.stringify(schemaErrors)}`);
        assert.ok(ferry.some((e) => e.includes(c.expectedError!)), `${c.name}: Ferry's rules ${JSON.stringify(ferry)}`);
      } else {
        assert.deepEqual(schemaErrors, [], c.name);
        assert.deepEqual(ferry, [], c.name);
      }
    }
  });
}

test("Ferry's scope and mirror patterns accept exactly what the upstream schema patterns accept", () => {
  const idms = CRDS.imagedigestmirrorsets.openAPIV3Schema.properties!.spec!.properties!.imageDigestMirrors!.items!;
  const upstreamSource = new RegExp(idms.properties!.source!.pattern!);
  const upstreamMirror = new RegExp(idms.properties!.mirrors!.items!.pattern!);
  const cel = CRDS.images.openAPIV3Schema.properties!.spec!.properties!.registrySources!.properties!.allowedRegistries!.items!['x-kubernetes-validations']![0]!.rule;
  const upstreamScope = new RegExp(/^self\.matches\('(.*)'\)$/.exec(cel)![1]!.replace(/\\(.)/g, '$1'));
  const corpus = [
    'quay.io', 'quay.io/openshift-release-dev/ocp-release', 'mirror.example.com:5000', 'mirror.example.com:5000/ocp4/ocp-v4.0-art-dev',
    'localhost', 'localhost:5000/repo', 'registry', '127.0.0.1:5000/a', 'a.b-c.d/e__f/g.h/i--j/k_l', 'UPPER.example.com/lower',
    '*.example.com', '*.a.b', '*', '*.', '*.example.com/ns', '*.example.com:5000', 'example.*.com', 'ex*ample.com',
    'quay.io/ns:latest', 'quay.io/ns@sha256:abc123', 'quay.io:latest', '[::1]:5000', '[::1]:5000/ocp4', 'https://quay.io',
    '', '/quay.io', 'quay.io/', 'quay.io//ns', 'quay.io/UPPER', '-bad.io', 'bad-.io', 'quay.io/a-', 'quay.io/_a', 'quay.io/a___b',
    'quay.io/a..b', 'quay.io:port/x', 'quay .io', 'quay.io/a b',
  ];
  // And a deterministic spray of short strings over the characters that matter (short: the upstream
  // regex backtracks exponentially in JavaScript on long near-misses).
  let seed = 0x5eed;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const alphabet = 'aZ09.-_/:*@[]';
  for (let i = 0; i < 5000; i++) {
    const length = 1 + Math.floor(next() * 10);
    corpus.push(Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
  }
  for (const s of corpus) {
    assert.equal(SCOPE_PATTERN.test(s), upstreamSource.test(s), `source pattern disagrees on ${JSON.stringify(s)}`);
    assert.equal(SCOPE_PATTERN.test(s), upstreamScope.test(s), `Image CEL regex disagrees on ${JSON.stringify(s)}`);
    assert.equal(MIRROR_PATTERN.test(s), upstreamMirror.test(s), `mirror pattern disagrees on ${JSON.stringify(s)}`);
  }
});

/** A transfer like a real one: the release, its components, and extra images from several registries. */
function realisticMappings(mirror: string): MirrorMapping[] {
  return mirrorMappings(
    [
      { source: `${RELEASE_SOURCE}@sha256:${'1'.repeat(64)}`, role: 'release' },
      { source: `${COMPONENT_SOURCE}@sha256:${'2'.repeat(64)}`, role: 'component' },
      { source: 'registry.access.redhat.com/ubi8/ubi-minimal:latest', role: 'extra' },
      { source: 'registry.redhat.io/redhat/redhat-operator-index:v4.15', role: 'extra' },
      { source: 'docker.io/library/busybox:1.36', role: 'extra' },
      { source: 'registry.example.com:8443/team_a/app-server:2.0', role: 'extra' },
    ],
    parseMirrorTarget(mirror),
  );
}

test('every generated IDMS, ITMS and ICSP validates against its upstream CRD schema', () => {
  for (const mirror of ['mirror.example.com:5000/ocp4', 'registry.lab.example.com:8443', 'localhost:5000/ocp/4.15']) {
    const mappings = realisticMappings(mirror);
    const multi = mappings.map((m) => ({ ...m, mirrors: [...m.mirrors, `${m.mirrors[0]!.replace(/^[^/]+/, 'backup.example.com')}`] }));
    assertValid(CRDS.imagedigestmirrorsets, imageDigestMirrorSet(mappings).object);
    assertValid(CRDS.imagedigestmirrorsets, imageDigestMirrorSet(multi, { name: 'ocp-4.15.3', mirrorSourcePolicy: 'NeverContactSource' }).object);
    assertValid(CRDS.imagetagmirrorsets, imageTagMirrorSet(mappings, { mirrorSourcePolicy: 'AllowContactingSource' }).object);
    assertValid(CRDS.imagecontentsourcepolicies, imageContentSourcePolicy(multi, { name: 'release.mirror' }).object);
  }
  // A wildcard source, as IDMS allows and registries.conf(5) documents.
  assertValid(CRDS.imagedigestmirrorsets, imageDigestMirrorSet([{ source: '*.redhat.io', mirrors: ['mirror.local/redhat'] }]).object);
});

test('every generated image.config validates against the upstream Image schema and its CEL rules', () => {
  const allowedCase = imageConfig(
    {
      allowed: ['quay.io', 'registry.redhat.io', '*.example.com', 'image-registry.openshift-image-registry.svc:5000', 'mirror.example.com:5000', 'reg1.io/myrepo/myapp'],
      insecure: ['insecure.com', 'localhost:5000/repo'],
      search: ['mirror.example.com:5000', 'registry.lab.example.com'],
      additionalTrustedCA: 'mirror-registry-ca',
      allowedRegistriesForImport: [{ domainName: 'mirror.example.com:5000' }],
    },
    { mirror: 'mirror.example.com:5000/ocp4' },
  );
  assertValid(CRDS.images, allowedCase.object);
  assertValid(CRDS.images, imageConfig({ blocked: ['untrusted.com', 'quay.io/someorg/app', '*.untrusted.net'] }).object);
  assertValid(CRDS.images, imageConfig({}).object);
});

const IMAGE = 'openshift/api Image';
const IDMS = 'openshift/api ImageDigestMirrorSet';
const NAMES = 'Kubernetes object names';
const NODE = 'containers-registries.conf(5)';
const release = realisticMappings('mirror.example.com:5000/ocp4');

test('bad names are refused with the Kubernetes naming rule, and the API would refuse them too', () => {
  for (const name of ['Mirror-OCP', 'mirror_ocp', '-mirror', 'mirror.', 'a'.repeat(254), '']) {
    assertRefused(() => imageDigestMirrorSet(release, { name }), 'metadata.name', NAMES, name === '' ? /must not be empty/ : /RFC 1123 subdomain|253 characters/);
    assertRefused(() => imageTagMirrorSet(release, { name }), 'metadata.name', NAMES, /./);
    assertRefused(() => imageContentSourcePolicy(release, { name }), 'metadata.name', NAMES, /./);
    const raw = { apiVersion: 'config.openshift.io/v1', kind: 'ImageDigestMirrorSet', metadata: { name }, spec: { imageDigestMirrors: [] } };
    assert.ok(validateAgainstCrd(CRDS.imagedigestmirrorsets, raw).some((e) => e.path === 'metadata.name'), name);
  }
  assert.equal(imageDigestMirrorSet(release, { name: 'a'.repeat(253) }).object.metadata.name.length, 253);
  assertRefused(() => imageConfig({ additionalTrustedCA: 'My CA' }), 'spec.additionalTrustedCA.name', NAMES, /it names a ConfigMap/);
});

test('tags and digests in registry scopes are refused with the Image CEL rule', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const cases: Array<[Parameters<typeof imageConfig>[0], string, RegExp]> = [
    [{ blocked: ['untrusted.com', 'registry.io/myrepo:latest'] }, 'spec.registrySources.blockedRegistries[1]', /must not contain a tag/],
    [{ allowed: [`registry.io/myrepo@${digest}`] }, 'spec.registrySources.allowedRegistries[0]', /must not contain a digest/],
    [{ insecure: ['registry.io/myrepo:v1'] }, 'spec.registrySources.insecureRegistries[0]', /must not contain a tag/],
  ];
  for (const [input, path, problem] of cases) {
    assertRefused(() => imageConfig(input), path, IMAGE, problem);
    const raw = { apiVersion: 'config.openshift.io/v1', kind: 'Image', metadata: { name: 'cluster' }, spec: { registrySources: rawSources(input) } };
    assert.ok(validateAgainstCrd(CRDS.images, raw).some((e) => e.path === path && /without tags or digests/.test(e.message)), path);
  }
  // An IDMS source or mirror with a tag fails the CRD pattern.
  assertRefused(() => imageDigestMirrorSet([{ source: 'quay.io/ns/repo:4.15', mirrors: ['mirror.example.com:5000/ns/repo'] }]), 'spec.imageDigestMirrors[0].source', IDMS, /must not contain a tag/);
  assertRefused(() => imageDigestMirrorSet([{ source: 'quay.io/ns/repo', mirrors: [`mirror.example.com:5000/ns/repo@${digest}`] }]), 'spec.imageDigestMirrors[0].mirrors[0]', IDMS, /digest/);
});

function rawSources(input: Parameters<typeof imageConfig>[0]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (input.allowed) out.allowedRegistries = input.allowed;
  if (input.blocked) out.blockedRegistries = input.blocked;
  if (input.insecure) out.insecureRegistries = input.insecure;
  if (input.search) out.containerRuntimeSearchRegistries = input.search;
  return out;
}

test('IPv6 literal hosts are refused by the API patterns, which have no IPv6 form', () => {
  const v6 = mirrorMappings([{ source: `${RELEASE_SOURCE}:4.15.3-x86_64`, role: 'release' }], parseMirrorTarget('[::1]:5000/ocp4'));
  assert.equal(v6[0]!.mirrors[0], '[::1]:5000/ocp4/ocp-release');
  assertRefused(() => imageDigestMirrorSet(v6), 'spec.imageDigestMirrors[0].mirrors[0]', IDMS, /IPv6 address literals such as \[::1\]:5000 are not accepted/);
  assertRefused(() => imageTagMirrorSet(v6), 'spec.imageTagMirrors[0].mirrors[0]', 'openshift/api ImageTagMirrorSet', /IPv6/);
  // ICSP's schema has no pattern: the node's registries.conf(5) grammar refuses it.
  assertRefused(() => imageContentSourcePolicy(v6), 'spec.repositoryDigestMirrors[0].mirrors[0]', NODE, /IPv6/);
  assertRefused(() => imageConfig({ insecure: ['[::1]:5000'] }), 'spec.registrySources.insecureRegistries[0]', IMAGE, /IPv6/);
  const raw = { apiVersion: 'config.openshift.io/v1', kind: 'ImageDigestMirrorSet', metadata: { name: 'x' }, spec: { imageDigestMirrors: v6 } };
  assert.ok(validateAgainstCrd(CRDS.imagedigestmirrorsets, raw).some((e) => e.path === 'spec.imageDigestMirrors[0].mirrors[0]'));
});

test('over-long paths: Image scopes over 256 characters; mirror repositories over the 255 a node can parse', () => {
  const long = `registry.example.com/${'a'.repeat(240)}`;
  assertRefused(() => imageConfig({ blocked: [long] }), 'spec.registrySources.blockedRegistries[0]', IMAGE, /at most 256 characters \(it has 261\)/);
  assert.ok(validateAgainstCrd(CRDS.images, { apiVersion: 'config.openshift.io/v1', kind: 'Image', metadata: { name: 'cluster' }, spec: { registrySources: { blockedRegistries: [long] } } }).some((e) => /Too long/.test(e.message)));
  // A source repository that fits (240 characters) lands under the mirror namespace beyond 255: CRI-O could never pull it.
  const deep = `quay.io/${'team/'.repeat(46)}app`;
  assert.equal(deep.length, 241);
  const mappings = mirrorMappings([{ source: `${deep}:1.0`, role: 'extra' }], parseMirrorTarget('mirror.example.com:5000/ocp4'));
  assertRefused(() => imageDigestMirrorSet(mappings), 'spec.imageDigestMirrors[0].mirrors[0]', NODE, /must not be more than 255 characters \(it has 262\)/);
  assertRefused(() => imageContentSourcePolicy(mappings), 'spec.repositoryDigestMirrors[0].mirrors[0]', NODE, /255/);
});

test('wildcards where the API does not take them, and malformed wildcards, are refused', () => {
  assertRefused(() => imageDigestMirrorSet([{ source: '*.redhat.io', mirrors: ['*.mirror.local'] }]), 'spec.imageDigestMirrors[0].mirrors[0]', IDMS, /wildcards are not accepted here/);
  assertRefused(() => imageDigestMirrorSet([{ source: '*.redhat.io/ns', mirrors: ['mirror.local/ns'] }]), 'spec.imageDigestMirrors[0].source', IDMS, /\*\.example\.com, without port or path/);
  assertRefused(() => imageConfig({ blocked: ['example.*.com'] }), 'spec.registrySources.blockedRegistries[0]', IMAGE, /wildcard must lead/);
  assertRefused(() => imageConfig({ allowed: ['*.example.com:5000'] }), 'spec.registrySources.allowedRegistries[0]', IMAGE, /wildcard/);
});

test('duplicates in set lists are refused: containerRuntimeSearchRegistries and mirrors', () => {
  assertRefused(() => imageConfig({ search: ['reg1.io', 'reg2.io', 'reg1.io'] }), 'spec.registrySources.containerRuntimeSearchRegistries[2]', IMAGE, /"reg1\.io" is listed twice; the list is a set/);
  const raw = { apiVersion: 'config.openshift.io/v1', kind: 'Image', metadata: { name: 'cluster' }, spec: { registrySources: { containerRuntimeSearchRegistries: ['reg1.io', 'reg1.io'] } } };
  assert.deepEqual(validateAgainstCrd(CRDS.images, raw).map((e) => e.path), ['spec.registrySources.containerRuntimeSearchRegistries[1]']);
  const twice = [{ source: 'quay.io/ns/repo', mirrors: ['mirror.example.com:5000/ns/repo', 'mirror.example.com:5000/ns/repo'] }];
  assertRefused(() => imageDigestMirrorSet(twice), 'spec.imageDigestMirrors[0].mirrors[1]', IDMS, /listed twice; mirrors is a set/);
  // blocked/allowed/insecure are atomic lists upstream: a repeat is allowed there, and so here.
  assertValid(CRDS.images, imageConfig({ blocked: ['untrusted.com', 'untrusted.com'] }).object);
});

test('a source policy without a mirror is refused (the API documents it as valid only with mirrors)', () => {
  assert.deepEqual(
    imageDigestMirrorSetViolations({ metadata: { name: 'x' }, spec: { imageDigestMirrors: [{ source: 'quay.io/ns', mirrorSourcePolicy: 'NeverContactSource' }] } }).map((v) => v.path),
    ['spec.imageDigestMirrors[0].mirrorSourcePolicy'],
  );
  assert.deepEqual(
    imageDigestMirrorSetViolations({ metadata: { name: 'x' }, spec: { imageDigestMirrors: [{ source: 'quay.io/ns', mirrors: ['m.io/ns'], mirrorSourcePolicy: 'Never' }] } }).map((v) => v.problem),
    ['must be one of NeverContactSource, AllowContactingSource'],
  );
});

test('ca-configmap: the ConfigMap obeys the Kubernetes name and data-key rules; IPv6 hosts and bad names are refused', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const cm = caConfigMap([{ registry: 'mirror.example.com:5000', pem }, { registry: 'Registry.Lab.example.com', pem }], 'mirror-registry-ca').object as {
    metadata: { name: string };
    data: Record<string, string>;
  };
  // k8s.io/apimachinery validation: ConfigMap names are DNS-1123 subdomains; data keys match IsConfigMapKey.
  assert.match(cm.metadata.name, /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/);
  for (const key of Object.keys(cm.data)) assert.ok(/^[-._a-zA-Z0-9]+$/.test(key) && key.length <= 253 && !key.startsWith('..'), key);
  assert.deepEqual(Object.keys(cm.data), ['mirror.example.com..5000', 'Registry.Lab.example.com']);
  assert.throws(() => caConfigMap([{ registry: '[::1]:5000', pem }]), /not a registry host\[:port\]/);
  assert.throws(() => caConfigMap([{ registry: 'mirror.example.com', pem }], 'Mirror CA'), /not a valid ConfigMap name/);
});

test('NeverContactSource with the source among its own mirrors is refused, as the MCO refuses it', () => {
  // --mirror quay.io/openshift-release-dev puts the release back where it came from.
  const same = mirrorMappings([{ source: `${RELEASE_SOURCE}:4.15.3-x86_64`, role: 'release' }], parseMirrorTarget('quay.io/openshift-release-dev'));
  assert.deepEqual(same[0]!.mirrors, [same[0]!.source]);
  assertRefused(() => imageDigestMirrorSet(same, { mirrorSourcePolicy: 'NeverContactSource' }), 'spec.imageDigestMirrors[0].mirrorSourcePolicy', 'openshift/machine-config-operator', /one of the mirrors/);
  assert.equal(imageDigestMirrorSet(same).object.spec.imageDigestMirrors.length, 1);
});
