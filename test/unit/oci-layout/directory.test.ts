import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { OciLayout, parseOciSpec, REF_NAME } from '../../../electron/engine/oci-layout/directory';
import { tempDir } from '../../support/tmp';

const tmp = tempDir('oci-unit');
after(() => tmp.cleanup());

const blob = (s: string) => {
  const bytes = Buffer.from(s);
  return { bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, source: 'test' };
};

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('OciLayout', () => {
  it('writes blobs and index.json that read back verified, one entry per ref name', async () => {
    const dir = join(tmp.path, 'a');
    const layout = await OciLayout.open(dir, { create: true });
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
    const b = blob('layer bytes');
    await layout.writeBlob(b, Readable.from([b.bytes]));
    assert.ok(await layout.hasBlob(b));
    assert.deepEqual(await readAll(await layout.openBlob(b)), b.bytes);

    const m1 = blob('{"manifest":1}');
    const m2 = blob('{"manifest":2}');
    await layout.writeBytes(m1, m1.bytes);
    await layout.writeBytes(m2, m2.bytes);
    await layout.addToIndex({ digest: m1.digest, size: m1.size, mediaType: 'application/vnd.oci.image.manifest.v1+json' }, 'v1');
    await layout.addToIndex({ digest: m2.digest, size: m2.size, mediaType: 'application/vnd.oci.image.manifest.v1+json' }, 'v2');
    await layout.addToIndex({ digest: m2.digest, size: m2.size, mediaType: 'application/vnd.oci.image.manifest.v1+json' }, 'v1');
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    assert.equal(index.schemaVersion, 2);
    assert.deepEqual(
      index.manifests.map((m: { digest: string; annotations: Record<string, string> }) => [m.annotations[REF_NAME], m.digest]),
      [
        ['v2', m2.digest],
        ['v1', m2.digest],
      ],
    );
    assert.equal((await (await OciLayout.open(dir)).resolve('v1')).digest, m2.digest);
    await assert.rejects(layout.resolve(undefined), (e: unknown) => e instanceof FerryError && /holds 2 images/.test(e.message));
    await assert.rejects(layout.resolve('nope'), (e: unknown) => e instanceof FerryError && e.code === 'NOT_FOUND');
    // No temp files remain after the atomic writes.
    assert.deepEqual((await readdir(dir)).sort(), ['blobs', 'index.json', 'oci-layout']);
  });

  it('keeps no file for a blob that fails verification', async () => {
    const layout = await OciLayout.open(join(tmp.path, 'b'), { create: true });
    const b = blob('the real bytes');
    await assert.rejects(layout.writeBlob(b, Readable.from([Buffer.from('the fake bytes')])), (e: unknown) => e instanceof FerryError && e.code === 'DIGEST_MISMATCH');
    assert.equal(await layout.hasBlob(b), false);
    assert.deepEqual(await readdir(join(tmp.path, 'b', 'blobs', 'sha256')), []);
  });

  it('refuses a blob that is a symbolic link, and corrupted content', async () => {
    const dir = join(tmp.path, 'c');
    const layout = await OciLayout.open(dir, { create: true });
    const b = blob('linked');
    await writeFile(join(tmp.path, 'outside'), b.bytes);
    await symlink(join(tmp.path, 'outside'), layout.blobPath(b.digest));
    assert.equal(await layout.hasBlob(b), false);
    await assert.rejects(layout.openBlob(b), (e: unknown) => e instanceof FerryError && /links are refused/.test(e.message));

    const c = blob('stored');
    await writeFile(layout.blobPath(c.digest), 'STORED');
    await assert.rejects(readAll(await layout.openBlob(c)), (e: unknown) => e instanceof FerryError && e.code === 'DIGEST_MISMATCH');
  });

  it('refuses a directory that is not a layout', async () => {
    await assert.rejects(OciLayout.open(tmp.path), (e: unknown) => e instanceof FerryError && /no oci-layout file/.test(e.message));
  });
});

describe('parseOciSpec', () => {
  it('splits oci:DIR[:REF] at the first colon like containers/image', () => {
    assert.deepEqual(parseOciSpec('oci:/tmp/x'), { dir: '/tmp/x' });
    assert.deepEqual(parseOciSpec('oci:/tmp/x:v1'), { dir: '/tmp/x', ref: 'v1' });
    assert.deepEqual(parseOciSpec('oci:rel/dir:quay.io/a/b:4.15'), { dir: 'rel/dir', ref: 'quay.io/a/b:4.15' });
  });

  it('rejects an empty directory or a malformed ref', () => {
    assert.throws(() => parseOciSpec('oci::v1'), /names no directory/);
    assert.throws(() => parseOciSpec('oci:/x:-bad'), /not a valid OCI reference name/);
  });
});
