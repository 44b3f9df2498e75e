import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { extractFileFromLayers, readFilesFromLayers, type LayerSource } from '../../../electron/engine/image-files/layers';

type Entry = { name: string; body?: string; type?: 'file' | 'directory' | 'symlink'; linkname?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === 'directory') pack.entry({ name: e.name, type: 'directory' });
    else if (e.type === 'symlink') pack.entry({ name: e.name, type: 'symlink', linkname: e.linkname ?? '' });
    else pack.entry({ name: e.name, mode: 0o644 }, e.body ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function layer(bytes: Buffer): LayerSource & { opened: number } {
  const src = {
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    opened: 0,
    async open() {
      src.opened++;
      return Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]);
    },
  };
  return src;
}

describe('reading files out of layers', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-layers-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the topmost copy of a file, from gzip and plain tar layers alike', async () => {
    const base = layer(gzipSync(await tarOf([{ name: 'usr/bin/openshift-install', body: 'v1' }, { name: 'etc/a', body: 'a' }])));
    const top = layer(await tarOf([{ name: './usr/bin/openshift-install', body: 'v2' }]));
    const files = await readFilesFromLayers([base, top], ['usr/bin/openshift-install', 'etc/a', 'etc/missing']);
    assert.equal(files.get('usr/bin/openshift-install')?.toString(), 'v2');
    assert.equal(files.get('etc/a')?.toString(), 'a');
    assert.equal(files.has('etc/missing'), false);
  });

  it('honours a whiteout of the file and an opaque directory above it', async () => {
    const base = layer(gzipSync(await tarOf([{ name: 'usr/bin/tool', body: 'old' }, { name: 'opt/x/y', body: 'y' }])));
    const wh = layer(gzipSync(await tarOf([{ name: 'usr/bin/.wh.tool' }, { name: 'opt/x/.wh..wh..opq' }])));
    const files = await readFilesFromLayers([base, wh], ['usr/bin/tool', 'opt/x/y']);
    assert.equal(files.size, 0);
    assert.equal(base.opened, 0, 'a lower layer is not read once every path is decided');
  });

  it('treats a whited-out parent directory as deleting the file', async () => {
    const base = layer(await tarOf([{ name: 'release-manifests/image-references', body: '{}' }]));
    const wh = layer(await tarOf([{ name: '.wh.release-manifests' }]));
    const files = await readFilesFromLayers([base, wh], ['release-manifests/image-references']);
    assert.equal(files.size, 0);
  });

  it('extracts a binary with mode 0755 and leaves no temp file when absent', async () => {
    const dest = join(dir, 'openshift-install');
    const body = 'x'.repeat(100_000);
    const res = await extractFileFromLayers([layer(gzipSync(await tarOf([{ name: 'usr/bin/openshift-install', body }])))], 'usr/bin/openshift-install', dest);
    assert.equal(res.bytes, body.length);
    assert.equal((await readFile(dest)).toString(), body);
    assert.equal((await stat(dest)).mode & 0o777, 0o755);
    const missing = join(dir, 'nothing');
    await assert.rejects(extractFileFromLayers([layer(await tarOf([{ name: 'a', body: 'a' }]))], 'usr/bin/nothing', missing), { code: 'NOT_FOUND' });
    assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), [], 'no temp file left behind');
    await assert.rejects(stat(missing), { code: 'ENOENT' });
  });

  it('refuses to follow a symlink and fails when the layer stream fails', async () => {
    const link = layer(await tarOf([{ name: 'usr/bin/oc', type: 'symlink', linkname: '/etc/passwd' }]));
    await assert.rejects(readFilesFromLayers([link], ['usr/bin/oc']), { code: 'UNSUPPORTED' });
    const bytes = gzipSync(await tarOf([{ name: 'usr/bin/tool', body: 'z'.repeat(50_000) }]));
    const broken: LayerSource = {
      digest: 'sha256:broken',
      async open() {
        return Readable.from(
          (async function* () {
            yield bytes.subarray(0, 100);
            throw new Error('digest mismatch on layer');
          })(),
        );
      },
    };
    const dest = join(dir, 'tool');
    await assert.rejects(extractFileFromLayers([broken], 'usr/bin/tool', dest), /digest mismatch/);
    await assert.rejects(stat(dest), { code: 'ENOENT' });
    assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), [], 'no temp file left behind');
  });
});
