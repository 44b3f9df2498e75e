import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlobFlights, type BlobOutcome } from '../../../electron/engine/copy/blob-flights';

const D = `sha256:${'a'.repeat(64)}`;
const repoA = { registry: 'mirror:5000', repository: 'ns/a' };
const repoB = { registry: 'mirror:5000', repository: 'ns/b' };

/** A promise with its resolve/reject in hand, to hold work under way. */
function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('blob flights', () => {
  it('stores a blob once per repository, however many images ask and whenever; the others find it done', async () => {
    const flights = new BlobFlights();
    const held = deferred<BlobOutcome>();
    let runs = 0;
    const store = () => {
      runs++;
      return held.promise;
    };
    const first = flights.once(repoA, D, store);
    const second = flights.once(repoA, D, store);
    held.resolve('uploaded');
    assert.deepEqual(await Promise.all([first, second]), ['uploaded', 'skipped']);
    assert.equal(await flights.once(repoA, D, store), 'skipped', 'asked after it was done');
    assert.equal(runs, 1);
    assert.equal(await flights.once(repoB, D, async () => 'mounted'), 'mounted', 'another repository has its own flight');
  });

  it('forgets a failed flight: an image that waited on it tries on its own, and the others join that one', async () => {
    const flights = new BlobFlights();
    const failing = deferred<BlobOutcome>();
    const first = flights.once(repoA, D, () => failing.promise);
    let retries = 0;
    const retry = async (): Promise<BlobOutcome> => {
      retries++;
      return 'uploaded';
    };
    const waiting = [flights.once(repoA, D, retry), flights.once(repoA, D, retry)];
    failing.reject(new Error('aborted with its image'));
    await assert.rejects(first, /aborted with its image/);
    assert.deepEqual((await Promise.all(waiting)).sort(), ['skipped', 'uploaded']);
    assert.equal(retries, 1);
  });

  it('sends a blob into a second repository only after its upload into the first has ended, so it can be mounted', async () => {
    const flights = new BlobFlights();
    const events: string[] = [];
    const firstUpload = deferred<'uploaded'>();
    const a = flights.upload(repoA, D, () => {
      events.push('a starts');
      return firstUpload.promise;
    });
    const b = flights.upload(repoB, D, async () => {
      events.push('b starts');
      return 'mounted';
    });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(events, ['a starts'], 'b waits while the bytes travel into a');
    firstUpload.resolve('uploaded');
    assert.deepEqual(await Promise.all([a, b]), ['uploaded', 'mounted']);
    assert.deepEqual(events, ['a starts', 'b starts']);
  });

  it('lets the second repository send the bytes itself when the first upload failed', async () => {
    const flights = new BlobFlights();
    const a = flights.upload(repoA, D, async () => {
      throw new Error('connection reset');
    });
    const b = flights.upload(repoB, D, async () => 'uploaded');
    await assert.rejects(a, /connection reset/);
    assert.equal(await b, 'uploaded');
  });
});
