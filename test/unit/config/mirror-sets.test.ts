import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { imageContentSourcePolicy, imageDigestMirrorSet, imageTagMirrorSet } from '../../../shared/config/mirror-sets';
import { COMPONENT_SOURCE, RELEASE_SOURCE, mirrorMappings, parseMirrorTarget, type MirrorMapping } from '../../../shared/mirror-mapping';
import { SEED002_ICSP, SEED003_ICSP } from './seed-examples';

/** The mapping a seed's ICSP encodes, read back from the seed itself. */
function mappingsOf(seedYaml: string): MirrorMapping[] {
  const doc = parse(seedYaml) as { spec: { repositoryDigestMirrors: MirrorMapping[] } };
  return doc.spec.repositoryDigestMirrors.map((m) => ({ source: m.source, mirrors: m.mirrors }));
}

test('ICSP for seed 003 mapping reproduces seed 003 field by field, default name mirror-ocp', () => {
  const out = imageContentSourcePolicy(mappingsOf(SEED003_ICSP));
  const parsed = parse(out.text);
  const seed = parse(SEED003_ICSP);
  assert.equal(parsed.apiVersion, 'operator.openshift.io/v1alpha1');
  assert.equal(parsed.kind, 'ImageContentSourcePolicy');
  assert.equal(parsed.metadata.name, 'mirror-ocp');
  assert.deepEqual(parsed.spec.repositoryDigestMirrors, seed.spec.repositoryDigestMirrors);
  assert.deepEqual(parsed, seed);
  assert.deepEqual(parsed, out.object);
});

test('ICSP with several mirrors per source keeps their order (seed 002 ubi8repo)', () => {
  const out = imageContentSourcePolicy(mappingsOf(SEED002_ICSP), { name: 'ubi8repo' });
  assert.deepEqual(parse(out.text), parse(SEED002_ICSP));
  assert.deepEqual(parse(out.text).spec.repositoryDigestMirrors[0].mirrors, ['example.io/example/ubi-minimal', 'example.com/example/ubi-minimal']);
});

test('the text lists mirrors before source, sequences unindented, as the docs print it', () => {
  const out = imageContentSourcePolicy(mappingsOf(SEED003_ICSP));
  assert.equal(out.text, SEED003_ICSP);
});

test('IDMS from a release mapping: config.openshift.io/v1, imageDigestMirrors, no policy unless asked', () => {
  const mappings = mirrorMappings(
    [
      { source: `${RELEASE_SOURCE}:4.15.3-x86_64`, role: 'release' },
      { source: `${COMPONENT_SOURCE}@sha256:${'1'.repeat(64)}`, role: 'component' },
    ],
    parseMirrorTarget('mirror.example.com:5000/ocp4'),
  );
  const out = imageDigestMirrorSet(mappings);
  const parsed = parse(out.text);
  assert.equal(parsed.apiVersion, 'config.openshift.io/v1');
  assert.equal(parsed.kind, 'ImageDigestMirrorSet');
  assert.equal(parsed.metadata.name, 'mirror-ocp');
  assert.deepEqual(parsed.spec.imageDigestMirrors, [
    { mirrors: ['mirror.example.com:5000/ocp4/ocp-release'], source: 'quay.io/openshift-release-dev/ocp-release' },
    { mirrors: ['mirror.example.com:5000/ocp4/ocp-v4.0-art-dev'], source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev' },
  ]);
  assert.ok(!('repositoryDigestMirrors' in parsed.spec));

  const never = parse(imageDigestMirrorSet(mappings, { name: 'ocp', mirrorSourcePolicy: 'NeverContactSource' }).text);
  assert.equal(never.metadata.name, 'ocp');
  assert.deepEqual(
    never.spec.imageDigestMirrors.map((e: { mirrorSourcePolicy: string }) => e.mirrorSourcePolicy),
    ['NeverContactSource', 'NeverContactSource'],
  );
});

test('ITMS uses imageTagMirrors', () => {
  const out = imageTagMirrorSet([{ source: 'registry.example.com/team', mirrors: ['mirror.example.com/team'] }], { mirrorSourcePolicy: 'AllowContactingSource' });
  const parsed = parse(out.text);
  assert.equal(parsed.apiVersion, 'config.openshift.io/v1');
  assert.equal(parsed.kind, 'ImageTagMirrorSet');
  assert.deepEqual(parsed.spec, {
    imageTagMirrors: [{ mirrors: ['mirror.example.com/team'], source: 'registry.example.com/team', mirrorSourcePolicy: 'AllowContactingSource' }],
  });
  assert.deepEqual(parsed, out.object);
});

test('one mirrors array shared by two sources is written twice, never as a YAML anchor/alias', () => {
  const shared = ['registry.example.com:5000/ocp4/openshift4'];
  const out = imageDigestMirrorSet([
    { source: RELEASE_SOURCE, mirrors: shared },
    { source: COMPONENT_SOURCE, mirrors: shared },
  ]);
  assert.doesNotMatch(out.text, /[&*]\w/);
  const parsed = parse(out.text);
  assert.deepEqual(parsed.spec.imageDigestMirrors[1].mirrors, shared);
});
