import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TransferManifest } from '../../shared/transfer/manifest';
import type { Receipt } from '../../shared/transfer/receipt';
import { ferry, worldFlags } from '../support/cli';
import { journalLines, killWhen } from '../support/kill';
import { pushRelease, type FixtureRelease } from '../support/release';
import { tempDir } from '../support/tmp';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

const RELEASE = 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64';
const WRITER_JOURNAL = '.ferry-journal.jsonl';

interface JournalLine {
  t: string;
  digest?: string;
  repo?: string;
  size?: number;
  blob?: { digest: string };
  closed?: Array<{ name: string }>;
}

/** PUTs that completed a blob upload in the registry's access log, from byte `from` on: repository@digest. */
async function uploadedSince(logFile: string, from: number): Promise<string[]> {
  const log = (await readFile(logFile, 'utf8')).slice(from);
  const out: string[] = [];
  for (const m of log.matchAll(/"PUT \/v2\/(\S+?)\/blobs\/uploads\/\S*?[?&]digest=sha256(?::|%3A)([a-f0-9]{64})\S* HTTP\/[\d.]+" 201/g)) out.push(`${m[1]}@sha256:${m[2]}`);
  return out;
}

/**
 * Issue 4 item 1 with real processes killed by SIGKILL: mirror-to-disk killed twice (the second time
 * after a volume was closed) ends with the same transfer as an uninterrupted run; push killed at an early
 * and at a late point re-sends only what was in flight and leaves the same mirror as an uninterrupted push.
 */
describe('transfers survive kill -9', () => {
  let world: TestWorld;
  let rel: FixtureRelease;
  let work: { path: string; cleanup(): Promise<void> };
  let flags: string[];
  let whole: TransferManifest;
  let wholeDir: string;
  const volumeSize = String(16 * 1024 * 1024);

  before(async () => {
    world = await startTestWorld();
    // Large enough layers that a run takes long enough to be interrupted mid-way.
    rel = await pushRelease(world, '4.15.3', { layerBytes: 2 * 1024 * 1024 });
    work = tempDir('ferry-resume-');
    flags = [...worldFlags(world), '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`];
    wholeDir = join(work.path, 'whole');
    const r = await ferry(['mirror', '--release', RELEASE, '--to-dir', wholeDir, '--volume-size', volumeSize, ...flags]);
    assert.equal(r.code, 0, r.stderr);
    whole = JSON.parse(await readFile(join(wholeDir, 'transfer.json'), 'utf8')) as TransferManifest;
  });
  after(async () => {
    await world?.stop();
    await work?.cleanup();
  });

  it('mirror-to-disk killed at two points resumes to the same transfer, closed volumes kept as they were', async () => {
    const dir = join(work.path, 'killed');
    const args = ['mirror', '--release', RELEASE, '--to-dir', dir, '--volume-size', volumeSize, ...flags];
    const journal = join(dir, WRITER_JOURNAL);
    const blobLines = async () => (await journalLines<JournalLine>(journal)).filter((l) => l.t === 'blob');

    await killWhen(args, async () => (await blobLines()).length >= 4);
    const first = (await blobLines()).length;
    // Second point: later, once at least one volume is closed.
    await killWhen(args, async () => {
      const lines = await blobLines();
      return lines.length >= first + 4 && lines.some((l) => (l.closed?.length ?? 0) > 0);
    });
    const kept = await blobLines();
    const closed = kept.flatMap((l) => l.closed ?? []).map((v) => v.name);
    assert.ok(closed.length >= 1 && kept.length > first);
    const before = await Promise.all(closed.map(async (name) => stat(join(dir, name))));

    const r = await ferry(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Resumed: ${kept.length} blob\\(s\\) already on the media were kept, not fetched again`));
    const after = await Promise.all(closed.map(async (name) => stat(join(dir, name))));
    for (const [i, s] of after.entries()) {
      assert.equal(s.ino, before[i]!.ino, `${closed[i]} is the same file`);
      assert.equal(s.mtimeMs, before[i]!.mtimeMs, `${closed[i]} was not rewritten`);
    }

    const resumed = JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
    assert.deepEqual(resumed.images, whole.images);
    assert.deepEqual(resumed.blobs, whole.blobs);
    assert.deepEqual(resumed.volumes, whole.volumes, 'the same volumes, byte for byte (same sha256)');
    assert.ok(!(await readdir(dir)).includes(WRITER_JOURNAL), 'the journal is gone once the transfer is finished');
    const v = await ferry(['verify', '--dir', dir]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  const blobBytes = () => new Map(whole.blobs.map((b) => [b.digest, b.size]));

  for (const point of [{ name: 'early', fraction: 0.1 }, { name: 'late', fraction: 0.6 }]) {
    it(`push killed ${point.name} re-sends only the blobs in flight and ends with the mirror of an uninterrupted push`, async () => {
      const ns = `resumed-${point.name}`;
      const receiptDir = join(work.path, `receipt-${point.name}`);
      const args = ['push', '--from-dir', wholeDir, '--to', `${world.mirror.host}/${ns}`, '--receipt', join(receiptDir, 'receipt.json'), '--allow-unsigned', ...worldFlags(world)];
      const journalFile = async () => {
        const names = await readdir(receiptDir).catch(() => [] as string[]);
        const name = names.find((n) => n.startsWith('.ferry-push-'));
        return name ? join(receiptDir, name) : undefined;
      };
      const layers = whole.blobs.filter((b) => b.kind !== 'manifest').length;
      await killWhen(args, async () => {
        const f = await journalFile();
        if (f === undefined) return false;
        const now = await journalLines<JournalLine>(f);
        const done = new Set(now.filter((l) => l.t === 'blob').map((l) => `${l.repo}@${l.digest}`));
        // Kill while at least one blob is on the wire, so there is something in flight to re-send.
        const onWire = now.some((l) => l.t === 'start' && !done.has(`${l.repo}@${l.digest}`));
        return onWire && done.size >= Math.max(2, Math.floor(layers * point.fraction));
      });
      const lines = await journalLines<JournalLine>((await journalFile())!);
      const key = (l: JournalLine) => `${l.repo}@${l.digest}`;
      const confirmed = new Set(lines.filter((l) => l.t === 'blob' || l.t === 'manifest').map(key));
      const started = new Set(lines.filter((l) => l.t === 'start').map(key));
      const inFlight = [...started].filter((k) => !confirmed.has(k));
      const sizes = blobBytes();
      const sizeOf = (k: string) => sizes.get(k.slice(k.lastIndexOf('@') + 1)) ?? 0;
      const logFrom = (await stat(world.mirror.logFile)).size;

      assert.ok(inFlight.length > 0, 'killed with blobs in flight');
      const r = await ferry([...args, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { resume: { journaled: number; confirmed: number; inFlightBlobs: number; inFlightBytes: number; resentBytes: number } };
      assert.equal(out.resume.journaled, confirmed.size);
      assert.equal(out.resume.confirmed, confirmed.size, 'every journaled entry confirmed by HEAD');
      assert.equal(out.resume.inFlightBlobs, inFlight.length);
      assert.ok(r.stderr.includes(`Resuming push: ${confirmed.size} blob(s)/manifest(s) already in the mirror, confirmed by HEAD`), r.stderr);

      // The registry's own log: what the resumed run uploaded.
      const uploaded = (await uploadedSince(world.mirror.logFile, logFrom));
      const resent = uploaded.filter((k) => started.has(k));
      for (const k of uploaded) assert.ok(!confirmed.has(k), `${k} was confirmed before the kill and must not travel again`);
      for (const k of resent) assert.ok(inFlight.includes(k), `${k} was re-sent, so it must have been in flight`);
      const inFlightBytes = inFlight.reduce((n, k) => n + sizeOf(k), 0);
      const resentBytes = resent.reduce((n, k) => n + sizeOf(k), 0);
      assert.equal(out.resume.inFlightBytes, inFlightBytes);
      assert.ok(resentBytes <= inFlightBytes, `re-sent ${resentBytes} of ${inFlightBytes} bytes in flight`);
      process.stdout.write(`# push killed ${point.name}: ${inFlight.length} blob(s) in flight (${inFlightBytes} bytes), re-sent ${resentBytes} bytes (engine counted ${out.resume.resentBytes})\n`);

      const against = await ferry(['verify', '--dir', wholeDir, '--against', `${world.mirror.host}/${ns}`, ...worldFlags(world)]);
      assert.equal(against.code, 0, against.stdout + against.stderr);
      const tagged = await skopeo(world, ['inspect', '--format', '{{.Digest}}', `docker://${world.mirror.host}/${ns}/ocp-release:4.15.3-x86_64`]);
      assert.equal(tagged.stdout.trim(), rel.digest);
      const receipt = JSON.parse(await readFile(join(receiptDir, 'receipt.json'), 'utf8')) as Receipt;
      assert.deepEqual(receipt.images.map((i) => i.digest).sort(), whole.images.map((i) => i.digest).sort());
      assert.deepEqual(receipt.blobs, [...new Set(whole.blobs.map((b) => b.digest))].sort(), 'the receipt of an uninterrupted push lists exactly the transfer');
      assert.deepEqual((await readdir(receiptDir)).filter((n) => n.startsWith('.ferry-push-')), [], 'the journal is gone after a complete push');
    });
  }
});
