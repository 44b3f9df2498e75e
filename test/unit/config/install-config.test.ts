import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { installConfigSnippet } from '../../../shared/config/install-config';
import type { MirrorMapping } from '../../../shared/mirror-mapping';
import { SEED001_IMAGE_CONTENT_SOURCES } from './seed-examples';

// A PEM-shaped bundle of two blocks; the generator treats it as text, so its exact bytes must survive.
const PEM = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBszCCAVmgAwIBAgIUXq0example0line0one0AAAAAAAAAAAAwCgYIKoZIzj0E',
  'AwIwLzEUMBIGA1UECgwLRmVycnkgdGVzdHMxFzAVBgNVBAMMDkZlcnJ5IFRlc3Qg',
  '-----END CERTIFICATE-----',
  '-----BEGIN CERTIFICATE-----',
  'Q0EwHhcNMjQwMTAxMDAwMDAwWhcNMjQwMTA4MDAwMDAwWjAvMRQwEgYDVQQKDAtG',
  '-----END CERTIFICATE-----',
  '',
].join('\n');

const seed = parse(SEED001_IMAGE_CONTENT_SOURCES) as { imageContentSources: MirrorMapping[] };

test('imageContentSources reproduces seed 001 field by field', () => {
  const out = installConfigSnippet(seed.imageContentSources, { field: 'imageContentSources' });
  const parsed = parse(out.text);
  assert.deepEqual(parsed.imageContentSources, seed.imageContentSources);
  assert.deepEqual(parsed.imageContentSources[0], { mirrors: ['registry.example.com:5000/ocp4/openshift4'], source: 'quay.io/openshift-release-dev/ocp-release' });
  assert.ok(!('imageDigestSources' in parsed), 'the installer refuses both fields at once');
  assert.ok(out.text.includes(SEED001_IMAGE_CONTENT_SOURCES), 'the block reads exactly like the seed');
});

test('imageDigestSources is the default field, same structure', () => {
  const parsed = parse(installConfigSnippet(seed.imageContentSources).text);
  assert.deepEqual(parsed.imageDigestSources, seed.imageContentSources);
  assert.ok(!('imageContentSources' in parsed));
});

test('additionalTrustBundle is a literal block, every PEM line indented two spaces, bytes preserved', () => {
  const out = installConfigSnippet(seed.imageContentSources, { caPem: PEM.replace(/\n/g, '\r\n') });
  const expectedBlock = `additionalTrustBundle: |\n${PEM.trimEnd().split('\n').map((l) => `  ${l}`).join('\n')}\n`;
  assert.ok(out.text.startsWith(expectedBlock), out.text);
  const parsed = parse(out.text);
  assert.equal(parsed.additionalTrustBundle, PEM);
  assert.deepEqual(parsed, { ...out.object });
});

test('no pull secret is embedded unless given; guidance comment instead', () => {
  const out = installConfigSnippet(seed.imageContentSources);
  assert.ok(!('pullSecret' in parse(out.text)));
  assert.match(out.text, /^# pullSecret: .*\n# {3}ferry pull-secret add/m);

  const secret = '{"auths":{"mirror.example.com:5000":{"auth":"dXNlcjpwYXNz"}}}';
  const given = installConfigSnippet(seed.imageContentSources, { pullSecret: `${secret}\n` });
  assert.equal(parse(given.text).pullSecret, secret);
  assert.doesNotMatch(given.text, /^# pullSecret/m);
});
