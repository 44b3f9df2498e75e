import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { PushJournal, pushJournalPath } from '../../../electron/engine/transfer/push-journal';
import { readSince } from '../../../electron/engine/transfer/since';
import { tempDir } from '../../support/tmp';

const D = (c: string) => `sha256:${c.repeat(64)}`;

describe('push journal', () => {
  const tmp = tempDir('push-journal');
  after(() => tmp.cleanup());

  it('gives back confirmed blobs and manifests, and the uploads that never completed, ignoring a torn last line', async () => {
    const dir = `${tmp.path}/a`;
    const first = await PushJournal.open(dir, 'transfer-1', 'mirror:5000/ns');
    assert.equal(first.previous.blobs.size, 0);
    await first.journal.append({ t: 'start', repo: 'ns/r', digest: D('a'), size: 10 });
    await first.journal.append({ t: 'blob', repo: 'ns/r', digest: D('a'), size: 10 });
    await first.journal.append({ t: 'start', repo: 'ns/r', digest: D('b'), size: 20 });
    await first.journal.append({ t: 'manifest', repo: 'ns/r', digest: D('c') });
    await first.journal.close();
    await appendFile(first.journal.path, '{"t":"blob","repo":"ns/r","dig'); // killed mid-append

    const again = await PushJournal.open(dir, 'transfer-1', 'mirror:5000/ns');
    assert.deepEqual([...again.previous.blobs], [[`ns/r@${D('a')}`, 10]]);
    assert.deepEqual([...again.previous.manifests], [`ns/r@${D('c')}`]);
    assert.deepEqual([...again.previous.inFlight], [[`ns/r@${D('b')}`, 20]]);
    await again.journal.remove();
    assert.deepEqual(await readdir(dir), []);
  });

  it('writes records appended at once together, each resolving only once its line is in the file', async () => {
    const dir = `${tmp.path}/b`;
    const { journal } = await PushJournal.open(dir, 'transfer-2', 'mirror:5000/ns');
    const records = Array.from({ length: 50 }, (_, i) => ({ t: 'blob' as const, repo: `ns/r${i % 3}`, digest: D((i % 16).toString(16)), size: i }));
    await Promise.all(
      records.map(async (r) => {
        await journal.append(r);
        const lines = (await readFile(journal.path, 'utf8')).split('\n');
        assert.ok(lines.includes(JSON.stringify(r)), `${JSON.stringify(r)} is in the file when its append resolves`);
      }),
    );
    await journal.close();
    const lines = (await readFile(journal.path, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { t: string });
    assert.equal(lines[0]!.t, 'begin');
    assert.deepEqual(lines.slice(1), records, 'every record once, in the order appended');
  });

  it('keeps one journal per transfer and target', () => {
    assert.notEqual(pushJournalPath('/d', 't1', 'a:1/ns'), pushJournalPath('/d', 't1', 'a:1/other'));
    assert.notEqual(pushJournalPath('/d', 't1', 'a:1/ns'), pushJournalPath('/d', 't2', 'a:1/ns'));
    assert.match(pushJournalPath('/d', 't1', 'a:1/ns'), /^\/d\/\.ferry-push-[0-9a-f]{16}\.jsonl$/);
  });
});

describe('--since', () => {
  const tmp = tempDir('since');
  after(() => tmp.cleanup());

  it('reads a receipt: parent id, kind and file digest, and every digest the mirror holds', async () => {
    const path = `${tmp.path}/receipt.json`;
    const receipt = {
      formatVersion: 1,
      kind: 'receipt',
      createdAt: '2026-11-24T10:00:00Z',
      tool: { name: 'ferry', version: '0.1.0' },
      target: 'mirror:5000/ns',
      transferId: '0d6a2f4e-8a55-4f4e-9a59-3c1b7a4f6f11',
      images: [{ source: 'quay.io/a/b@' + D('1'), role: 'component', mirror: 'mirror:5000/ns/b@' + D('1'), digest: D('1') }],
      blobs: [D('2'), D('3')],
    };
    await writeFile(path, JSON.stringify(receipt));
    const since = await readSince(path);
    assert.equal(since.ref.kind, 'receipt');
    assert.equal(since.ref.id, receipt.transferId);
    assert.equal(since.ref.digest, `sha256:${createHash('sha256').update(await readFile(path)).digest('hex')}`);
    assert.deepEqual([...since.held].sort(), [D('1'), D('2'), D('3')]);
  });

  it('refuses a file that is neither, saying where it is wrong', async () => {
    const path = `${tmp.path}/bad.json`;
    await writeFile(path, '{"kind":"receipt","formatVersion":1}');
    await assert.rejects(readSince(path), (e: Error & { code?: string }) => e.code === 'INVALID_INPUT' && e.message.includes(path));
    await assert.rejects(readSince(`${tmp.path}/missing.json`), /Cannot read --since/);
  });
});
