import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FerryError } from '../../shared/errors';
import { planVolumes } from '../../electron/engine/media/volume-plan';
import { TransferReader } from '../../electron/engine/media/reader';
import { verifyTransfer } from '../../electron/engine/media/verify';
import { TransferWriter } from '../../electron/engine/media/writer';
import type { TransferManifest } from '../../shared/transfer/manifest';
import { FINISH_META, chunked, fixtureContent, pseudoRandom, writeFixture } from '../unit/media/fixtures';

const run = promisify(execFile);
const VOLUME_SIZE = 256 * 1024;

async function sha256File(path: string): Promise<string> {
  return `sha256:${createHash('sha256').update(await readFile(path)).digest('hex')}`;
}

describe('media volumes on the real file system', () => {
  const content = fixtureContent();
  let root: string;
  let dir: string;
  let manifest: TransferManifest;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-media-'));
    dir = join(root, 'transfer');
    manifest = await writeFixture(dir, content, { volumeSize: VOLUME_SIZE });
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes several volumes, none above the volume size, each blob once, one of them split', async () => {
    assert.ok(manifest.volumes.length >= 3, `expected several volumes, got ${manifest.volumes.length}`);
    for (const v of manifest.volumes) {
      const s = await stat(join(dir, v.name));
      assert.equal(s.size, v.size);
      assert.ok(s.size <= VOLUME_SIZE, `${v.name} is ${s.size} bytes`);
      assert.equal(`sha256:${v.sha256}`, await sha256File(join(dir, v.name)));
    }
    assert.equal(manifest.blobs.length, content.blobs.length);
    assert.equal(new Set(manifest.blobs.map((b) => b.digest)).size, content.blobs.length);
    assert.equal(manifest.blobs.filter((b) => 'parts' in b.location).length, 1);
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('.')), [], 'no journal or temp file left');
  });

  it('lays volumes out exactly as the plan said', () => {
    const indexed = content.images.map((i) => ({ source: i.source, digest: i.digest, mediaType: i.mediaType, size: content.blobs.find((b) => b.digest === i.digest)!.size }));
    const plan = planVolumes(content.blobs, indexed, VOLUME_SIZE);
    assert.deepEqual(plan.volumes, manifest.volumes.map((v) => ({ name: v.name, size: v.size })));
    assert.deepEqual(plan.splitBlobs, manifest.blobs.filter((b) => 'parts' in b.location).map((b) => b.digest));
  });

  it('reads every blob back, verified, through positioned reads and joined parts', async () => {
    const reader = await TransferReader.open(dir);
    for (const b of content.blobs) {
      const chunks: Buffer[] = [];
      for await (const c of reader.openBlob(b.digest)) chunks.push(c as Buffer);
      assert.ok(Buffer.concat(chunks).equals(b.data), `blob ${b.digest} differs`);
    }
    const index = content.images.find((i) => i.role === 'extra')!;
    assert.deepEqual(JSON.parse((await reader.manifestBytes(index.digest)).toString()).manifests.length, 2);
    const shared = content.blobs[0]!;
    assert.deepEqual((await reader.imagesUsing(shared.digest)).sort(), content.images.map((i) => i.source).sort());
  });

  it('gives GNU tar plain archives it can list', async () => {
    const names: string[] = [];
    for (const v of manifest.volumes) {
      const { stdout } = await run('tar', ['-tf', join(dir, v.name)]);
      names.push(...stdout.trim().split('\n'));
    }
    for (const b of manifest.blobs) {
      const loc = b.location;
      if ('parts' in loc) for (const p of loc.parts) assert.ok(names.includes(p.path));
      else if ('path' in loc) assert.ok(names.includes(loc.path));
    }
    assert.ok(names.includes('oci-layout') && names.includes('JOIN-PARTS.sh'));
    assert.equal(names.at(-1), 'index.json', 'index.json is written last');
    assert.equal(names.length, new Set(names).size, 'no entry twice');
  });

  it('extracts with tar into an OCI layout that skopeo copies, digests unchanged', async () => {
    const layout = join(root, 'layout');
    await run('mkdir', ['-p', layout]);
    for (const v of manifest.volumes) await run('tar', ['-xf', join(dir, v.name), '-C', layout]);
    const joined = await run('sh', [join(layout, 'JOIN-PARTS.sh')]);
    assert.match(joined.stdout, /OK/);
    for (const b of content.blobs) assert.equal(await sha256File(join(layout, 'blobs', 'sha256', b.digest.slice(7))), b.digest);
    for (const img of content.images) {
      const out = join(root, `out-${img.role}`);
      await run('skopeo', ['copy', ...(img.role === 'extra' ? ['--all'] : []), `oci:${layout}:${img.source}`, `dir:${out}`]);
      assert.equal(await sha256File(join(out, 'manifest.json')), img.digest, `skopeo copy of ${img.source}`);
    }
  });

  it('verifies clean', async () => {
    const report = await verifyTransfer(dir);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    assert.equal(report.counts.blobsVerified, content.blobs.length);
    assert.equal(report.counts.images, 3);
  });

  it('writes the same volume bytes for the same content', async () => {
    const again = await writeFixture(join(root, 'again'), content, { volumeSize: VOLUME_SIZE });
    assert.deepEqual(again.volumes, manifest.volumes);
    assert.notEqual(again.id, manifest.id);
  });

  it('rolls back a blob whose bytes do not match its digest, and carries on', async () => {
    const target = join(root, 'mismatch');
    const writer = await TransferWriter.open(target, { volumeSize: VOLUME_SIZE });
    const good = content.blobs[1]!;
    const wrongBytes = pseudoRandom('not-the-layer', content.blobs[0]!.size);
    const attempts = await Promise.allSettled([writer.addBlob(content.blobs[0]!, chunked(wrongBytes)), writer.addBlob(good, chunked(good.data))]);
    assert.equal(attempts[0].status, 'rejected');
    const err = (attempts[0] as PromiseRejectedResult).reason;
    assert.ok(err instanceof FerryError && err.code === 'DIGEST_MISMATCH');
    assert.match(err.message, new RegExp(content.blobs[0]!.digest));
    assert.equal(attempts[1].status, 'fulfilled');
    assert.equal(writer.has(content.blobs[0]!.digest), false);
    assert.equal(writer.has(good.digest), true);
    const short = content.blobs[2]!;
    await assert.rejects(writer.addBlob(short, chunked(short.data.subarray(0, 100))), (e: unknown) => e instanceof FerryError && e.code === 'SIZE_MISMATCH');
    const unwritten = content.images[0]!;
    writer.addImage(unwritten);
    await assert.rejects(writer.finish(FINISH_META), (e: unknown) => e instanceof FerryError && e.message.includes(unwritten.digest) && /never written/.test(e.message));
    await writer.close();
    const s = await stat(join(target, 'ferry-000001.tar'));
    assert.equal(s.size, 512 + Math.ceil(good.size / 512) * 512, 'the volume holds exactly the one complete entry');
    await assert.rejects(TransferWriter.open(target, { volumeSize: VOLUME_SIZE }), (e: unknown) => e instanceof FerryError && /unfinished transfer/.test(e.message));
  });
});
