import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, open, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TransferManifest } from '../../shared/transfer/manifest';
import { ferry, worldFlags } from '../support/cli';
import { journalLines, killWhen, pauseWhen } from '../support/kill';
import { pushRelease } from '../support/release';
import { tempDir } from '../support/tmp';
import { registryLog, startTestWorld, type TestWorld } from '../support/world';

const RELEASE = 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64';
const NEXT_RELEASE = 'quay.io/openshift-release-dev/ocp-release:4.15.4-x86_64';
const JOURNAL = '.ferry-journal.jsonl';
const LOCK = '.ferry-writer.lock';
const VOLUME_SIZE = 16 * 1024 * 1024;

interface JournalLine {
  t: string;
  blob?: { digest: string; kind: string; size: number; location: { volume?: string; offset?: number } };
  state?: { volume: number; used: number };
  closed?: Array<{ name: string }>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Issue 15 items 2-4 with the real CLI against real registries: a transfer directory is written by one
 * run at a time, only through regular files inside it, and a resume keeps only what it has read back and
 * found intact. Processes are stopped (SIGSTOP) and killed (SIGKILL) for real.
 */
describe('transfer directories: confined writes, one writer, checked resumes', () => {
  let world: TestWorld;
  let work: { path: string; cleanup(): Promise<void> };
  let flags: string[];
  let whole: TransferManifest;
  let wholeDir: string;
  const mirrorArgs = (dir: string, release = RELEASE, volumeSize = VOLUME_SIZE) => ['mirror', '--release', release, '--to-dir', dir, '--volume-size', String(volumeSize), ...flags];
  const blobLines = async (dir: string) => (await journalLines<JournalLine>(join(dir, JOURNAL))).filter((l) => l.t === 'blob');

  before(async () => {
    world = await startTestWorld();
    // Layers large enough that a run can be stopped part-way.
    await pushRelease(world, '4.15.3', { layerBytes: 2 * 1024 * 1024 });
    await pushRelease(world, '4.15.4', { layerBytes: 2 * 1024 * 1024 });
    work = tempDir('ferry-confine-');
    flags = [...worldFlags(world), '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`];
    wholeDir = join(work.path, 'whole');
    const r = await ferry(mirrorArgs(wholeDir));
    assert.equal(r.code, 0, r.stderr);
    whole = JSON.parse(await readFile(join(wholeDir, 'transfer.json'), 'utf8')) as TransferManifest;
  });
  after(async () => {
    await world?.stop();
    await work?.cleanup();
  });

  it('refuses a second mirror into a directory another run is writing, naming it; the first one finishes', async () => {
    const dir = join(work.path, 'concurrent');
    const first = await pauseWhen(mirrorArgs(dir), async () => (await blobLines(dir)).length >= 2);
    const second = await ferry(mirrorArgs(dir));
    // Let the first go on before asserting anything, so a failure never leaves it stopped.
    const done = await first.resume();
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, new RegExp(`held by ferry mirror \\(pid ${first.pid} on ${hostname()}, started `));
    assert.match(second.stderr, /hint: Wait for it to finish/);
    assert.equal(done.code, 0, done.stderr);
    const written = JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
    assert.deepEqual(written.volumes, whole.volumes, 'the refused run changed nothing');
    assert.ok(!(await readdir(dir)).includes(LOCK), 'the lock is gone once the transfer is finished');
    const v = await ferry(['verify', '--dir', dir]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  it('takes over the lock of a killed run, and rewrites a kept blob that was damaged after the kill', async () => {
    const dir = join(work.path, 'damaged');
    await killWhen(mirrorArgs(dir), async () => {
      const lines = await blobLines(dir);
      return lines.length >= 10 && lines.some((l) => (l.closed?.length ?? 0) > 0);
    });
    const holder = JSON.parse(await readFile(join(dir, LOCK), 'utf8')) as { pid: number; host: string };
    assert.equal(holder.host, hostname());
    assert.ok(!alive(holder.pid), 'the lock was left by a process that is gone');

    // One byte flipped inside a layer that the journal lists as done, in a volume already closed.
    const kept = await blobLines(dir);
    const victim = kept.find((l, i) => i > 0 && l.blob!.kind === 'layer' && l.blob!.location.volume === 'ferry-000001.tar')!.blob!;
    const fh = await open(join(dir, 'ferry-000001.tar'), 'r+');
    // Inside the victim's own bytes whatever its size: a fixed offset could land in the next entry's header.
    const at = victim.location.offset! + Math.floor(victim.size / 2);
    const byte = Buffer.alloc(1);
    await fh.read(byte, 0, 1, at);
    await fh.write(Buffer.from([byte[0]! ^ 0xff]), 0, 1, at);
    await fh.close();

    const r = await ferry(mirrorArgs(dir));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Took over the lock of an earlier run that is no longer running: ferry mirror \\(pid ${holder.pid} on ${hostname()}`));
    assert.match(r.stdout, new RegExp(`Resume check: blob ${victim.digest} in ferry-000001.tar failed \\(its bytes hash to sha256:`));
    const resumed = JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
    assert.deepEqual(resumed.blobs, whole.blobs);
    assert.deepEqual(resumed.volumes, whole.volumes, 'volume hashes describe the intact bytes, as in an uninterrupted run');
    const v = await ferry(['verify', '--dir', dir]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  it('refuses a resume with another plan, showing the difference, and a volume path that is a symlink, leaving its target untouched', async () => {
    const dir = join(work.path, 'replanned');
    await killWhen(mirrorArgs(dir), async () => (await blobLines(dir)).length >= 4);
    const journal = await readFile(join(dir, JOURNAL));

    const bigger = await ferry(mirrorArgs(dir, RELEASE, 2 * VOLUME_SIZE));
    assert.equal(bigger.code, 2, bigger.stderr);
    assert.match(bigger.stderr, new RegExp(`volume size: ${VOLUME_SIZE} then, ${2 * VOLUME_SIZE} now`));
    const next = await ferry(mirrorArgs(dir, NEXT_RELEASE));
    assert.equal(next.code, 2, next.stderr);
    assert.match(next.stderr, /release: 4\.15\.3 x86_64 \(sha256:[0-9a-f]{64}\) then, 4\.15\.4 x86_64 \(sha256:[0-9a-f]{64}\) now/);
    assert.doesNotMatch(next.stderr, /volume size/, 'only what differs is shown');
    assert.deepEqual(await readFile(join(dir, JOURNAL)), journal, 'a refused resume leaves the journal as it was');

    // A file outside the transfer, and links to it where a resume would write: the open volume, and the next one.
    const target = join(work.path, 'precious.bin');
    const content = randomBytes(64 * 1024);
    await writeFile(target, content);
    const state = (await blobLines(dir)).at(-1)!.state!;
    const openVolume = `ferry-${String(state.volume).padStart(6, '0')}.tar`;
    const nextVolume = `ferry-${String(state.volume + 1).padStart(6, '0')}.tar`;
    for (const name of [nextVolume, openVolume]) {
      await rm(join(dir, name), { force: true });
      await symlink(target, join(dir, name));
      const r = await ferry(mirrorArgs(dir));
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.stderr.includes(`${join(dir, name)} is a symbolic link, not a regular file`), r.stderr);
      assert.deepEqual(await readFile(target), content, `the file ${name} pointed at is untouched`);
    }
    assert.equal((await stat(target)).size, content.length);
  });

  it('verify and push stop at a volume that is a symlink to /dev/zero, reading nothing from it', { timeout: 120_000 }, async () => {
    const dir = join(work.path, 'devzero');
    await cp(wholeDir, dir, { recursive: true });
    const volume = whole.volumes[0]!.name;
    await rm(join(dir, volume));
    await symlink('/dev/zero', join(dir, volume));

    const v = await ferry(['verify', '--dir', dir, '--json']);
    assert.equal(v.code, 1, v.stderr);
    const report = JSON.parse(v.stdout) as { problems: Array<{ code: string; volume?: string; message: string }> };
    const problem = report.problems.find((p) => p.code === 'VOLUME_NOT_FILE');
    assert.ok(problem, v.stdout);
    assert.equal(problem.volume, volume);
    assert.match(problem.message, /is a symbolic link, not a regular file/);

    const ns = 'devzero';
    const logFrom = (await registryLog(world.mirror)).length;
    const p = await ferry(['push', '--from-dir', dir, '--to', `${world.mirror.host}/${ns}`, '--receipt', join(work.path, 'devzero-receipt.json'), '--allow-unsigned', ...worldFlags(world)]);
    assert.equal(p.code, 1, p.stderr);
    assert.ok(p.stderr.includes(`${join(dir, volume)} is a symbolic link, not a regular file`), p.stderr);
    assert.ok(!(await registryLog(world.mirror)).slice(logFrom).includes(`/v2/${ns}/`), 'nothing was sent to the mirror');
  });
});
