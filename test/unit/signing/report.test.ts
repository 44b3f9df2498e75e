import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { renderReportMarkdown, type OperatorReport } from '../../../electron/engine/reports/model';
import { verifyOperatorReport } from '../../../electron/engine/reports/verify';
import { markdownPathFor, writeReport } from '../../../electron/engine/reports/write';
import type { VerifyReport } from '../../../shared/transfer/verify-report';
import { tempDir } from '../../support/tmp';

const base: VerifyReport = {
  ok: false,
  dir: '/media/usb',
  transferId: 'tr-42',
  signature: { status: 'trusted', ok: true, message: 'transfer.json is signed by the trusted key.', fingerprint: '3F2A 9C01 5B7E D4A0 1234 ABCD 5678 EF90' },
  problems: [
    { code: 'BLOB_DIGEST', volume: 'ferry-000002.tar', blob: `sha256:${'b'.repeat(64)}`, images: ['quay.io/a|b:1'], message: 'blob has the wrong content' },
    { code: 'IMAGE_INCOMPLETE', image: 'quay.io/x/y:1', message: 'image is incomplete:\nits layer is missing' },
  ],
  counts: { volumes: 2, images: 3, blobs: 10, blobsVerified: 7, parentBlobs: 2, entries: 12 },
  bytes: { volumes: 3 * 1024 * 1024, blobs: 3_000_000, read: 3 * 1024 * 1024 },
  durationsMs: { total: 1500, volumes: { 'ferry-000001.tar': 700, 'ferry-000002.tar': 800 } },
};
const times = { startedAt: new Date('2025-01-02T03:04:05Z'), finishedAt: new Date('2025-01-02T03:04:07Z') };

describe('operator reports', () => {
  const tmp = tempDir('report');
  after(() => tmp.cleanup());

  it('maps each verify problem to the one check it fails', () => {
    const r = verifyOperatorReport(base, times);
    const status = Object.fromEntries(r.checks.map((c) => [c.name, c.status]));
    assert.deepEqual(status, {
      'transfer.json signature': 'passed',
      'volume sizes and sha256': 'passed',
      'tar entries safe and where listed': 'passed',
      'blob digests': 'failed',
      'OCI layout index': 'passed',
      'image completeness': 'failed',
    });
    assert.match(r.checks.find((c) => c.name === 'blob digests')!.detail, /^1 problem\(s\); 7 of 8 blob\(s\) verified; 2 held by the parent transfer$/);
    assert.deepEqual(r.subject, { directory: '/media/usb', transfer: 'tr-42' });
    assert.deepEqual(r.durationsMs, { total: 1500, 'ferry-000001.tar': 700, 'ferry-000002.tar': 800 });
  });

  it('marks everything after a failed signature as not run, and an unsigned pass as a warning', () => {
    const forged = verifyOperatorReport({ ...base, problems: [{ code: 'SIGNATURE_INVALID', message: 'changed' }], signature: { status: 'invalid', ok: false, message: 'changed' } }, times);
    assert.deepEqual(forged.checks.map((c) => c.status), ['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    const unsigned = verifyOperatorReport({ ...base, ok: true, problems: [], signature: { status: 'unsigned', ok: true, message: 'not signed' } }, times);
    assert.equal(unsigned.checks[0]!.status, 'warning');
  });

  it('renders Markdown with the verdict, fingerprint, tables and problems that cannot break a table', () => {
    const md = renderReportMarkdown(verifyOperatorReport(base, times));
    assert.match(md, /^# Ferry verification report: FAILED$/m);
    assert.match(md, /^- signing key fingerprint: 3F2A 9C01 5B7E D4A0 1234 ABCD 5678 EF90$/m);
    assert.match(md, /^\| blob digests \| \*\*FAILED\*\* \| 1 problem/m);
    assert.match(md, /^\| volumes \| 3\.00 MiB \(3145728 bytes\) \|$/m);
    assert.match(md, /^\| ferry-000002\.tar \| 0\.8 s \|$/m);
    assert.ok(md.includes('(volume ferry-000002.tar; blob sha256:'));
    assert.ok(md.includes('image is incomplete: its layer is missing'));
    assert.match(renderReportMarkdown(verifyOperatorReport({ ...base, dir: '/media/a|b' }, times)), /^\| directory \| \/media\/a\\\|b \|$/m);
  });

  it('writes FILE.json and FILE.md beside it', async () => {
    assert.equal(markdownPathFor('/r/verify.json'), '/r/verify.md');
    assert.equal(markdownPathFor('/r/verify.JSON'), '/r/verify.md');
    assert.equal(markdownPathFor('/r/verify'), '/r/verify.md');
    const report: OperatorReport = verifyOperatorReport(base, times);
    const out = await writeReport(join(tmp.path, 'v.json'), report);
    assert.deepEqual(out, { json: join(tmp.path, 'v.json'), markdown: join(tmp.path, 'v.md') });
    assert.deepEqual(JSON.parse(await readFile(out.json, 'utf8')), report);
    assert.equal(await readFile(out.markdown, 'utf8'), renderReportMarkdown(report));
    assert.equal((await stat(out.json)).mode & 0o777, 0o644);
    await assert.rejects(writeReport(join(tmp.path, 'no-such-dir', 'v.json'), report), /Cannot write/);
  });
});
