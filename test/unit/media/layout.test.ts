import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { TAR_BLOCK, TAR_END, VolumeAllocator, tarEntrySize } from '../../../electron/engine/media/layout';
import { planVolumes } from '../../../electron/engine/media/volume-plan';

const V = 64 * 1024; // smallest volume: 65536 bytes, 64512 usable for entries

describe('volume layout', () => {
  it('counts a ustar header and whole 512-byte blocks per entry', () => {
    assert.equal(tarEntrySize(0), 512);
    assert.equal(tarEntrySize(1), 1024);
    assert.equal(tarEntrySize(512), 1024);
    assert.equal(tarEntrySize(513), 1536);
  });

  it('fills a volume exactly to its size including the end-of-archive blocks', () => {
    const a = new VolumeAllocator(V);
    const data = V - TAR_END - TAR_BLOCK; // one entry that fills the volume to the byte
    assert.deepEqual(a.place(data, 'b1'), [{ volume: 1, headerOffset: 0, dataOffset: 512, size: data }]);
    assert.deepEqual(a.state, { volume: 1, used: V - TAR_END });
    assert.equal(a.place(1, 'b2')[0]!.volume, 2);
  });

  it('starts a new volume for a blob that fits in a volume but not in what is left', () => {
    const a = new VolumeAllocator(V);
    a.place(40_000, 'b1');
    const [p] = a.place(30_000, 'b2');
    assert.deepEqual(p, { volume: 2, headerOffset: 0, dataOffset: 512, size: 30_000 });
  });

  it('splits a blob larger than a volume across the rest of this volume and new ones', () => {
    const a = new VolumeAllocator(V);
    a.place(10_000, 'b1'); // uses 10752
    const parts = a.place(150_000, 'big');
    assert.equal(parts.reduce((n, p) => n + p.size, 0), 150_000);
    assert.deepEqual(parts.map((p) => p.volume), [1, 2, 3]);
    assert.equal(parts[0]!.headerOffset, 10_752);
    for (const p of parts.slice(0, -1)) assert.equal(p.size % TAR_BLOCK, 0, 'every part but the last is whole blocks');
    for (const p of parts) assert.ok(p.headerOffset + tarEntrySize(p.size) + TAR_END <= V);
    assert.equal(a.state.volume, 3, 'the volume holding the last part stays open');
  });

  it('keeps the OCI layout tail together: files that fit one by one but not all in what is left start a new volume', () => {
    const a = new VolumeAllocator(V);
    a.place(V - TAR_END - TAR_BLOCK - 3072, 'b1'); // leaves 3072 bytes: room for the first two entries (2560), not all three (4608)
    const tail = a.placeTogether([31, 754, 1100], 'tail');
    assert.deepEqual(tail.map((p) => p.volume), [2, 2, 2]);
    assert.deepEqual(tail.map((p) => p.headerOffset), [0, 1024, 2560]);
    assert.throws(() => new VolumeAllocator(V).placeTogether([V, 10], 'tail'), (e: unknown) => e instanceof FerryError && e.code === 'USAGE');
  });

  it('refuses a volume size below the minimum and more than 999 parts', () => {
    assert.throws(() => new VolumeAllocator(1000), (e: unknown) => e instanceof FerryError && e.code === 'USAGE');
    assert.throws(() => new VolumeAllocator(V).place(V * 1200, 'huge'), (e: unknown) => e instanceof FerryError && /999/.test(e.message));
  });

  it('plans each blob once and never a volume above the limit', () => {
    const blobs = [
      { digest: `sha256:${'1'.repeat(64)}`, size: 50_000 },
      { digest: `sha256:${'2'.repeat(64)}`, size: 200_000 },
      { digest: `sha256:${'1'.repeat(64)}`, size: 50_000 },
      { digest: `sha256:${'3'.repeat(64)}`, size: 100 },
    ];
    const plan = planVolumes(blobs, [{ source: 'quay.io/a/b:1', digest: `sha256:${'3'.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 100 }], V);
    assert.equal(plan.blobCount, 3);
    assert.equal(plan.blobBytes, 250_100);
    assert.deepEqual(plan.splitBlobs, [`sha256:${'2'.repeat(64)}`]);
    assert.ok(plan.volumes.every((v) => v.size <= V));
    assert.equal(plan.volumeBytes, plan.volumes.reduce((n, v) => n + v.size, 0));
    assert.ok(plan.diskBytes > plan.volumeBytes);
  });

  it('says whose bytes land in which volume: a split blob counts in each volume it spans, a repeated one once, headers and index in none', () => {
    const blobs = [
      { digest: `sha256:${'1'.repeat(64)}`, size: 50_000, owner: 0 },
      { digest: `sha256:${'2'.repeat(64)}`, size: 200_000, owner: 1 },
      { digest: `sha256:${'1'.repeat(64)}`, size: 50_000, owner: 1 },
      { digest: `sha256:${'3'.repeat(64)}`, size: 100, owner: 1 },
    ];
    const plan = planVolumes(blobs, [{ source: 'quay.io/a/b:1', digest: `sha256:${'3'.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 100 }], V);
    assert.equal(plan.ownerBytes.length, plan.volumes.length);
    const total = (owner: number) => plan.ownerBytes.reduce((n, m) => n + (m.get(owner) ?? 0), 0);
    assert.equal(total(0), 50_000);
    assert.equal(total(1), 200_100);
    assert.ok(plan.ownerBytes.filter((m) => m.has(1)).length >= 2, 'the split blob shows in every volume holding a part');
    plan.volumes.forEach((v, i) => {
      const payload = [...plan.ownerBytes[i]!.values()].reduce((n, b) => n + b, 0);
      assert.ok(payload < v.size, `${v.name}: its owners' bytes fit in the file with room for tar headers`);
    });
  });
});
