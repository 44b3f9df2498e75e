import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { parseReceipt, parseTransferManifest } from '../../../shared/transfer/parse';

const D = (c: string): string => `sha256:${c.repeat(64)}`;

function validManifest(): Record<string, unknown> {
  return {
    formatVersion: 1,
    id: '0b6f5a9e-3a52-4c4b-9d8e-2f3b7c1d0e11',
    createdAt: '2025-01-02T03:04:05.000Z',
    tool: { name: 'ferry', version: '0.1.0' },
    requested: { release: 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64', images: [] },
    images: [{ source: 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64', role: 'release', digest: D('a'), mediaType: 'application/vnd.oci.image.manifest.v1+json', manifests: [D('a')] }],
    blobs: [
      { digest: D('a'), size: 10, kind: 'manifest', location: { volume: 'ferry-000001.tar', path: `blobs/sha256/${'a'.repeat(64)}`, offset: 512 } },
      { digest: D('b'), size: 5000, kind: 'layer', location: { parts: [
        { volume: 'ferry-000001.tar', path: 'ferry-parts/x.001', offset: 1536, size: 2048, sha256: 'c'.repeat(64) },
        { volume: 'ferry-000002.tar', path: 'ferry-parts/x.002', offset: 512, size: 2952, sha256: 'd'.repeat(64) },
      ] } },
      { digest: D('e'), size: 7, kind: 'config', location: { parent: true } },
    ],
    volumes: [{ name: 'ferry-000001.tar', size: 4608, sha256: 'f'.repeat(64) }],
    volumeSize: 65536,
    mirror: { sources: [{ repository: 'quay.io/openshift-release-dev/ocp-release', role: 'release' }] },
  };
}

function failure(fn: () => unknown): FerryError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FerryError, `expected a FerryError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

describe('transfer.json parsing', () => {
  it('accepts a manifest with whole, split and parent blob locations', () => {
    const m = parseTransferManifest(JSON.stringify(validManifest()));
    assert.equal(m.blobs.length, 3);
    assert.ok('parts' in m.blobs[1]!.location);
    assert.deepEqual(m.blobs[2]!.location, { parent: true });
  });

  it('reports line and column of malformed JSON as a failed check, exit 1 (DESIGN §3)', () => {
    const text = '{\n  "formatVersion": 1,\n  "id": "x",\n}\n';
    const e = failure(() => parseTransferManifest(text, '/media/transfer.json'));
    assert.equal(e.code, 'MEDIA_CORRUPT');
    assert.equal(e.exitCode, 1);
    assert.match(e.message, /\/media\/transfer\.json is not valid JSON at line 4, column 1/);
    assert.equal(e.details?.line, 4);
    assert.equal(e.details?.column, 1);
  });

  it('reports the zod path of a schema violation', () => {
    const m = validManifest();
    (m.blobs as Array<Record<string, unknown>>)[1]!.location = { parts: [{ volume: '../etc/passwd', path: 'p', offset: 0, size: 1, sha256: 'c'.repeat(64) }, { volume: 'ferry-000002.tar', path: 'q', offset: 0, size: 1, sha256: 'x' }] };
    (m.images as Array<Record<string, unknown>>)[0]!.role = 'operator';
    const e = failure(() => parseTransferManifest(JSON.stringify(m)));
    assert.equal(e.code, 'MEDIA_CORRUPT');
    assert.equal(e.exitCode, 1);
    assert.match(e.message, /images\[0\]\.role/);
    assert.match(e.message, /blobs\[1\]\.location/);
  });

  it('refuses a newer format by name, and the Ferry that wrote it', () => {
    const e = failure(() => parseTransferManifest(JSON.stringify({ ...validManifest(), formatVersion: 3 })));
    assert.equal(e.code, 'UNSUPPORTED');
    assert.notEqual(e.exitCode, 0);
    assert.match(e.message, /transfer format 3 \(written by Ferry [^)]+\); this Ferry reads formats 1 to 2/);
  });

  it('refuses other releases in a format-1 transfer: a format-1 reader would tag them all with the primary release tag', () => {
    const releases = [{ release: { version: '4.15.2', architecture: 'x86_64', digest: D('9'), pullspec: 'quay.io/openshift-release-dev/ocp-release:4.15.2-x86_64', source: `quay.io/openshift-release-dev/ocp-release@${D('9')}` }, components: {} }];
    const e = failure(() => parseTransferManifest(JSON.stringify({ ...validManifest(), releases })));
    assert.equal(e.code, 'MEDIA_CORRUPT');
    assert.match(e.message, /formatVersion: a transfer carrying other releases is format 2/);
    assert.equal(parseTransferManifest(JSON.stringify({ ...validManifest(), formatVersion: 2, releases })).releases?.length, 1);
  });

  it('parses a receipt and names bad fields', () => {
    const receipt = {
      formatVersion: 1,
      kind: 'receipt',
      createdAt: '2025-01-02T03:04:05Z',
      tool: { name: 'ferry', version: '0.1.0' },
      target: 'mirror.example.com:5000/ocp4',
      transferId: '0b6f5a9e-3a52-4c4b-9d8e-2f3b7c1d0e11',
      images: [{ source: 'quay.io/a/b:1', role: 'extra', mirror: `mirror.example.com:5000/ocp4/a/b@${D('a')}`, digest: D('a') }],
      blobs: [D('a'), D('b')],
    };
    assert.equal(parseReceipt(JSON.stringify(receipt)).blobs.length, 2);
    const e = failure(() => parseReceipt(JSON.stringify({ ...receipt, blobs: ['md5:1'] })));
    assert.match(e.message, /blobs\[0\]/);
  });
});
