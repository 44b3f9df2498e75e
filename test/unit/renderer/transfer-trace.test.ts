import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ProgressEvent } from '../../../shared/progress';
import { ProgressBar } from '../../../renderer/src/components/ProgressBar';
import { Throughput } from '../../../renderer/src/components/Throughput';
import { emptyTrace, etaSeconds, foldTrace, jobSummary, measuredRate, rates, shownDone, shownRate, volumeRows, MAX_SAMPLES, SAMPLE_MS } from '../../../renderer/src/transfer-trace';

const MiB = 1024 * 1024;
const write = (bytesDone: number, volume: string, image?: string): ProgressEvent => ({ phase: 'write-volume', bytesDone, bytesTotal: 100 * MiB, itemsDone: 0, itemsTotal: 10, volume, ...(image ? { image } : {}) });

test('bytes go to the volume file being written; images in flight are the last ones named, newest first', () => {
  let t = emptyTrace();
  const events = [write(0, 'ferry-000001.tar', 'a'), write(10 * MiB, 'ferry-000001.tar', 'a'), write(30 * MiB, 'ferry-000001.tar', 'b'), write(45 * MiB, 'ferry-000002.tar', 'c'), write(50 * MiB, 'ferry-000002.tar', 'b'), write(55 * MiB, 'ferry-000002.tar', 'd')];
  events.forEach((e, i) => (t = foldTrace(t, e, i * SAMPLE_MS)));
  assert.deepEqual([...t.volumes], [['ferry-000001.tar', 30 * MiB], ['ferry-000002.tar', 25 * MiB]]);
  assert.deepEqual(t.recentImages, ['d', 'b', 'c']);
  // An event of another phase (the job's own 'done', a verify pass) does not count as bytes written.
  t = foldTrace(t, { ...write(90 * MiB, 'ferry-000002.tar'), phase: 'verify' }, 7 * SAMPLE_MS);
  assert.equal(t.volumes.get('ferry-000002.tar'), 25 * MiB);
});

test('throughput is sampled once a second, bounded, and the ETA uses the rate of the last ten seconds', () => {
  let t = emptyTrace();
  // 30 s at 1 MiB/s, then 10 s at 4 MiB/s; events every 250 ms.
  let bytes = 0;
  for (let ms = 0; ms <= 40_000; ms += 250) {
    t = foldTrace(t, write(bytes, 'ferry-000001.tar'), ms);
    bytes += (ms < 30_000 ? 1 : 4) * MiB * 0.25;
  }
  assert.equal(t.samples.length, 41);
  assert.ok(rates(t.samples).every((r) => r === MiB || r === 4 * MiB));
  assert.equal(measuredRate(t.samples), 4 * MiB);
  assert.equal(etaSeconds(60 * MiB, 100 * MiB, measuredRate(t.samples)), 10);
  assert.equal(etaSeconds(60 * MiB, 100 * MiB, undefined), undefined);
  assert.equal(etaSeconds(120 * MiB, 100 * MiB, MiB), 0, 'past the total: nothing left, never negative');
  for (let ms = 41_000; ms < 41_000 + 200 * SAMPLE_MS; ms += SAMPLE_MS) t = foldTrace(t, write(bytes, 'ferry-000001.tar'), ms);
  assert.equal(t.samples.length, MAX_SAMPLES);
  assert.equal(measuredRate([{ atMs: 0, bytesDone: 0 }]), undefined);
});

test('no figure shown exceeds its total, while the count itself is kept as reported', () => {
  assert.equal(shownDone(933, 815), 815);
  assert.equal(shownDone(10, 815), 10);
  assert.equal(shownDone(-3, 815), 0);
  assert.equal(shownDone(933, 0), 933, 'without a total there is nothing to exceed');
  const html = renderToStaticMarkup(createElement(ProgressBar, { label: 'Overall (done)', done: 933 * 1024, total: 815 * 1024 }));
  assert.match(html, /815.0 KiB \/ 815.0 KiB \(100%\)/);
  assert.doesNotMatch(html, /933/);
  assert.match(html, /<progress aria-label="Overall \(done\)" max="834560" value="834560">/);
});

test("a finished job's summary: time taken and the average rate over the run", () => {
  const s = jobSummary({ startedAt: '2026-01-01T10:00:00.000Z', endedAt: '2026-01-01T10:01:40.000Z', progress: { phase: 'done', bytesDone: 600 * MiB, bytesTotal: 500 * MiB, itemsDone: 1, itemsTotal: 1 } });
  assert.deepEqual(s, { elapsedSeconds: 100, bytes: 500 * MiB, averageRate: 5 * MiB });
  assert.equal(jobSummary({ startedAt: '2026-01-01T10:00:00.000Z' }), undefined);
});

test('the throughput chart is an SVG with a title, a description in words and a line through its points', () => {
  const samples = [0, 1, 2, 3].map((i) => ({ atMs: i * SAMPLE_MS, bytesDone: i * i * MiB }));
  const html = renderToStaticMarkup(createElement(Throughput, { samples }));
  assert.match(html, /<title id="[^"]+">Throughput<\/title>/);
  assert.match(html, /Throughput over the last 3 s: now 5.00 MiB\/s, peak 5.00 MiB\/s\./);
  assert.equal((html.match(/ L/g) ?? []).length >= 2, true);
  assert.equal(renderToStaticMarkup(createElement(Throughput, { samples: samples.slice(0, 2) })), '', 'one rate is no chart');
});

test('volume files fill in order: those before the one being written are complete, those after are empty, all once the job succeeded', () => {
  const planned = [1, 2, 3].map((n) => ({ name: `ferry-00000${n}.tar`, size: 40 * MiB }));
  let t = emptyTrace();
  // Followed from the middle (a reload): volume 2 is being written, volume 1 was never seen here.
  [write(45 * MiB, 'ferry-000002.tar'), write(50 * MiB, 'ferry-000002.tar')].forEach((e, i) => (t = foldTrace(t, e, i)));
  assert.deepEqual(
    volumeRows(t, false, planned).map((r) => [r.name, r.bytes / MiB, r.complete]),
    [['ferry-000001.tar', 40, true], ['ferry-000002.tar', 5, false], ['ferry-000003.tar', 0, false]],
  );
  assert.deepEqual(volumeRows(t, true, planned).map((r) => r.bytes / MiB), [40, 40, 40]);
  assert.deepEqual(volumeRows(t, false).map((r) => [r.name, r.bytes / MiB, r.size]), [['ferry-000002.tar', 5, undefined]], 'without a plan: what was seen');
  assert.deepEqual(volumeRows(emptyTrace(), false, planned), [], 'nothing written yet: no volume rows');
});

test("the engine's figures drive the view when an event has them: volume bars, images under way, its rate and ETA", () => {
  const model: ProgressEvent = {
    phase: 'write-volume',
    bytesDone: 60 * MiB,
    bytesTotal: 100 * MiB,
    itemsDone: 3,
    itemsTotal: 9,
    bytesPerSecond: 4 * MiB,
    etaSeconds: 10,
    volumes: [
      { name: 'ferry-000001.tar', bytesDone: 50 * MiB, bytesTotal: 50 * MiB },
      { name: 'ferry-000002.tar', bytesDone: 10 * MiB, bytesTotal: 50 * MiB },
    ],
    images: { done: 1, total: 3, active: [{ source: 'quay.io/a/b:1', bytesDone: 10 * MiB, bytesTotal: 30 * MiB }] },
  };
  let t = foldTrace(emptyTrace(), model, 0);
  // A later event without figures (another phase) keeps the last ones.
  t = foldTrace(t, { phase: 'sign', bytesDone: 0, bytesTotal: 0, itemsDone: 0, itemsTotal: 0 }, 100);
  assert.deepEqual(
    volumeRows(t, false).map((r) => [r.name, r.bytes / MiB, r.size! / MiB, r.complete]),
    [['ferry-000001.tar', 50, 50, true], ['ferry-000002.tar', 10, 50, false]],
  );
  const files = [50, 60].map((mib, i) => ({ name: `ferry-00000${i + 1}.tar`, size: mib * MiB }));
  assert.deepEqual(
    volumeRows(t, false, files).map((r) => [r.name, r.bytes / MiB, r.size! / MiB, r.complete]),
    [['ferry-000001.tar', 50, 50, true], ['ferry-000002.tar', 10, 60, false]],
    'against the planned file sizes: a file whose blobs are all in is full',
  );
  assert.deepEqual(volumeRows(t, true, files).map((r) => r.bytes / MiB), [50, 60]);
  assert.deepEqual(t.activeImages, model.images!.active);
  assert.deepEqual(shownRate(t, model), { rate: 4 * MiB, eta: 10 });
  assert.deepEqual(shownRate(t, { ...model, bytesPerSecond: undefined, etaSeconds: undefined }), {}, 'the model had measured nothing yet: no rate, no ETA');
  assert.equal(rates([{ atMs: 0, bytesDone: 0 }, { atMs: 1000, bytesDone: 90 * MiB, rate: 2 * MiB }])[0], 2 * MiB, "the chart plots the engine's rate of moved bytes, not a jump of skipped ones");
});
