import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { FerryError } from '../../shared/errors';
import { TransferReader } from '../../electron/engine/media/reader';
import type { TransferManifest } from '../../shared/transfer/manifest';
import type { VerifyReport } from '../../shared/transfer/verify-report';
import { fixtureContent, writeFixture } from '../unit/media/fixtures';
import { flipByte } from '../support/bytes';

/** Damaged copies of one good transfer, each checked through the real CLI (`ferry verify --dir … --json`). */
const root = new URL('../..', import.meta.url).pathname;

function ferry(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(root, 'electron/cli/main.ts'), ...args], { cwd: root }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function verifyJson(dir: string): Promise<{ code: number; report: VerifyReport }> {
  const r = await ferry(['verify', '--dir', dir, '--json']);
  return { code: r.code, report: JSON.parse(r.stdout) as VerifyReport };
}

/** Appends an entry to a volume: cut its end-of-archive blocks, add entries with tar-stream, end again. */
async function appendEntries(volume: string, entries: Array<{ header: Partial<tar.Header> & { name: string }; data?: string }>): Promise<void> {
  const original = await readFile(volume);
  const pack = tar.pack();
  for (const e of entries) pack.entry(e.header as tar.Header, e.data ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  await writeFile(volume, Buffer.concat([original.subarray(0, original.length - 1024), ...chunks]));
}

describe('verify catches damaged media', () => {
  const content = fixtureContent({ shared: 20_000, big: 300_000, medium: 90_000, small: 40_000 }, 'corrupt');
  let base: string;
  let good: string;
  let manifest: TransferManifest;
  let n = 0;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'ferry-corrupt-'));
    good = join(base, 'good');
    manifest = await writeFixture(good, content, { volumeSize: 128 * 1024 });
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  async function copy(): Promise<string> {
    const dir = join(base, `case-${++n}`);
    await cp(good, dir, { recursive: true });
    return dir;
  }

  it('passes the untouched transfer with exit 0', async () => {
    const { code, report } = await verifyJson(good);
    assert.equal(code, 0);
    assert.equal(report.ok, true);
  });

  it('names volume, blob and images when one byte of a layer flips', async () => {
    const dir = await copy();
    const shared = content.blobs[0]!; // used by every image
    const blob = manifest.blobs.find((b) => b.digest === shared.digest)!;
    assert.ok('volume' in blob.location);
    const loc = blob.location as { volume: string; offset: number };
    await flipByte(join(dir, loc.volume), loc.offset + 100);
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    const hit = report.problems.find((p) => p.code === 'BLOB_DIGEST');
    assert.ok(hit, JSON.stringify(report.problems));
    assert.equal(hit.volume, loc.volume);
    assert.equal(hit.blob, shared.digest);
    assert.deepEqual([...hit.images!].sort(), content.images.map((i) => i.source).sort());
    const volumeHit = report.problems.find((p) => p.code === 'VOLUME_HASH' && p.volume === loc.volume);
    assert.ok(volumeHit);
    // A whole damaged volume names every image with a blob in it (the shared blob is in it: every image).
    assert.deepEqual([...volumeHit.images!].sort(), content.images.map((i) => i.source).sort());
    const reader = await TransferReader.open(dir);
    await assert.rejects(
      (async () => {
        for await (const _ of reader.openBlob(shared.digest)) {
          // consume: the stream must error instead of ending
        }
      })(),
      (e: unknown) => {
        assert.ok(e instanceof FerryError && e.code === 'DIGEST_MISMATCH', String(e));
        assert.equal(e.details?.volume, loc.volume);
        assert.ok(e.message.includes(shared.digest) && content.images.every((i) => e.message.includes(i.source)), e.message);
        return true;
      },
    );
    const human = await ferry(['verify', '--dir', dir]);
    assert.equal(human.code, 1);
    assert.match(human.stdout, new RegExp(`${loc.volume}.*${shared.digest.slice(0, 20)}|${shared.digest.slice(0, 20)}.*${loc.volume}`));
  });

  it('names the missing volume and the blobs and images it held', async () => {
    const dir = await copy();
    const victim = manifest.volumes[1]!.name;
    await unlink(join(dir, victim));
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    const gone = report.problems.find((p) => p.code === 'VOLUME_MISSING' && p.volume === victim);
    assert.ok(gone && gone.images && gone.images.length > 0, JSON.stringify(gone));
    const lost = report.problems.filter((p) => p.code === 'ENTRY_MISSING' && p.volume === victim);
    assert.ok(lost.length > 0 && lost.every((p) => p.blob && p.images && p.images.length > 0));
  });

  it('catches a truncated volume', async () => {
    const dir = await copy();
    const victim = manifest.volumes[0]!;
    await truncate(join(dir, victim.name), victim.size - 5000);
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    assert.ok(report.problems.some((p) => p.code === 'VOLUME_SIZE' && p.volume === victim.name && /truncated/.test(p.message)));
    assert.ok(report.problems.some((p) => (p.code === 'TAR_MALFORMED' || p.code === 'ENTRY_MISSING' || p.code === 'BLOB_DIGEST') && p.volume === victim.name));
  });

  /** The error reading a blob whole through TransferReader (the push's source) ends with, or undefined if it ended cleanly. */
  async function readError(dir: string, digest: string): Promise<unknown> {
    const reader = await TransferReader.open(dir);
    try {
      for await (const _ of reader.openBlob(digest)) {
        // consume: the stream must error instead of ending
      }
      return undefined;
    } catch (e) {
      return e;
    }
  }

  it('the reader fails a blob cut short by a truncated volume with SIZE_MISMATCH naming blob, volume and images', async () => {
    const dir = await copy();
    const victim = manifest.volumes[0]!;
    const blob = manifest.blobs.find((b) => 'volume' in b.location && b.location.volume === victim.name && b.size > 2);
    assert.ok(blob && 'volume' in blob.location, 'the fixture has a whole blob in the first volume');
    await truncate(join(dir, victim.name), blob.location.offset + Math.floor(blob.size / 2));
    const e = await readError(dir, blob.digest);
    assert.ok(e instanceof FerryError && e.code === 'SIZE_MISMATCH', String(e));
    assert.equal(e.details?.volume, victim.name);
    assert.match(e.message, new RegExp(`Blob ${blob.digest} \\(used by .+\\) in volume ${victim.name} failed verification: only \\d+ of ${blob.size} bytes arrived`));
  });

  it('the reader fails a split blob at its damaged part, naming part, blob and volume', async () => {
    const dir = await copy();
    const blob = manifest.blobs.find((b) => 'parts' in b.location)!;
    assert.ok(blob && 'parts' in blob.location, 'the fixture splits a blob');
    const part = blob.location.parts[1]!;
    await flipByte(join(dir, part.volume), part.offset + 10);
    const e = await readError(dir, blob.digest);
    assert.ok(e instanceof FerryError && e.code === 'DIGEST_MISMATCH', String(e));
    assert.equal(e.details?.volume, part.volume);
    assert.match(e.message, new RegExp(`^Part 2 of blob ${blob.digest} .*in volume ${part.volume} failed verification`));
  });

  for (const [label, header, pattern] of [
    ['a "../evil" entry', { name: '../evil', size: 4, type: 'file' }, /climbs out/],
    ['an absolute path', { name: '/etc/cron.d/evil', size: 4, type: 'file' }, /absolute path/],
    ['a symlink', { name: 'blobs/sha256/link', type: 'symlink', linkname: '/etc/shadow' }, /symbolic link/],
    ['a hard link', { name: 'hard', type: 'link', linkname: 'index.json' }, /hard link/],
  ] as const) {
    it(`refuses a volume crafted with ${label}`, async () => {
      const dir = await copy();
      const volume = manifest.volumes.at(-1)!.name;
      await appendEntries(join(dir, volume), [{ header: { ...header }, data: header.type === 'file' ? 'evil' : '' }]);
      const { code, report } = await verifyJson(dir);
      assert.equal(code, 1);
      const p = report.problems.find((x) => x.code === 'ENTRY_UNSAFE');
      assert.ok(p, JSON.stringify(report.problems));
      assert.equal(p.volume, volume);
      assert.match(p.message, pattern);
      assert.ok(p.message.includes(header.name));
    });
  }

  it('reports an entry transfer.json does not list', async () => {
    const dir = await copy();
    const volume = manifest.volumes[0]!.name;
    await appendEntries(join(dir, volume), [{ header: { name: 'blobs/sha256/smuggled', size: 3, type: 'file' }, data: 'abc' }]);
    const { report } = await verifyJson(dir);
    assert.ok(report.problems.some((p) => p.code === 'ENTRY_UNLISTED' && p.volume === volume && p.message.includes('smuggled')));
  });

  it('exits 1 (a failed check) with line and column for a malformed transfer.json', async () => {
    const dir = await copy();
    const text = await readFile(join(dir, 'transfer.json'), 'utf8');
    const lines = text.split('\n');
    lines[2] = lines[2]!.replace(/,$/, ''); // drop the comma after the second member
    await writeFile(join(dir, 'transfer.json'), lines.join('\n'));
    const r = await ferry(['verify', '--dir', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /transfer\.json is not valid JSON at line 4, column \d+/);
  });

  it('exits 1 naming the field when transfer.json breaks the schema', async () => {
    const dir = await copy();
    const doc = JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8'));
    doc.blobs[0].digest = 'sha256:xyz';
    await writeFile(join(dir, 'transfer.json'), JSON.stringify(doc));
    const r = await ferry(['verify', '--dir', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /blobs\[0\]\.digest/);
  });

  it('reports an image whose layer transfer.json does not hold', async () => {
    const dir = await copy();
    const doc = JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
    const layer = content.blobs.find((b) => b.kind === 'layer' && b.size === 90_000)!; // the release image's own layer
    doc.blobs = doc.blobs.filter((b) => b.digest !== layer.digest);
    await writeFile(join(dir, 'transfer.json'), JSON.stringify(doc));
    const { code, report } = await verifyJson(dir);
    assert.equal(code, 1);
    const release = content.images.find((i) => i.role === 'release')!.source;
    assert.ok(report.problems.some((p) => p.code === 'IMAGE_INCOMPLETE' && p.image === release && p.blob === layer.digest));
    assert.ok(report.problems.some((p) => p.code === 'ENTRY_UNLISTED'), 'its entry is now unlisted too');
  });
});
