import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { asFerryError, FerryError, systemError, toEnvelope } from '../../shared/errors';
import { reportError } from '../../electron/cli/output';
import { writeFileAtomic } from '../../electron/engine/trust/secret-file';
import { ferry } from '../support/cli';
import { tempDir } from '../support/tmp';

/**
 * Everyday file-system failures, provoked for real (no hand-made errno objects), must reach the operator
 * as a FerryError naming the path and what to do — never "Unexpected error … a bug in Ferry".
 */

/** The error a real call throws. */
async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected the call to fail');
}

/** A real tmpfs mounted with `options`, or undefined where this process may not mount (not root, no CAP_SYS_ADMIN). */
function tryMount(dir: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const isRoot = process.getuid?.() === 0;

describe('file-system errors an operator can act on', () => {
  const tmp = tempDir('system-errors');
  const readOnly = join(tmp.path, 'read-only');
  const tiny = join(tmp.path, 'tiny');
  let mountedRo = false;
  let mountedTiny = false;

  before(async () => {
    await mkdir(readOnly);
    await mkdir(tiny);
    mountedRo = tryMount(readOnly, 'ro,size=64k');
    mountedTiny = tryMount(tiny, 'size=64k');
  });

  after(async () => {
    if (mountedRo) execFileSync('umount', [readOnly]);
    if (mountedTiny) execFileSync('umount', [tiny]);
    await tmp.cleanup();
  });

  function check(e: unknown, code: string, exit: 1 | 2, path: string | undefined, words: RegExp): FerryError {
    const f = asFerryError(e);
    assert.equal(f.code, code, f.message);
    assert.equal(f.exitCode, exit);
    if (path !== undefined) assert.ok(f.message.includes(path), `names ${path}: ${f.message}`);
    assert.match(f.message, words);
    assert.ok(f.hint && f.hint.length > 20, 'says what to do');
    assert.doesNotMatch(`${f.message} ${f.hint}`, /bug in Ferry|Unexpected error/);
    return f;
  }

  it('EROFS: a write on a tmpfs mounted read-only', async (t) => {
    if (!mountedRo) return t.skip('this process cannot mount a read-only tmpfs');
    const target = join(readOnly, 'pull-secret.json');
    const e = await thrown(() => writeFile(target, '{}'));
    check(e, 'PATH_READ_ONLY', 2, target, /read-only/);
    // Through the helper that writes via a temp file: the message names the file asked for, not the temp.
    check(await thrown(() => writeFileAtomic(target, '{}', 0o600)), 'PATH_READ_ONLY', 2, target, /^Cannot write .*read-only/);
  });

  it('EROFS through the real CLI: pull-secret add --out onto a read-only mount exits 2 with the path', async (t) => {
    if (!mountedRo) return t.skip('this process cannot mount a read-only tmpfs');
    const input = join(tmp.path, 'ps.json');
    await writeFile(input, JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('a:b').toString('base64'), email: 'a@example.com' } } }));
    const out = join(readOnly, 'merged.json');
    const r = await ferry(['pull-secret', 'add', input, '--registry', 'mirror.example:5000', '--username', 'u', '--password-stdin', '--out', out], { input: 'pw' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`Cannot write ${out.replace(/[.]/g, '\\.')}: the file system is mounted read-only`));
    assert.match(r.stderr, /hint: Remount/);
  });

  it('ENOSPC: writing more than a 64 KiB tmpfs holds (or /dev/full where mounting is not allowed)', async () => {
    const target = mountedTiny ? join(tiny, 'volume.tar') : '/dev/full';
    const e = await thrown(() => writeFile(target, Buffer.alloc(1024 * 1024)));
    // write(2) errors carry no path; the helper that knows the file adds it.
    check(systemError(e, target, 'write'), 'NO_SPACE', 1, target, /disk is full/);
    check(e, 'NO_SPACE', 1, undefined, /disk is full/);
  });

  it('EACCES: writing a read-only /proc/sys entry (refused even to root)', async () => {
    const target = '/proc/sys/kernel/ostype';
    check(await thrown(() => writeFile(target, 'x')), 'PATH_DENIED', 2, target, /permission denied/);
  });

  it('EIO: writing /proc/version, which procfs answers with an I/O error', async (t) => {
    if (!isRoot) return t.skip('as a normal user procfs refuses the open with EACCES before any write');
    check(systemError(await thrown(() => writeFile('/proc/version', 'x')), '/proc/version', 'write'), 'IO_ERROR', 1, '/proc/version', /input\/output error/);
  });

  it('ENOTDIR: a file where a directory should be', async () => {
    const file = join(tmp.path, 'not-a-dir');
    await writeFile(file, 'x');
    const target = join(file, 'ferry-000001.tar');
    check(await thrown(() => writeFile(target, 'x')), 'PATH_NOT_DIRECTORY', 2, target, /is a file, not a directory/);
    check(await thrown(() => mkdir(join(file, 'transfer'), { recursive: true })), 'PATH_NOT_DIRECTORY', 2, undefined, /not a directory/);
  });

  it('EEXIST, EISDIR and ENOENT', async () => {
    const dir = join(tmp.path, 'exists');
    await mkdir(dir);
    check(await thrown(() => mkdir(dir)), 'PATH_EXISTS', 2, dir, /already exists/);
    check(await thrown(() => readFile(dir)), 'PATH_IS_DIRECTORY', 2, undefined, /directory where a file was expected/);
    const missing = join(tmp.path, 'no-such', 'transfer.json');
    check(await thrown(() => readFile(missing)), 'PATH_NOT_FOUND', 2, missing, /does not exist/);
  });

  it('the CLI and the job runner report them with the mapped exit status; anything else stays INTERNAL', async () => {
    const dir = join(tmp.path, 'exists');
    const e = await thrown(() => mkdir(dir));
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    let status: number;
    try {
      status = reportError(e, false);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(status, 2);
    assert.match(written.join(''), new RegExp(`ferry: Cannot create the directory ${dir}: something already exists there`));
    // The worker and the job manager send toEnvelope(e): the same code and words.
    assert.equal(toEnvelope(e).code, 'PATH_EXISTS');
    const odd = toEnvelope(new TypeError('x is not a function'));
    assert.equal(odd.code, 'INTERNAL');
    assert.match(odd.hint ?? '', /bug in Ferry/);
  });
});
