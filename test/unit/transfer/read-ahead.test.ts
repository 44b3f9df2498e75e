import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { ReadAhead } from '../../../electron/engine/transfer/read-ahead';

function openers(n: number, skip: number[] = []) {
  const opened: number[] = [];
  const streams: Readable[] = [];
  const list = Array.from({ length: n }, (_, i) =>
    skip.includes(i)
      ? undefined
      : async () => {
          opened.push(i);
          const s = Readable.from([Buffer.from(`item ${i}`)]);
          streams[i] = s;
          return s;
        },
  );
  return { list, opened, streams };
}

describe('read-ahead of blob downloads', () => {
  it('opens the taken item and the next openable ones, each once, in order', async () => {
    const o = openers(6, [2]);
    const ahead = new ReadAhead(o.list, 2);
    const first = await ahead.take(0);
    assert.deepEqual(o.opened, [0, 1, 3], 'item 2 needs no stream and does not count toward the depth');
    assert.equal(Buffer.concat(await first.toArray()).toString(), 'item 0');
    await ahead.take(1);
    await ahead.take(3);
    assert.deepEqual(o.opened, [0, 1, 3, 4, 5]);
    assert.throws(() => ahead.take(2), /no source/);
  });

  it('destroys what was opened ahead but never taken', async () => {
    const o = openers(5);
    const ahead = new ReadAhead(o.list, 3);
    await ahead.take(0);
    await new Promise((r) => setImmediate(r));
    ahead.close();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(o.opened, [0, 1, 2, 3]);
    assert.equal(o.streams[0]!.destroyed, false);
    assert.deepEqual([1, 2, 3].map((i) => o.streams[i]!.destroyed), [true, true, true]);
  });

  it('reports a failure to open when the item is taken, not before', async () => {
    const ahead = new ReadAhead([async () => Readable.from([]), async () => Promise.reject(new Error('404 blob unknown'))], 1);
    await ahead.take(0);
    await new Promise((r) => setImmediate(r));
    await assert.rejects(ahead.take(1), /404 blob unknown/);
  });
});
