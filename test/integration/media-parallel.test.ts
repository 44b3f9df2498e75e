import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEngineContext, engineOptionsFrom, NEAR_PARALLEL, NEAR_ROUND_TRIP_MS } from '../../electron/engine/context';
import { DockerSource } from '../../electron/engine/copy/docker';
import { HEAD_START_MIN_BLOB } from '../../electron/engine/transfer/head-start';
import { headStartFor, mirrorToDisk } from '../../electron/engine/transfer/mirror-to-disk';
import { planTransfer, type TransferPlan } from '../../electron/engine/transfer/plan';
import type { ProgressEvent } from '../../shared/progress';
import { parseReference } from '../../shared/reference';
import { isParentLocation, type TransferManifest } from '../../shared/transfer/manifest';
import { ferry, worldFlags } from '../support/cli';
import { startDelayProxy, type DelayProxy } from '../support/delay-proxy';
import { journalLines, killWhen } from '../support/kill';
import { pushRelease, type FixtureRelease } from '../support/release';
import { assertTruthfulProgress } from '../support/progress';
import { tempDir } from '../support/tmp';
import { authfileFor, registryLog, startTestWorld, type TestWorld } from '../support/world';

const RELEASE = 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64';
const PARALLEL = 6;
/**
 * Per-connection lags of the source proxy: blobs on a slow connection land after later ones on a fast one. Every
 * connection lags, as over a WAN: one answering at once would make the source near, with fewer transfers and no
 * head start (EngineContext.parallelFor).
 */
const LAGS_MS = [10, 300, 40, 600, 20, 150];

interface JournalLine {
  t: string;
  blob?: { digest: string };
  closed?: Array<{ name: string }>;
}

/** The sha256 of every volume file of a transfer directory, by name. */
async function volumeHashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.tar')).sort()) {
    out[name] = createHash('sha256').update(await readFile(join(dir, name))).digest('hex');
  }
  return out;
}

/** transfer.json without what differs between any two runs by design: its id and creation time. */
async function deterministicManifest(dir: string): Promise<Omit<TransferManifest, 'id' | 'createdAt'>> {
  const { id: _id, createdAt: _createdAt, ...rest } = JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
  return rest;
}

/** Completed blob GETs in the source registry's access log from byte `from` on, counted by digest. */
async function blobGets(world: TestWorld, from: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of (await registryLog(world.source)).slice(from).matchAll(/"GET \/v2\/\S+?\/blobs\/(sha256:[a-f0-9]{64}) HTTP\/[\d.]+" 200/g)) out.set(m[1]!, (out.get(m[1]!) ?? 0) + 1);
  return out;
}

const logSize = async (world: TestWorld) => (await registryLog(world.source)).length;

/**
 * Issue 16 items 1 and 2 with real registries and the real CLI: blobs fetched up to --parallel at once
 * through a source proxy that delays some connections (so they complete out of order) land at the places
 * a serial run gives them: the same volume bytes and transfer.json; kill -9 with blobs in flight, then a
 * rerun, ends with the same bytes, fetching again at most the blobs that were in flight. Blobs whose download
 * began while the plan was read (head-start.ts) are written at the same places.
 */
describe('parallel mirror to disk into the planned layout', () => {
  let world: TestWorld;
  let rel: FixtureRelease;
  let proxy: DelayProxy;
  let work: { path: string; cleanup(): Promise<void> };
  let volumeSize: string;
  let serialDir: string;
  /** Blob GETs of one uninterrupted serial run: planning fetches plus one per blob written. */
  let serialGets: Map<string, number>;
  let proxied: string[];
  let proxyAuth: string;
  /** Planned by the first parallel run, through the proxy; the stopped-and-resumed run writes the same plan. */
  let plan: TransferPlan;

  before(async () => {
    world = await startTestWorld();
    rel = await pushRelease(world, '4.15.3', { layerBytes: 512 * 1024 });
    proxy = await startDelayProxy(world.source, LAGS_MS);
    work = tempDir('ferry-parallel-');
    // Smaller than the largest blob: several volumes, a blob split into parts.
    const largest = Math.max(...rel.blobs.values());
    volumeSize = String(Math.max(64 * 1024, Math.floor((largest * 0.75) / 512) * 512));
    proxyAuth = await authfileFor(world, proxy.host, join(work.path, 'proxy-auth.json'));
    // No release signatures: the in-process run below plans without them, as this world has no signature store.
    proxied = ['--authfile', proxyAuth, '--ca-file', world.ca.certPath, '--no-release-signatures', '--source-mirror', `quay.io/openshift-release-dev=${proxy.host}/openshift-release-dev`];
    serialDir = join(work.path, 'serial');
    const from = await logSize(world);
    const r = await ferry(['mirror', '--release', RELEASE, '--to-dir', serialDir, '--volume-size', volumeSize, '--parallel', '1', '--no-release-signatures', ...worldFlags(world), '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`]);
    assert.equal(r.code, 0, r.stderr);
    serialGets = await blobGets(world, from);
  });
  after(async () => {
    await proxy?.close();
    await world?.stop();
    await work?.cleanup();
  });

  it('a registry warmed for --parallel requests opens that many connections at once, and as many requests after it reuse them', async () => {
    const relay = await startDelayProxy(world.source, [0]);
    const ctx = await createEngineContext(engineOptionsFrom({ authfile: await authfileFor(world, relay.host, join(work.path, 'warm-auth.json')), caFile: [world.ca.certPath], parallel: PARALLEL }));
    try {
      await ctx.registry(relay.host).warm(PARALLEL);
      assert.equal(relay.connections, PARALLEL);
      const release = parseReference(`${relay.host}/openshift-release-dev/ocp-release:4.15.3-x86_64`);
      const manifests = await Promise.all(Array.from({ length: PARALLEL }, () => new DockerSource(ctx, release).getManifest(undefined)));
      assert.deepEqual(new Set(manifests.map((m) => m.digest)), new Set([rel.digest]));
      assert.equal(relay.connections, PARALLEL, 'no request opened a connection of its own');
    } finally {
      await ctx.close();
      await relay.close();
    }
  });

  it('blobs completing in shuffled order give the volumes and transfer.json of --parallel 1; progress stays within its totals', async () => {
    const serial = await deterministicManifest(serialDir);
    assert.ok(serial.volumes.length >= 3, `${serial.volumes.length} volumes`);
    assert.ok(serial.blobs.some((b) => 'parts' in b.location), 'a split blob');
    const events: ProgressEvent[] = [];
    const ctx = await createEngineContext(
      engineOptionsFrom({
        authfile: proxyAuth,
        caFile: [world.ca.certPath],
        sourceMirror: [`quay.io/openshift-release-dev=${proxy.host}/openshift-release-dev`],
        parallel: PARALLEL,
        onProgress: (e) => events.push(e),
      }),
    );
    const dir = join(work.path, 'parallel');
    // As the CLI runs it: blobs begin to download while the plan is read, and the writer takes them over.
    const headStart = (await headStartFor(ctx, dir))!;
    try {
      plan = await planTransfer(ctx, { release: RELEASE, onPlanned: (image) => headStart.offer(image) });
      const begun = [...new Set(plan.images.flatMap((i) => i.images.flatMap((m) => m.blobs.map((b) => b.digest))))].filter((d) => headStart.has(d));
      assert.equal(begun.length, PARALLEL, 'downloads begun while the plan was read, --parallel of them');
      const sizes = new Map(plan.images.flatMap((i) => i.images.flatMap((m) => m.blobs.map((b) => [b.digest, b.size] as const))));
      assert.ok(
        begun.every((d) => sizes.get(d)! >= HEAD_START_MIN_BLOB),
        'no small blob (a config) holds one of them',
      );
      events.length = 0;
      await mirrorToDisk(ctx, plan, { toDir: dir, volumeSize: Number(volumeSize), requested: { release: RELEASE, images: [] }, headStart });
      assert.deepEqual(begun.filter((d) => headStart.has(d)), [], 'every download begun was taken over by the writer');
    } finally {
      headStart.close();
      await ctx.close();
    }
    assert.deepEqual(await volumeHashes(dir), await volumeHashes(serialDir));
    assert.deepEqual(await deterministicManifest(dir), serial);

    // The order blobs completed in (each completion raises itemsDone) is not the planned order.
    const completed: string[] = [];
    let items = 0;
    for (const e of events) {
      if (e.phase === 'write-volume' && e.itemsDone > items && e.blob) completed.push(e.blob);
      items = Math.max(items, e.itemsDone);
    }
    const planned = serial.blobs.map((b) => b.digest);
    assert.equal(completed.length, planned.length);
    assert.notDeepEqual(completed, planned, 'the delaying proxy made blobs complete out of the planned order');

    const written = serial.blobs.filter((b) => !isParentLocation(b.location)).reduce((n, b) => n + b.size, 0);
    let done = 0;
    for (const e of events.filter((x) => x.phase === 'write-volume' || x.phase === 'done')) {
      assert.equal(e.bytesTotal, written);
      assert.ok(e.bytesDone <= e.bytesTotal, `${e.bytesDone} bytes done of ${e.bytesTotal}`);
      assert.ok(e.bytesDone >= done, 'bytes done never go back in a run without failures');
      assert.ok(e.itemsDone <= e.itemsTotal, `${e.itemsDone} items of ${e.itemsTotal}`);
      done = e.bytesDone;
    }
    assert.equal(events.at(-1)!.phase, 'done');
    assert.equal(events.at(-1)!.bytesDone, written);
    // Overall, per image and per volume within their totals at every event, the volumes adding up, the ETA the rate's.
    assertTruthfulProgress(events, { finished: true });
    assert.deepEqual(events.at(-1)!.volumes!.map((v) => v.name), serial.volumes.map((v) => v.name));
    assert.equal(events.at(-1)!.images!.total, plan.images.length);
  });

  it('a source answering within NEAR_ROUND_TRIP_MS is near: at most NEAR_PARALLEL blobs in flight and no head start, the same volumes', async () => {
    const wide = 16;
    const direct = await createEngineContext(
      engineOptionsFrom({ authfile: world.authfile, caFile: [world.ca.certPath], sourceMirror: [`quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`], parallel: wide }),
    );
    const client = direct.registry(world.source.host);
    // Counts the blob responses open at once: each is one transfer in flight.
    const open = client.openBlob.bind(client);
    let streams = 0;
    let peak = 0;
    client.openBlob = (...args: Parameters<typeof open>) => {
      const stream = open(...args);
      peak = Math.max(peak, ++streams);
      stream.once('close', () => streams--);
      return stream;
    };
    const dir = join(work.path, 'near');
    const headStart = (await headStartFor(direct, dir))!;
    try {
      assert.equal(direct.parallelFor([world.source.host]), wide, 'a registry that has not answered yet is taken as far');
      const nearPlan = await planTransfer(direct, { release: RELEASE, onPlanned: (image) => headStart.offer(image) });
      assert.ok(client.link().roundTripMs < NEAR_ROUND_TRIP_MS, `quickest answer ${client.link().roundTripMs} ms`);
      assert.equal(direct.parallelFor([world.source.host]), NEAR_PARALLEL);
      const blobs = nearPlan.images.flatMap((i) => i.images.flatMap((m) => m.blobs.map((b) => b.digest)));
      assert.deepEqual(blobs.filter((d) => headStart.has(d)), [], 'no download began while the plan was read');
      peak = 0;
      await mirrorToDisk(direct, nearPlan, { toDir: dir, volumeSize: Number(volumeSize), requested: { release: RELEASE, images: [] }, headStart });
      assert.ok(peak > 1 && peak <= NEAR_PARALLEL, `${peak} blobs in flight at most`);
    } finally {
      headStart.close();
      await direct.close();
    }
    assert.deepEqual(await volumeHashes(dir), await volumeHashes(serialDir));

    // The same registry behind the lagging proxy is far, however quick its own answers.
    const far = await createEngineContext(engineOptionsFrom({ authfile: proxyAuth, caFile: [world.ca.certPath], parallel: wide }));
    try {
      await new DockerSource(far, parseReference(`${proxy.host}/openshift-release-dev/ocp-release:4.15.3-x86_64`)).getManifest(undefined);
      assert.ok(far.registry(proxy.host).link().roundTripMs >= Math.min(...LAGS_MS));
      assert.equal(far.parallelFor([proxy.host]), wide);
    } finally {
      await far.close();
    }
  });

  it('a run stopped with blobs in flight, then resumed: kept blobs count as done from the first event, nothing twice', async () => {
    const dir = join(work.path, 'stopped');
    const options = { authfile: proxyAuth, caFile: [world.ca.certPath], sourceMirror: [`quay.io/openshift-release-dev=${proxy.host}/openshift-release-dev`], parallel: PARALLEL };
    const stop = new AbortController();
    const first: ProgressEvent[] = [];
    const ctx = await createEngineContext(engineOptionsFrom({ ...options, signal: stop.signal, onProgress: (e) => (first.push(e), e.itemsDone >= 4 && stop.abort(new Error('stopped'))) }));
    try {
      await assert.rejects(mirrorToDisk(ctx, plan, { toDir: dir, volumeSize: Number(volumeSize), requested: { release: RELEASE, images: [] } }));
    } finally {
      await ctx.close();
    }
    assertTruthfulProgress(first);
    const second: ProgressEvent[] = [];
    const again = await createEngineContext(engineOptionsFrom({ ...options, onProgress: (e) => second.push(e) }));
    let resumed: number;
    try {
      resumed = (await mirrorToDisk(again, plan, { toDir: dir, volumeSize: Number(volumeSize), requested: { release: RELEASE, images: [] } })).resumedBlobs;
    } finally {
      await again.close();
    }
    assert.ok(resumed >= 4, `${resumed} blobs kept`);
    const kept = second[0]!;
    assert.equal(kept.phase, 'resume');
    assert.equal(kept.itemsDone, resumed, 'what the resume kept is done from the start');
    assert.ok(kept.bytesDone > 0 && kept.bytesDone < kept.bytesTotal);
    assert.equal(kept.bytesPerSecond, undefined, 'kept bytes are not a rate');
    assertTruthfulProgress(second, { finished: true });
    assert.deepEqual(await volumeHashes(dir), await volumeHashes(serialDir));
  });

  it('kill -9 at three points with blobs in flight: the reruns end with the same bytes and fetch again at most the blobs in flight', async () => {
    const dir = join(work.path, 'killed');
    const args = ['mirror', '--release', RELEASE, '--to-dir', dir, '--volume-size', volumeSize, '--parallel', String(PARALLEL), ...proxied];
    const journal = join(dir, '.ferry-journal.jsonl');
    const blobLines = async () => (await journalLines<JournalLine>(journal)).filter((l) => l.t === 'blob');
    const journaledAt: Array<Set<string>> = [];
    const runs: Array<Map<string, number>> = [];
    const killPoints: Array<(lines: JournalLine[]) => boolean> = [
      (lines) => lines.length >= 3,
      (lines) => lines.length >= journaledAt[0]!.size + 4,
      (lines) => lines.length >= journaledAt[1]!.size + 2 && lines.some((l) => (l.closed?.length ?? 0) > 0),
    ];
    for (const point of killPoints) {
      const from = await logSize(world);
      await killWhen(args, async () => point(await blobLines()));
      // The registry logs a request once its handler ends: give the ones cut by the kill a moment.
      await new Promise((r) => setTimeout(r, 500));
      runs.push(await blobGets(world, from));
      journaledAt.push(new Set((await blobLines()).flatMap((l) => (l.blob ? [l.blob.digest] : []))));
    }
    const total = (await deterministicManifest(serialDir)).blobs.length;
    assert.ok(journaledAt[2]!.size < total, 'the last kill came before the end');
    const from = await logSize(world);
    const r = await ferry(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Resumed: ${journaledAt[2]!.size} blob\\(s\\) already on the media were kept`));
    runs.push(await blobGets(world, from));

    assert.deepEqual(await volumeHashes(dir), await volumeHashes(serialDir));
    assert.deepEqual(await deterministicManifest(dir), await deterministicManifest(serialDir));

    // Journal-proven: a blob journaled before a kill is never fetched again after it, beyond the planning fetches every run makes.
    for (const [i, kept] of journaledAt.entries()) {
      for (const later of runs.slice(i + 1)) {
        for (const d of kept) assert.ok((later.get(d) ?? 0) <= (serialGets.get(d) ?? 1) - 1, `${d}, journaled before kill ${i + 1}, was fetched again`);
      }
    }
    // Registry-proven: over the four runs, blob fetches beyond one serial run's are at most the blobs in flight at each kill.
    let extra = 0;
    for (const d of new Set(runs.flatMap((m) => [...m.keys()]))) {
      const planning = (serialGets.get(d) ?? 1) - 1;
      const fetched = runs.reduce((n, m) => n + (m.get(d) ?? 0), 0);
      extra += Math.max(0, fetched - runs.length * planning - 1);
    }
    assert.ok(serialGets.size > 0, 'the registry log shows blob fetches');
    assert.ok(extra <= killPoints.length * PARALLEL, `${extra} blobs fetched again, more than ${PARALLEL} in flight at each of ${killPoints.length} kills`);
  });
});
