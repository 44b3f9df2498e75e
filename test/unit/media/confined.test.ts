import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { link, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import type { FerryError } from '../../../shared/errors';
import { openConfined, openReplacement, replaceConfined, type ConfinedMode } from '../../../electron/engine/media/confined-file';
import { planDifferences } from '../../../electron/engine/media/journal';
import { TransferLock } from '../../../electron/engine/media/lock';
import { PushJournal } from '../../../electron/engine/transfer/push-journal';
import { tempDir } from '../../support/tmp';

const MODES: ConfinedMode[] = ['read', 'update', 'append', 'create', 'truncate'];

function refusedAs(path: string, kind: RegExp) {
  return (e: FerryError): boolean => {
    assert.equal(e.code, 'UNSAFE_ARCHIVE');
    assert.ok(e.message.startsWith(`${path} is `), e.message);
    assert.match(e.message, kind);
    return true;
  };
}

/** A pid that surely belongs to no process any more: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

describe('files of a transfer directory', () => {
  const tmp = tempDir('confined');
  after(() => tmp.cleanup());

  it('are never opened through a symbolic link, whatever the mode, and the link target stays as it was', async () => {
    const outside = join(tmp.path, 'outside.bin');
    await writeFile(outside, 'keep me');
    const path = join(tmp.path, 'ferry-000001.tar');
    await symlink(outside, path);
    for (const mode of MODES) await assert.rejects(openConfined(path, mode), refusedAs(path, /a symbolic link, not a regular file/));
    await assert.rejects(replaceConfined(path, 'overwritten'), refusedAs(path, /a symbolic link/));
    assert.equal(await readFile(outside, 'utf8'), 'keep me');
  });

  it('refuse a named pipe without blocking on it, a directory, and a writable file with a second hard link', async () => {
    const fifo = join(tmp.path, 'pipe.tar');
    await promisify(execFile)('mkfifo', [fifo]);
    for (const mode of MODES) await assert.rejects(openConfined(fifo, mode), refusedAs(fifo, /a named pipe/));
    const dir = join(tmp.path, 'dir.tar');
    await mkdir(dir);
    await assert.rejects(openConfined(dir, 'read'), refusedAs(dir, /a directory/));

    const outside = join(tmp.path, 'linked-outside.bin');
    await writeFile(outside, 'keep me too');
    const hard = join(tmp.path, 'hard.tar');
    await link(outside, hard);
    for (const mode of ['update', 'append', 'truncate'] as const) await assert.rejects(openConfined(hard, mode), refusedAs(hard, /2 hard links/));
    assert.equal(await readFile(outside, 'utf8'), 'keep me too');
    // Reading a file with two names harms nothing.
    await (await openConfined(hard, 'read')).close();
  });

  it('create a file only where none is, and replace one atomically', async () => {
    const path = join(tmp.path, 'new.json');
    await (await openConfined(path, 'create')).close();
    await assert.rejects(openConfined(path, 'create'), { code: 'EEXIST' });
    await assert.rejects(openConfined(join(tmp.path, 'absent'), 'read'), { code: 'ENOENT' });
    await replaceConfined(path, '{"a":1}\n');
    assert.equal(await readFile(path, 'utf8'), '{"a":1}\n');
  });

  it('replace a file from a stream of chunks, and leave the old one (and no temp file) when the stream fails', async () => {
    const dir = join(tmp.path, 'streamed');
    await mkdir(dir);
    const path = join(dir, 'blob');
    await replaceConfined(path, (async function* () {
      yield Buffer.from('first ');
      yield Buffer.from('second');
    })());
    assert.equal(await readFile(path, 'utf8'), 'first second');
    const failing = (async function* () {
      yield Buffer.from('half of a new ');
      throw new Error('the source broke');
    })();
    await assert.rejects(replaceConfined(path, failing), /the source broke/);
    assert.equal(await readFile(path, 'utf8'), 'first second');
    assert.deepEqual(await readdir(dir), ['blob']);
  });

  it('replace a file step by step: the temp file stays private until commit gives the mode asked; abort leaves the old one', async () => {
    const dir = join(tmp.path, 'stepwise');
    await mkdir(dir);
    const path = join(dir, 'tool');
    await writeFile(path, 'old');
    const aborted = await openReplacement(path, 0o755);
    await aborted.write(Buffer.from('half'));
    await aborted.abort();
    assert.equal(await readFile(path, 'utf8'), 'old');
    assert.deepEqual(await readdir(dir), ['tool']);

    const replacement = await openReplacement(path, 0o755);
    await replacement.write(Buffer.from('new '));
    await replacement.write(Buffer.from('binary'));
    const [temp] = (await readdir(dir)).filter((n) => n.endsWith('.tmp'));
    assert.ok(temp, 'the bytes go to a temp file beside the target');
    assert.equal((await stat(join(dir, temp))).mode & 0o777, 0o600);
    assert.equal(await readFile(path, 'utf8'), 'old', 'the target is untouched before commit');
    await replacement.commit();
    assert.equal(await readFile(path, 'utf8'), 'new binary');
    assert.equal((await stat(path)).mode & 0o777, 0o755);
    assert.deepEqual(await readdir(dir), ['tool']);
    await assert.rejects(openReplacement(join(tmp.path, 'stepwise')), refusedAs(join(tmp.path, 'stepwise'), /a directory/));
  });
});

describe('the lock of a transfer directory', () => {
  const tmp = tempDir('lock');
  after(() => tmp.cleanup());

  it('is held by one run at a time; a second is refused naming the holder', async () => {
    const path = join(tmp.path, 'held.lock');
    const lock = await TransferLock.acquire(path, 'ferry mirror');
    assert.equal(lock.tookOver, undefined);
    await assert.rejects(TransferLock.acquire(path, 'ferry mirror'), (e: FerryError) => {
      assert.equal(e.code, 'CONFLICT');
      assert.ok(e.message.includes(`${path} is held by ferry mirror (pid ${process.pid} on ${hostname()}, started `), e.message);
      assert.match(e.hint ?? '', /Wait for it to finish/);
      return true;
    });
    await lock.release();
    await lock.release();
    await (await TransferLock.acquire(path, 'ferry mirror')).release();
  });

  it('left by a process that is gone from this host is taken over, and says whose it was', async () => {
    const path = join(tmp.path, 'stale.lock');
    const pid = await deadPid();
    await writeFile(path, JSON.stringify({ pid, host: hostname(), startedAt: '2026-12-01T00:00:00.000Z', purpose: 'ferry mirror', token: 'old' }));
    const lock = await TransferLock.acquire(path, 'ferry mirror');
    assert.equal(lock.tookOver?.pid, pid);
    assert.equal(JSON.parse(await readFile(path, 'utf8')).pid, process.pid);
    await lock.release();
  });

  it('from another host, or unreadable, is never guessed about', async () => {
    const remote = join(tmp.path, 'remote.lock');
    await writeFile(remote, JSON.stringify({ pid: await deadPid(), host: 'bastion-elsewhere', startedAt: '2026-12-01T00:00:00.000Z', purpose: 'ferry push', token: 'x' }));
    await assert.rejects(TransferLock.acquire(remote, 'ferry push'), (e: FerryError) => {
      assert.equal(e.code, 'CONFLICT');
      assert.match(e.hint ?? '', new RegExp(`another host \\(bastion-elsewhere\\).*delete ${remote}`));
      return true;
    });
    const garbled = join(tmp.path, 'garbled.lock');
    await writeFile(garbled, 'not json');
    await assert.rejects(TransferLock.acquire(garbled, 'ferry push'), /is not a lock file Ferry can read/);
  });

  it('keeps a second push of the same transfer to the same target out until the first closes its journal', async () => {
    const dir = join(tmp.path, 'push');
    const first = await PushJournal.open(dir, 'transfer-1', 'mirror:5000/ns');
    await assert.rejects(PushJournal.open(dir, 'transfer-1', 'mirror:5000/ns'), (e: FerryError) => e.code === 'CONFLICT' && e.message.includes('held by ferry push'));
    // Another target is another journal and another lock.
    await (await PushJournal.open(dir, 'transfer-1', 'mirror:5000/other')).journal.remove();
    await first.journal.close();
    await (await PushJournal.open(dir, 'transfer-1', 'mirror:5000/ns')).journal.remove();
  });
});

describe('a resume plan compared with the journal', () => {
  it('names each difference once; lists compare as sets', () => {
    const was = { 'volume size': 100, release: '4.15.3 x86_64 (sha256:a)', images: ['a@sha256:1', 'b@sha256:2'] };
    assert.deepEqual(planDifferences(was, { ...was, images: ['b@sha256:2', 'a@sha256:1'] }), []);
    assert.deepEqual(planDifferences(was, { ...was, 'volume size': 200, images: ['b@sha256:2', 'c@sha256:3'] }), ['volume size: 100 then, 200 now', 'images: + c@sha256:3, - a@sha256:1']);
    assert.deepEqual(planDifferences(was, { ...was, since: 'receipt of transfer t (sha256:f)' }), ['since: (none) then, receipt of transfer t (sha256:f) now']);
  });
});
