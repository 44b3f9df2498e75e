import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressEventSchema } from '../../../shared/api/jobs';
import { TransferProgress, type ImagePlan, type UnitPlan } from '../../../electron/engine/copy/progress';
import { MAX_ACTIVE_IMAGES, RateWindow, etaSeconds, measuring, progressLine, windowRate, type ProgressEvent } from '../../../shared/progress';
import { assertTruthfulProgress } from '../../support/progress';

const MiB = 1024 * 1024;
const d = (c: string) => `sha256:${c.repeat(64)}`;

/** A run on a hand-moved clock, keeping every event. */
function run(images: ImagePlan[], opts: { volumes?: string[]; expectImages?: number; intervalMs?: number } = {}) {
  const clock = { ms: 0 };
  const events: ProgressEvent[] = [];
  const progress = new TransferProgress((e) => events.push(e), { phase: 'write-volume', images, now: () => clock.ms, ...opts });
  return { progress, events, clock, last: () => events.at(-1)! };
}

describe('the transfer progress model', () => {
  // a and b share layer y; y is split over two volumes; the manifests close each image.
  const x: UnitPlan = { digest: d('1'), size: 100, parts: [{ volume: 'v1', size: 100 }] };
  const y: UnitPlan = { digest: d('2'), size: 300, parts: [{ volume: 'v1', size: 120 }, { volume: 'v2', size: 180 }] };
  const z: UnitPlan = { digest: d('3'), size: 50, parts: [{ volume: 'v2', size: 50 }] };
  const ma: UnitPlan = { digest: d('a'), size: 10, parts: [{ volume: 'v2', size: 10 }] };
  const mb: UnitPlan = { digest: d('b'), size: 20, parts: [{ volume: 'v2', size: 20 }] };
  const images = (): ImagePlan[] => [
    { source: 'quay.io/x/a:1', units: [x, y, ma] },
    { source: 'quay.io/x/b:1', units: [y, z, mb] },
  ];

  it('counts a blob several images need once, for the first of them, and completes each image when all it needs is done', () => {
    const { progress, events, last } = run(images(), { volumes: ['v1', 'v2'] });
    progress.report('start');
    assert.equal(last().bytesTotal, 480, 'each unit once');
    assert.deepEqual(last().volumes, [
      { name: 'v1', bytesDone: 0, bytesTotal: 220 },
      { name: 'v2', bytesDone: 0, bytesTotal: 260 },
    ]);
    // Out of the planned order: b's own blob and manifest first, then the shared one, then a's.
    for (const u of [z, mb]) progress.done(u.digest);
    assert.deepEqual(last().images, { done: 0, total: 2, active: [{ source: 'quay.io/x/b:1', bytesDone: 70, bytesTotal: 70 }] }, 'b still needs y, which a owns');
    progress.done(y.digest);
    assert.equal(last().images!.done, 1, 'b is complete with y');
    assert.deepEqual(last().images!.active, [{ source: 'quay.io/x/a:1', bytesDone: 300, bytesTotal: 410 }]);
    progress.done(ma.digest);
    progress.done(x.digest);
    progress.report('done');
    assert.deepEqual(last().images, { done: 2, total: 2, active: [] });
    assert.equal(last().itemsDone, 5);
    assertTruthfulProgress(events, { finished: true });
  });

  it('drops the bytes of a failed attempt, so a retried blob never counts twice, and caps a stream at its size', () => {
    const { progress, events, clock, last } = run(images(), { volumes: ['v1', 'v2'], intervalMs: 0 });
    progress.bytes(y.digest, 200);
    assert.deepEqual(last().volumes!.map((v) => v.bytesDone), [120, 80], 'bytes fill the parts in order');
    progress.failed(y.digest);
    assert.equal(progress.snapshot().bytesDone, 0);
    assert.deepEqual(progress.snapshot().volumes!.map((v) => v.bytesDone), [0, 0]);
    clock.ms = 1000;
    progress.bytes(y.digest, 250);
    progress.bytes(y.digest, 250);
    assert.equal(last().bytesDone, 300, 'never more than the blob');
    progress.done(y.digest);
    progress.done(y.digest);
    assert.equal(last().bytesDone, 300, 'complete twice is complete once');
    progress.bytes(y.digest, 99);
    progress.failed(y.digest);
    assert.equal(progress.snapshot().bytesDone, 300, 'a complete blob ignores later bytes and failures');
    for (const u of [x, z, ma, mb]) progress.done(u.digest);
    progress.report('done');
    assertTruthfulProgress(events, { finished: true });
    // The rate is what moved (the failed attempt's bytes did travel), not what is done.
    assert.equal(events.find((e) => e.bytesPerSecond !== undefined)?.bytesPerSecond, 450);
  });

  it('counts what a resume kept as done from the first event, but not in the rate', () => {
    const { progress, events, clock, last } = run(images(), { volumes: ['v1', 'v2'] });
    progress.kept(x.digest);
    progress.kept(y.digest);
    progress.report('resume');
    assert.equal(events.length, 1, 'nothing is said before what was kept is counted');
    assert.equal(last().bytesDone, 400);
    assert.deepEqual(last().volumes!.map((v) => v.bytesDone), [220, 180]);
    assert.equal(last().bytesPerSecond, undefined, 'nothing measured yet');
    assert.equal(last().etaSeconds, undefined, 'no ETA before a rate');
    clock.ms = 2000;
    progress.bytes(z.digest, 40);
    progress.done(z.digest);
    assert.equal(last().bytesPerSecond, 20, 'only the 40 bytes this run moved, over 2 s');
    assert.equal(last().etaSeconds, (480 - 450) / 20);
    for (const u of [ma, mb]) progress.done(u.digest);
    progress.report('done');
    assertTruthfulProgress(events, { finished: true });
  });

  it('measures the rate over a sliding window, so the ETA follows a change of pace', () => {
    const big: UnitPlan = { digest: d('9'), size: 100 * MiB };
    const { progress, clock, events } = run([{ source: 'quay.io/x/big:1', units: [big] }], { intervalMs: 250 });
    // 30 s at 1 MiB/s, then 10 s at 4 MiB/s, in 64 KiB chunks.
    for (let ms = 0; ms < 40_000; ms += 62.5) {
      clock.ms = ms;
      progress.bytes(big.digest, (ms < 30_000 ? 1 : 4) * 64 * 1024);
    }
    clock.ms = 40_000;
    const e = progress.snapshot();
    assert.ok(Math.abs(e.bytesPerSecond! - 4 * MiB) / (4 * MiB) < 0.02, `${e.bytesPerSecond} B/s, not the 4 MiB/s of the last 10 s`);
    assert.ok(Math.abs(e.etaSeconds! - (100 - 70) / 4) < 0.2, `ETA ${e.etaSeconds}`);
    // Bytes flowing give an event per interval at most, not one per chunk.
    assert.ok(events.length <= 40_000 / 250 + 1, `${events.length} events`);
    assert.ok(events.length >= 40_000 / 250 - 1, `${events.length} events`);
    assertTruthfulProgress(events);
  });

  it('says nothing until every image of a run declaring them as it goes has declared (or given up), then reports against the whole total', () => {
    const { progress, events } = run([], { expectImages: 3 });
    progress.declare(images()[0]!);
    progress.bytes(x.digest, 100);
    progress.done(x.digest);
    progress.abandon();
    assert.equal(events.length, 0);
    progress.declare(images()[1]!);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.bytesTotal, 480);
    assert.equal(events[0]!.bytesDone, 100);
    assert.deepEqual(events[0]!.images, { done: 0, total: 3, active: [{ source: 'quay.io/x/a:1', bytesDone: 100, bytesTotal: 410 }] }, 'the image that gave up is one of the run, never complete');
  });

  it('lists at most a few active images, and an image needing nothing new is complete at once', () => {
    const many: ImagePlan[] = Array.from({ length: 20 }, (_, i) => ({ source: `quay.io/x/i:${i}`, units: [{ digest: `sha256:${String(i).padStart(64, '0')}`, size: 10 }] }));
    const { progress, events, last } = run([...many, { source: 'quay.io/x/again:1', units: many[0]!.units }]);
    for (const image of many) progress.bytes(image.units[0]!.digest, 5);
    progress.report('mid');
    assert.equal(last().images!.active.length, MAX_ACTIVE_IMAGES);
    assert.equal(last().images!.active[0]!.source, 'quay.io/x/i:0', 'in the order they started');
    for (const image of many) progress.done(image.units[0]!.digest);
    progress.report('done');
    assert.deepEqual(last().images, { done: 21, total: 21, active: [] });
    assertTruthfulProgress(events, { finished: true });
    // What crosses to the app is typed in the contract: every event the model makes passes its schema.
    for (const e of events) progressEventSchema.parse(e);
  });
});

describe('rates and ETA shared by the CLI line and the app', () => {
  it('gives no rate until a second of samples, and the ETA only from a rate', () => {
    const w = new RateWindow();
    w.add(0, 0);
    w.add(500, 500);
    assert.equal(w.rate(), undefined);
    w.add(1000, 1000);
    assert.equal(w.rate(), 1000);
    assert.equal(etaSeconds(5000, w.rate()), 5);
    assert.equal(etaSeconds(5000, undefined), undefined);
    assert.equal(etaSeconds(-5, 10), 0, 'never negative');
    assert.equal(windowRate([]), undefined);
  });

  it('keeps a bounded number of samples however often it is fed', () => {
    const w = new RateWindow(10_000);
    for (let ms = 0; ms <= 60_000; ms += 1) w.add(ms, ms * 10);
    assert.equal(w.rate(), 10_000);
    assert.ok((w as unknown as { samples: unknown[] }).samples.length <= 10_000 / 100 + 2);
  });

  it('measures events that carry no rate of their own, and writes one line from the same figures', () => {
    let ms = 0;
    const measure = measuring(() => ms);
    const at = (done: number): ProgressEvent => ({ phase: 'verify', bytesDone: done, bytesTotal: 10 * MiB, itemsDone: 0, itemsTotal: 2, volume: 'ferry-000001.tar' });
    assert.equal(measure(at(0)).etaSeconds, undefined);
    ms = 2000;
    const e = measure(at(4 * MiB));
    assert.equal(e.bytesPerSecond, 2 * MiB);
    assert.equal(e.etaSeconds, 3);
    assert.equal(progressLine(e), 'verify: ferry-000001.tar, 4.00 MiB of 10.0 MiB (40%), 2.00 MiB/s, ETA 3s');
    const own = measure({ ...at(5 * MiB), bytesPerSecond: 1 });
    assert.equal(own.bytesPerSecond, 1, 'an engine-measured rate is kept');
    assert.equal(measure({ ...at(6 * MiB), images: { done: 0, total: 1, active: [] } }).bytesPerSecond, undefined, "the model's event without a rate has none measured yet");
    assert.equal(measure({ ...at(20 * MiB) }).bytesDone, 10 * MiB, 'held within the total');
  });
});
