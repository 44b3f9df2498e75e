import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installConfigSnippet } from '../../../shared/config/install-config';
import { installConfigViolations, namedRepositoryProblem } from '../../../shared/config/installer-rules';
import { FerryError } from '../../../shared/errors';
import { COMPONENT_SOURCE, RELEASE_SOURCE, mirrorMappings, parseMirrorTarget } from '../../../shared/mirror-mapping';

/**
 * The image-source cases of openshift/installer pkg/types/validation/installconfig_test.go
 * (TestValidateInstallConfig), translated: the same input, the same field path and message.
 */

const DIGEST = 'sha256:397c867cc10bcc90cf05ae9b71dd3de6000535e27cb6c704d9f503879202582c';
const NOT_SUBDOMAIN = /^the repository provided is invalid: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.', and must start and end with an alphanumeric character/;

type Entry = { source: string; mirrors?: string[]; sourcePolicy?: string };
const cases: Array<{ name: string; field: 'imageContentSources' | 'imageDigestSources'; entry: Entry; path?: string; error?: RegExp }> = [
  { name: 'valid release image source', field: 'imageContentSources', entry: { source: 'quay.io/ocp/release-x.y' } },
  { name: 'release image source mirror is a bare host:port', field: 'imageContentSources', entry: { source: 'q.io/ocp/release-x.y', mirrors: ['mirror.example.com:5000'] } },
  { name: 'release image source is not repository but reference by digest', field: 'imageContentSources', entry: { source: `quay.io/ocp/release-x.y@${DIGEST}` }, path: 'imageContentSources[0].source', error: /^must be repository--not reference$/ },
  { name: 'release image source is not repository but reference by tag', field: 'imageContentSources', entry: { source: 'quay.io/ocp/release-x.y:latest' }, path: 'imageContentSources[0].source', error: /^must be repository--not reference$/ },
  { name: 'release image source is not valid ImageDigestSource', field: 'imageDigestSources', entry: { source: 'ocp/release-x.y' }, path: 'imageDigestSources[0].source', error: NOT_SUBDOMAIN },
  { name: "release image source's mirror is not valid ImageDigestSource", field: 'imageDigestSources', entry: { source: 'q.io/ocp/release-x.y', mirrors: ['ocp/openshift-x.y'] }, path: 'imageDigestSources[0].mirrors[0]', error: NOT_SUBDOMAIN },
  { name: "release image source's mirror is valid ImageDigestSource", field: 'imageDigestSources', entry: { source: 'q.io/ocp/release-x.y', mirrors: ['mirror.example.com:5000'] } },
  { name: 'reference by digest ImageDigestSource', field: 'imageDigestSources', entry: { source: `quay.io/ocp/release-x.y@${DIGEST}` }, path: 'imageDigestSources[0].source', error: /^must be repository--not reference$/ },
  { name: 'reference by tag ImageDigestSource', field: 'imageDigestSources', entry: { source: 'quay.io/ocp/release-x.y:latest' }, path: 'imageDigestSources[0].source', error: /^must be repository--not reference$/ },
  { name: 'valid release image source ImageDigestSource', field: 'imageDigestSources', entry: { source: 'quay.io/ocp/release-x.y' } },
  { name: 'valid mirror and sourcePolicy', field: 'imageDigestSources', entry: { source: 'quay.io/ocp/release-x.y', mirrors: ['mirror.example.com:5000'], sourcePolicy: 'NeverContactSource' } },
  { name: 'no mirror and valid sourcePolicy', field: 'imageDigestSources', entry: { source: 'quay.io/ocp/release-x.y', sourcePolicy: 'NeverContactSource' }, path: 'imageDigestSources[0].sourcePolicy', error: /^sourcePolicy cannot be configured without a mirror$/ },
  { name: 'invalid sourcePolicy', field: 'imageDigestSources', entry: { source: 'quay.io/ocp/release-x.y', mirrors: ['mirror.example.com:5000'], sourcePolicy: 'InvalidPolicy' }, path: 'imageDigestSources[0].sourcePolicy', error: /^supported values are "NeverContactSource" and "AllowContactingSource"$/ },
];

for (const c of cases) {
  test(`installer: ${c.name}`, () => {
    const violations = installConfigViolations({ [c.field]: [c.entry] });
    if (!c.error) {
      assert.deepEqual(violations, []);
      return;
    }
    assert.equal(violations.length, 1, JSON.stringify(violations));
    assert.equal(violations[0]!.path, c.path);
    assert.match(violations[0]!.problem, c.error);
    assert.equal(violations[0]!.rule, 'openshift/installer install-config validation');
  });
}

test('installer: imageContentSources and imageDigestSources at the same time', () => {
  const violations = installConfigViolations({
    imageContentSources: [{ source: 'q.io/ocp/source', mirrors: ['ocp/openshift/mirror'] }],
    imageDigestSources: [{ source: 'q.io/ocp/source', mirrors: ['ocp-digest/openshift/mirror'] }],
  });
  assert.ok(violations.some((v) => v.problem === 'cannot set imageContentSources and imageDigestSources at the same time'));
});

test('installer: the repository forms ParseNamed accepts and refuses', () => {
  for (const ok of ['quay.io', 'localhost:5000', 'registry', 'localhost/ocp4', 'docker.io/library/busybox', 'Mirror.Example.com:5000/ocp4']) assert.equal(namedRepositoryProblem(ok), undefined, ok);
  assert.match(namedRepositoryProblem('quay.io/OCP/release')!, /^failed to parse: the repository path must be lowercase/);
  assert.match(namedRepositoryProblem('[::1]:5000/ocp4')!, /^failed to parse: IPv6/);
  assert.match(namedRepositoryProblem('*.example.com')!, /^failed to parse: wildcards/);
  assert.match(namedRepositoryProblem(`quay.io/${'a'.repeat(250)}`)!, /^failed to parse: a repository name must not be more than 255 characters/);
  // Not canonical: docker.io/busybox normalises to docker.io/library/busybox, and is not a host either.
  assert.match(namedRepositoryProblem('docker.io/busybox')!, NOT_SUBDOMAIN);
});

test('the generated snippet obeys the installer for realistic mirrors, both fields', () => {
  for (const mirror of ['mirror.example.com:5000/ocp4', 'registry.lab.example.com:8443', 'localhost:5000/ocp/4.15']) {
    const mappings = mirrorMappings(
      [
        { source: `${RELEASE_SOURCE}@sha256:${'1'.repeat(64)}`, role: 'release' },
        { source: `${COMPONENT_SOURCE}@sha256:${'2'.repeat(64)}`, role: 'component' },
        { source: 'registry.redhat.io/redhat/redhat-operator-index:v4.15', role: 'extra' },
      ],
      parseMirrorTarget(mirror),
    );
    for (const field of ['imageDigestSources', 'imageContentSources'] as const) {
      const out = installConfigSnippet(mappings, { field });
      assert.deepEqual(installConfigViolations(out.object), []);
    }
  }
  assert.throws(
    () => installConfigSnippet([{ source: 'quay.io/ocp/release:4.15', mirrors: ['mirror.example.com:5000/ocp4/release'] }]),
    (e: FerryError) => e.code === 'INVALID_INPUT' && e.message.includes('imageDigestSources[0].source: must be repository--not reference (openshift/installer install-config validation)'),
  );
});
