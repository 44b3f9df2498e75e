import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatReference, manifestSelector, parseReference, withDigest } from '../../shared/reference';
import { mirrorMappings, mirrorRepositoryFor, parseMirrorTarget } from '../../shared/mirror-mapping';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  const cases: Array<[string, { registry: string; repository: string; tag?: string; digest?: string }]> = [
    ['quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64', { registry: 'quay.io', repository: 'openshift-release-dev/ocp-release', tag: '4.15.3-x86_64' }],
    [`quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D}`, { registry: 'quay.io', repository: 'openshift-release-dev/ocp-v4.0-art-dev', digest: D }],
    ['127.0.0.1:5000/ns/img:v1', { registry: '127.0.0.1:5000', repository: 'ns/img', tag: 'v1' }],
    ['localhost/img', { registry: 'localhost', repository: 'img' }],
    ['busybox', { registry: 'docker.io', repository: 'library/busybox' }],
    ['user/app:1', { registry: 'docker.io', repository: 'user/app', tag: '1' }],
    [`mirror.example.com:5000/a/b/c:t@${D}`, { registry: 'mirror.example.com:5000', repository: 'a/b/c', tag: 't', digest: D }],
  ];
  for (const [input, expected] of cases) {
    it(`parses ${input}`, () => {
      assert.deepEqual(parseReference(input), expected);
    });
  }

  for (const bad of ['', 'Quay.io/UPPER/case', 'quay.io/a//b', `quay.io/a@sha256:${'z'.repeat(64)}`, 'quay.io/a:bad tag', 'quay.io/a:-x']) {
    it(`rejects ${JSON.stringify(bad)} with INVALID_REFERENCE`, () => {
      assert.throws(() => parseReference(bad), { code: 'INVALID_REFERENCE' });
    });
  }

  it('round-trips and selects digest over tag', () => {
    const ref = parseReference(`quay.io/a/b:t@${D}`);
    assert.equal(formatReference(ref), `quay.io/a/b:t@${D}`);
    assert.equal(manifestSelector(ref), D);
    assert.equal(manifestSelector(parseReference('quay.io/a/b')), 'latest');
    assert.equal(formatReference(withDigest(parseReference('quay.io/a/b:t'), D)), `quay.io/a/b@${D}`);
  });
});

describe('mirror mapping', () => {
  it('puts release and components into the two well-known repositories under the namespace', () => {
    const target = parseMirrorTarget('mirror.example.com:5000/ocp4/');
    assert.deepEqual(target, { registry: 'mirror.example.com:5000', namespace: 'ocp4' });
    const src = parseReference('quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64');
    assert.equal(mirrorRepositoryFor(src, 'release', target).repository, 'ocp4/ocp-release');
    assert.equal(mirrorRepositoryFor(src, 'component', target).repository, 'ocp4/ocp-v4.0-art-dev');
    assert.equal(mirrorRepositoryFor(parseReference('registry.redhat.io/ubi9/ubi:latest'), 'extra', target).repository, 'ocp4/ubi9/ubi');
  });

  it('deduplicates sources and keeps first-seen order', () => {
    const m = mirrorMappings(
      [
        { source: 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64', role: 'release' },
        { source: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D}`, role: 'component' },
        { source: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'b'.repeat(64)}`, role: 'component' },
      ],
      parseMirrorTarget('m.local:5000/ns'),
    );
    assert.deepEqual(m, [
      { source: 'quay.io/openshift-release-dev/ocp-release', mirrors: ['m.local:5000/ns/ocp-release'] },
      { source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', mirrors: ['m.local:5000/ns/ocp-v4.0-art-dev'] },
    ]);
  });

  it('refuses a mirror location without a registry host', () => {
    assert.throws(() => parseMirrorTarget('just-a-name'), { code: 'INVALID_INPUT' });
  });
});
