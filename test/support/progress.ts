import assert from 'node:assert/strict';
import { MAX_ACTIVE_IMAGES, type ProgressEvent } from '../../shared/progress';

/**
 * What every progress event of a run must satisfy (issue 16, issue 20): no figure past its total, overall,
 * per image and per volume; the volumes' figures add up to the run's; an ETA only from a measured rate, and
 * the one the rate gives. With `finished`, the last event is the whole run done.
 */
export function assertTruthfulProgress(events: readonly ProgressEvent[], opts: { finished?: boolean } = {}): void {
  assert.ok(events.length > 0, 'no progress event at all');
  for (const e of events) {
    const where = `${e.phase} event ${JSON.stringify({ ...e, volumes: undefined, images: undefined })}`;
    assert.ok(e.bytesDone >= 0 && e.bytesDone <= e.bytesTotal, `bytes past the total: ${where}`);
    assert.ok(e.itemsDone >= 0 && e.itemsDone <= e.itemsTotal, `items past the total: ${where}`);
    if (e.volumes) {
      for (const v of e.volumes) assert.ok(v.bytesDone >= 0 && v.bytesDone <= v.bytesTotal, `volume ${v.name}: ${v.bytesDone} of ${v.bytesTotal} in ${where}`);
      assert.equal(e.volumes.reduce((n, v) => n + v.bytesDone, 0), e.bytesDone, `the volumes' bytes done add up to the run's: ${where}`);
      assert.equal(e.volumes.reduce((n, v) => n + v.bytesTotal, 0), e.bytesTotal, `the volumes' totals add up to the run's: ${where}`);
    }
    if (e.images) {
      assert.ok(e.images.done >= 0 && e.images.done <= e.images.total, `images ${e.images.done} of ${e.images.total} in ${where}`);
      assert.ok(e.images.active.length <= MAX_ACTIVE_IMAGES, `${e.images.active.length} active images listed`);
      for (const i of e.images.active) assert.ok(i.bytesDone >= 0 && i.bytesDone <= i.bytesTotal, `image ${i.source}: ${i.bytesDone} of ${i.bytesTotal} in ${where}`);
      assert.ok(e.images.active.reduce((n, i) => n + i.bytesDone, 0) <= e.bytesDone, `the active images hold more bytes than the run: ${where}`);
    }
    if (e.etaSeconds !== undefined) {
      assert.ok(e.bytesPerSecond !== undefined && e.bytesPerSecond > 0, `an ETA without a measured rate: ${where}`);
      assert.ok(Math.abs(e.etaSeconds - (e.bytesTotal - e.bytesDone) / e.bytesPerSecond) < 1e-6, `the ETA is not what is left at the measured rate: ${where}`);
    }
  }
  if (opts.finished) {
    const last = events.at(-1)!;
    assert.equal(last.phase, 'done');
    assert.ok(last.bytesTotal > 0, 'a finished run reports a total');
    assert.equal(last.bytesDone, last.bytesTotal, 'the last event is the whole total');
    assert.equal(last.itemsDone, last.itemsTotal);
    if (last.images) {
      assert.equal(last.images.done, last.images.total, 'every image complete at the end');
      assert.deepEqual(last.images.active, []);
    }
    for (const v of last.volumes ?? []) assert.equal(v.bytesDone, v.bytesTotal, `volume ${v.name} full at the end`);
  }
}
