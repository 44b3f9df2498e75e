import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { parseTransferManifest } from '../../../shared/transfer/parse';

/** transfer.json's optional `failed` list (keep going): what older readers ignore and newer ones must refuse when malformed. */
const D = (c: string): string => `sha256:${c.repeat(64)}`;

function manifest(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    formatVersion: 1,
    id: '0b6f5a9e-3a52-4c4b-9d8e-2f3b7c1d0e11',
    createdAt: '2025-01-02T03:04:05.000Z',
    tool: { name: 'ferry', version: '0.1.0' },
    requested: { images: ['registry.example:5000/apps/a:1', 'registry.example:5000/apps/b:1'] },
    images: [{ source: 'registry.example:5000/apps/a:1', role: 'extra', digest: D('a'), mediaType: 'application/vnd.oci.image.manifest.v1+json', manifests: [D('a')] }],
    blobs: [{ digest: D('a'), size: 10, kind: 'manifest', location: { volume: 'ferry-000001.tar', path: `blobs/sha256/${'a'.repeat(64)}`, offset: 512 } }],
    volumes: [{ name: 'ferry-000001.tar', size: 4608, sha256: 'f'.repeat(64) }],
    volumeSize: 65536,
    mirror: { sources: [{ repository: 'registry.example:5000/apps/a', role: 'extra' }] },
    ...extra,
  });
}

describe('transfer.json failed images', () => {
  it('is optional: a transfer written before it existed still parses, with nothing failed', () => {
    assert.equal(parseTransferManifest(manifest()).failed, undefined);
  });

  it('keeps each failure with the reference asked for, its role, code and message', () => {
    const failed = [{ ref: 'registry.example:5000/apps/b:1', role: 'extra', code: 'NOT_FOUND', message: 'manifest unknown' }];
    assert.deepEqual(parseTransferManifest(manifest({ failed })).failed, failed);
  });

  it('refuses a failure without a reference or code, naming the field', () => {
    for (const [bad, field] of [
      [{ role: 'extra', code: 'NOT_FOUND', message: 'm' }, 'failed[0].ref'],
      [{ ref: 'r:1', role: 'extra', code: '', message: 'm' }, 'failed[0].code'],
      [{ ref: 'r:1', role: 'catalogue', code: 'NOT_FOUND', message: 'm' }, 'failed[0].role'],
    ] as const) {
      assert.throws(
        () => parseTransferManifest(manifest({ failed: [bad] })),
        (e: unknown) => e instanceof FerryError && e.code === 'MEDIA_CORRUPT' && e.message.includes(field),
      );
    }
  });
});
