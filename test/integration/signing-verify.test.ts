import assert from 'node:assert/strict';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signTransfer } from '../../electron/engine/signing/transfer-signature';
import type { OperatorReport } from '../../electron/engine/reports/model';
import type { TransferManifest } from '../../shared/transfer/manifest';
import type { VerifyReport } from '../../shared/transfer/verify-report';
import { ferry } from '../support/cli';
import { fixtureContent, writeFixture } from '../unit/media/fixtures';
import { tempDir } from '../support/tmp';

/**
 * A transfer written by the real TransferWriter, signed as `mirror --sign-key` does, then checked through the
 * real CLI as the disconnected side would: `ferry keys generate`, `ferry verify --trust/--allow-untrusted/--require-signature/--report`.
 */
describe('signed transfers through the CLI', () => {
  const tmp = tempDir('signing-cli');
  const original = join(tmp.path, 'transfer');
  const keyPrefix = join(tmp.path, 'keys', 'site');
  const otherPrefix = join(tmp.path, 'keys', 'other');
  let manifest: TransferManifest;
  let signedFingerprint: string;
  let copies = 0;

  async function copy(): Promise<string> {
    const dir = join(tmp.path, `copy-${++copies}`);
    await cp(original, dir, { recursive: true });
    return dir;
  }

  before(async () => {
    manifest = await writeFixture(original, fixtureContent({ shared: 20_000, big: 200_000, medium: 50_000, small: 30_000 }), { volumeSize: 128 * 1024 });
    await mkdir(join(tmp.path, 'keys'));
    await mkdir(join(tmp.path, 'reports'));
    for (const prefix of [keyPrefix, otherPrefix]) {
      const r = await ferry(['keys', 'generate', '--out', prefix]);
      assert.equal(r.code, 0, r.stderr);
    }
    signedFingerprint = (await signTransfer(original, `${keyPrefix}.key`)).fingerprint;
  });
  after(() => tmp.cleanup());

  it('keys generate prints the fingerprint that keys fingerprint and a signed transfer show', async () => {
    const fp = await ferry(['keys', 'fingerprint', `${keyPrefix}.pub`]);
    assert.equal(fp.code, 0, fp.stderr);
    assert.equal(fp.stdout.trim(), signedFingerprint);
    const again = await ferry(['keys', 'generate', '--out', keyPrefix]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /site\.key already exists/);
  });

  it('verify --trust passes and prints the same fingerprint the signer got', async () => {
    const r = await ferry(['verify', '--dir', original, '--trust', `${keyPrefix}.pub`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Signature: OK: transfer\.json is signed by a trusted key\./m);
    assert.equal(r.stdout.match(/signing key fingerprint: (.+)$/m)?.[1], signedFingerprint);
    assert.match(r.stdout, /OK: every volume, blob and image verified\./);
  });

  it('verify --json carries the signature result, checked before the volumes', async () => {
    const r = await ferry(['verify', '--dir', original, '--trust', `${keyPrefix}.pub`, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as VerifyReport;
    assert.equal(report.signature?.status, 'trusted');
    assert.equal(report.signature?.fingerprint, signedFingerprint);
    assert.equal(report.counts.blobsVerified, manifest.blobs.length);
  });

  it('fails (exit 1) when one digest in transfer.json is edited, and checks nothing else', async () => {
    const dir = await copy();
    const text = await readFile(join(dir, 'transfer.json'), 'utf8');
    const digest = manifest.blobs[0]!.digest;
    const edited = text.replace(digest, `${digest.slice(0, -1)}${digest.endsWith('0') ? '1' : '0'}`);
    assert.notEqual(edited, text);
    await writeFile(join(dir, 'transfer.json'), edited);
    const r = await ferry(['verify', '--dir', dir, '--trust', `${keyPrefix}.pub`, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as VerifyReport;
    assert.equal(report.ok, false);
    assert.equal(report.signature?.status, 'invalid');
    assert.deepEqual(report.problems.map((p) => p.code), ['SIGNATURE_INVALID']);
    assert.equal(report.bytes.read, 0, 'no volume is read for a forged manifest');
    const human = await ferry(['verify', '--dir', dir, '--trust', `${keyPrefix}.pub`]);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /Signature: FAILED: .*changed after it was signed/);
  });

  it('fails (exit 1) with the wrong public key: an unknown key, printing both fingerprints', async () => {
    const r = await ferry(['verify', '--dir', original, '--trust', `${otherPrefix}.pub`]);
    assert.equal(r.code, 1);
    assert.ok(r.stdout.includes(`Signature: FAILED: transfer.json is signed by an unknown key (fingerprint ${signedFingerprint}).`), r.stdout);
    assert.equal(r.stdout.match(/signing key fingerprint: (.+)$/m)?.[1], signedFingerprint);
    const other = (await ferry(['keys', 'fingerprint', `${otherPrefix}.pub`])).stdout.trim();
    assert.equal(r.stdout.match(/trusted key fingerprint: (.+)$/m)?.[1], other);
  });

  it('fails (exit 1) on a missing or garbled signature when a key is trusted', async () => {
    const dir = await copy();
    await writeFile(join(dir, 'transfer.json.sig'), '{"algorithm":"ed25519"}');
    const garbled = await ferry(['verify', '--dir', dir, '--trust', `${keyPrefix}.pub`]);
    assert.equal(garbled.code, 1);
    assert.match(garbled.stdout, /transfer\.json\.sig in .* cannot be used/);
    await rm(join(dir, 'transfer.json.sig'));
    const missing = await ferry(['verify', '--dir', dir, '--trust', `${keyPrefix}.pub`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /Signature: FAILED: transfer\.json in .* is not signed/);
  });

  it('fails (exit 1) a signed transfer when no key is trusted, unless --allow-untrusted or --trust FINGERPRINT', async () => {
    const r = await ferry(['verify', '--dir', original, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as VerifyReport;
    assert.deepEqual([report.signature?.status, report.signature?.fingerprint], ['untrusted', signedFingerprint]);
    assert.deepEqual(report.problems.map((p) => p.code), ['SIGNATURE_UNTRUSTED']);
    assert.equal(report.bytes.read, 0);
    const allowed = await ferry(['verify', '--dir', original, '--allow-untrusted']);
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    assert.match(allowed.stdout, /^Signature: WARNING: transfer\.json is signed by an unknown key/m);
    const byFingerprint = await ferry(['verify', '--dir', original, '--trust', signedFingerprint]);
    assert.equal(byFingerprint.code, 0, byFingerprint.stdout + byFingerprint.stderr);
    assert.match(byFingerprint.stdout, /^Signature: OK: /m);
  });

  it('passes an unsigned transfer with a warning naming --allow-unsigned for push, and fails it with --require-signature', async () => {
    const dir = await copy();
    await rm(join(dir, 'transfer.json.sig'));
    const warned = await ferry(['verify', '--dir', dir]);
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stdout, /^Signature: WARNING: transfer\.json in .* is not signed/m);
    assert.match(warned.stdout, /--allow-unsigned/);
    const required = await ferry(['verify', '--dir', dir, '--require-signature']);
    assert.equal(required.code, 1);
    assert.match(required.stdout, /Signature: FAILED/);
  });

  it('refuses a private key passed to --trust as bad input (exit 2) without printing it', async () => {
    const r = await ferry(['verify', '--dir', original, '--trust', `${keyPrefix}.key`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is a private key; --trust takes the public key/);
    const pem = await readFile(`${keyPrefix}.key`, 'utf8');
    const body = pem.split('\n')[1]!;
    assert.ok(!r.stdout.includes(body) && !r.stderr.includes(body));
  });

  it('writes --report as JSON and Markdown with checks, counts, bytes, durations and the fingerprint', async () => {
    const path = join(tmp.path, 'reports', 'verify.json');
    const r = await ferry(['verify', '--dir', original, '--trust', `${keyPrefix}.pub`, '--report', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Report written to .*verify\.json and .*verify\.md/);
    const report = JSON.parse(await readFile(path, 'utf8')) as OperatorReport;
    assert.equal(report.kind, 'verify');
    assert.equal(report.ok, true);
    assert.equal(report.subject.transfer, manifest.id);
    assert.equal(report.signature?.fingerprint, signedFingerprint);
    assert.deepEqual(report.checks.map((c) => c.status), ['passed', 'passed', 'passed', 'passed', 'passed', 'passed']);
    assert.equal(report.counts.blobs, manifest.blobs.length);
    assert.equal(report.bytes.read, manifest.volumes.reduce((n, v) => n + v.size, 0));
    assert.ok(Date.parse(report.finishedAt) >= Date.parse(report.startedAt));
    assert.ok(manifest.volumes.every((v) => typeof report.durationsMs[v.name] === 'number'));
    const md = await readFile(join(tmp.path, 'reports', 'verify.md'), 'utf8');
    assert.match(md, /^# Ferry verification report: PASSED$/m);
    assert.ok(md.includes(signedFingerprint));
    assert.match(md, /\| blob digests \| passed \| \d+ of \d+ blob\(s\) verified/);
  });

  it('writes a failing report too, naming the failed check', async () => {
    const dir = await copy();
    const volume = join(dir, manifest.volumes[0]!.name);
    const bytes = await readFile(volume);
    bytes[bytes.length - 2048] = bytes[bytes.length - 2048]! ^ 0xff;
    await writeFile(volume, bytes);
    const path = join(tmp.path, 'reports', 'damaged.json');
    const r = await ferry(['verify', '--dir', dir, '--trust', `${keyPrefix}.pub`, '--report', path, '--json']);
    assert.equal(r.code, 1);
    assert.equal((JSON.parse(r.stdout) as { reportFiles: { json: string } }).reportFiles.json, path);
    const report = JSON.parse(await readFile(path, 'utf8')) as OperatorReport;
    assert.equal(report.ok, false);
    assert.equal(report.checks.find((c) => c.name === 'volume sizes and sha256')?.status, 'failed');
    assert.equal(report.checks[0]?.status, 'passed', 'the signature itself was fine');
    assert.match(await readFile(join(tmp.path, 'reports', 'damaged.md'), 'utf8'), /FAILED/);
  });
});
