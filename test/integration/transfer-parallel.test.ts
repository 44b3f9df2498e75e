import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jobStartSchema, type JobParams } from '../../shared/api/jobs';
import type { ProgressEvent } from '../../shared/progress';
import type { TransferManifest } from '../../shared/transfer/manifest';
import { runners } from '../../electron/worker/runners';
import type { JobContext } from '../../electron/worker/runtime';
import type { Receipt } from '../../shared/transfer/receipt';
import { ferry, worldFlags } from '../support/cli';
import { journalLines, killWhen } from '../support/kill';
import { assertTruthfulProgress } from '../support/progress';
import { pushRelease } from '../support/release';
import { startShapingProxy, type ShapingProxy } from '../support/shaping-proxy';
import { tempDir, type TempDir } from '../support/tmp';
import { startTestWorld, type RegistryEndpoint, type TestWorld } from '../support/world';

const RELEASE = 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64';
/** One-way delay of the link in front of the mirror for the no-op push: requests one after another land at least twice this apart. */
const DELAY_MS = 150;

interface LoggedRequest {
  at: number;
  method: string;
  uri: string;
}

/** Every request the registry authorized, from byte `from` of its log on, with its arrival time (ns precision in the log). */
async function requestsSince(ep: RegistryEndpoint, from: number): Promise<LoggedRequest[]> {
  const log = (await readFile(ep.logFile, 'utf8')).slice(from);
  const out: LoggedRequest[] = [];
  // logrus quotes a value only when it needs it (a digest's colon): a tag's URI stands bare.
  for (const m of log.matchAll(/^time="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z" level=info msg="authorized request".*? http\.request\.method=(\w+) .*?http\.request\.uri=(?:"([^"]+)"|(\S+))/gm)) {
    out.push({ at: Date.parse(`${m[1]}Z`) + Number(`0.${m[2] ?? '0'}`) * 1000, method: m[3]!, uri: m[4] ?? m[5]! });
  }
  return out.sort((a, b) => a.at - b.at);
}

/** Completed blob uploads (PUT … ?digest= … 201) and mounts (POST … ?mount= … 201) in the access log: repository@digest. */
async function blobWritesSince(ep: RegistryEndpoint, from: number): Promise<{ uploads: string[]; mounts: string[] }> {
  const log = (await readFile(ep.logFile, 'utf8')).slice(from);
  const uploads = [...log.matchAll(/"PUT \/v2\/(\S+?)\/blobs\/uploads\/\S*?[?&]digest=sha256(?::|%3A)([a-f0-9]{64})\S* HTTP\/[\d.]+" 201/g)].map((m) => `${m[1]}@sha256:${m[2]}`);
  const mounts = [...log.matchAll(/"POST \/v2\/(\S+?)\/blobs\/uploads\/\?\S*?mount=sha256(?::|%3A)([a-f0-9]{64})\S* HTTP\/[\d.]+" 201/g)].map((m) => `${m[1]}@sha256:${m[2]}`);
  return { uploads, mounts };
}

/**
 * What a namespace of the mirror holds, read from the registry's storage: every link (tags → digests,
 * manifest revisions, layers linked into each repository) by its path under the namespace.
 */
async function storedIn(ep: RegistryEndpoint, namespace: string): Promise<Map<string, string>> {
  const root = join(ep.dataDir, 'docker', 'registry', 'v2', 'repositories', namespace);
  const out = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name === '_uploads') continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.name === 'link') out.set(relative(root, path), await readFile(path, 'utf8'));
    }
  };
  await walk(root);
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

/** A receipt with its target namespace written as NS, so pushes to two namespaces compare. */
function receiptIn(receipt: Receipt, target: string): unknown {
  const { createdAt: _at, ...rest } = receipt;
  return JSON.parse(JSON.stringify(rest).split(target).join('NS'));
}

/** How many requests arrived within one one-way delay of each other at most, and how many groups separated by more. */
function bursts(requests: readonly LoggedRequest[], gapMs: number): { largest: number; waves: number } {
  let largest = 0;
  let waves = 0;
  for (let i = 0, start = 0; i < requests.length; i++) {
    if (i === 0 || requests[i]!.at - requests[i - 1]!.at > gapMs) waves++;
    while (requests[i]!.at - requests[start]!.at > gapMs) start++;
    largest = Math.max(largest, i - start + 1);
  }
  return { largest, waves };
}

/**
 * Issue 16 items 3 and 4 against the real mirror registry: a push is as parallel as its bounds allow yet
 * leaves exactly what a one-at-a-time push leaves, sends every blob once, answers a mirror that already
 * holds everything with a few waves of concurrent checks, resumes after kill -9 with only what was in
 * flight sent again, and the direct mirror (registry to registry) ends with the same digests and tags.
 */
describe('push and direct mirror run in parallel', () => {
  let world: TestWorld;
  let work: TempDir;
  let dir: string;
  let transfer: TransferManifest;
  let proxy: ShapingProxy | undefined;
  let flags: string[];
  /** The receipt of the default push into `parallel`. */
  let pushed: Receipt;

  before(async () => {
    world = await startTestWorld();
    await pushRelease(world, '4.15.3', { layerBytes: 1024 * 1024 });
    work = tempDir('ferry-parallel-');
    dir = join(work.path, 'transfer');
    flags = worldFlags(world);
    const r = await ferry(['mirror', '--release', RELEASE, '--to-dir', dir, '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`, ...flags]);
    assert.equal(r.code, 0, r.stderr);
    transfer = JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
  });
  after(async () => {
    await proxy?.close();
    await world?.stop();
    await work?.cleanup();
  });

  const push = async (namespace: string, extra: string[] = [], host = world.mirror.host, authFlags = flags) => {
    const receipt = join(work.path, `receipt-${namespace}-${extra.join('')}`, 'receipt.json');
    const from = (await stat(world.mirror.logFile)).size;
    const r = await ferry(['push', '--from-dir', dir, '--to', `${host}/${namespace}`, '--receipt', receipt, '--allow-unsigned', ...authFlags, ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return { receipt: JSON.parse(await readFile(receipt, 'utf8')) as Receipt, from };
  };

  it('--parallel 1 and the default leave the same mirror and receipt, and every blob travels once, shared ones included', async () => {
    const serial = await push('serial', ['--parallel', '1']);
    const parallel = await push('parallel');
    pushed = parallel.receipt;
    assert.deepEqual(receiptIn(parallel.receipt, `${world.mirror.host}/parallel`), receiptIn(serial.receipt, `${world.mirror.host}/serial`));
    assert.deepEqual(await storedIn(world.mirror, 'parallel'), await storedIn(world.mirror, 'serial'), 'the same tags, manifests and layer links');

    const layers = new Set(transfer.blobs.filter((b) => b.kind !== 'manifest').map((b) => b.digest));
    for (const [name, run] of [['serial', serial], ['parallel', parallel]] as const) {
      const { uploads, mounts } = await blobWritesSince(world.mirror, run.from);
      const ofRun = (keys: string[]) => keys.filter((k) => k.startsWith(`${name}/`)).map((k) => k.slice(k.lastIndexOf('@') + 1));
      const sent = ofRun(uploads);
      assert.equal(sent.length, new Set(sent).size, `${name}: no blob uploaded twice (${sent.length} uploads)`);
      assert.deepEqual(new Set([...sent, ...ofRun(mounts)]), layers, `${name}: every layer and config sent once, or mounted`);
      // The base layer is in the release image (ocp-release) and in every component (ocp-v4.0-art-dev).
      assert.ok(ofRun(mounts).length >= 1, `${name}: a blob shared across repositories is mounted, not sent again`);
    }
  });

  it('a second push to a mirror holding everything sends no blob and checks in a few waves of concurrent requests', async () => {
    // A link with a round trip of 2 × DELAY_MS in front of the mirror: requests sent one after another
    // land that far apart in the registry's log, requests sent together land together.
    proxy = await startShapingProxy(world.mirror, { name: 'lan', perConnection: 1e9, total: 1e9, delayMs: DELAY_MS });
    const auth = JSON.parse(await readFile(world.authfile, 'utf8')) as { auths: Record<string, unknown> };
    auth.auths[proxy.host] = auth.auths[world.mirror.host];
    const authfile = join(work.path, 'auth-proxy.json');
    await writeFile(authfile, JSON.stringify(auth), { mode: 0o600 });

    const again = await push('parallel', [], proxy.host, ['--authfile', authfile, '--ca-file', world.ca.certPath]);
    const requests = await requestsSince(world.mirror, again.from);
    const { uploads, mounts } = await blobWritesSince(world.mirror, again.from);
    assert.deepEqual([...uploads, ...mounts], [], 'nothing sent or mounted');
    assert.ok(!requests.some((r) => r.method === 'POST' || r.method === 'PATCH'), 'no upload started');
    // Every image's name and tags are written again (the commit point of each image), nothing more.
    const tags = pushed.images.reduce((n, i) => n + (i.tags?.length ?? 0), 0);
    assert.ok(requests.filter((r) => r.method === 'PUT').length >= pushed.images.length + tags, 'names and tags written');

    const heads = requests.filter((r) => r.method === 'HEAD' && r.uri.includes('/blobs/'));
    assert.equal(heads.length, new Set(heads.map((r) => r.uri)).size, 'each blob checked once per repository, whatever number of images use it');
    const stored = [...(await storedIn(world.mirror, 'parallel')).keys()].filter((p) => p.includes('/_layers/')).length;
    assert.equal(heads.length, stored, 'every blob of every repository checked');

    const checks = bursts(heads, DELAY_MS);
    const all = bursts(requests, DELAY_MS);
    process.stdout.write(`# no-op push: ${requests.length} requests in ${all.waves} waves; ${heads.length} blob HEADs in ${checks.waves} waves, up to ${checks.largest} together\n`);
    assert.ok(checks.largest >= 8, `blob checks are sent together (at most ${checks.largest} arrived within one delay)`);
    assert.ok(all.waves <= 16, `${requests.length} requests took ${all.waves} sequential round trips`);
    assert.deepEqual(receiptIn(again.receipt, `${proxy.host}/parallel`), receiptIn(pushed, `${world.mirror.host}/parallel`));
  });

  it("the app's push job, cancelled with blobs in flight then run again twice, reports each blob once across images and repositories, and the last push finds everything done, nothing moved", async () => {
    const params = jobStartSchema.parse({ kind: 'push', params: { fromDir: dir, to: `${world.mirror.host}/app`, allowUnsigned: true, receipt: join(work.path, 'receipt-app', 'receipt.json') } }).params as JobParams<'push'>;
    const job = (onProgress: (e: ProgressEvent) => void, signal = new AbortController().signal): JobContext => ({
      id: 'push-progress',
      signal,
      pullSecret: undefined,
      defaults: { caFiles: [world.ca.certPath], authfile: world.authfile, sourceMirrors: [] },
      onProgress,
      checkpoint: async () => undefined,
    });
    // Cancelled once a few blobs are in: the blobs in flight fail and count no more.
    const cancel = new AbortController();
    const cancelled: ProgressEvent[] = [];
    const onCancelled = (e: ProgressEvent) => {
      cancelled.push(e);
      if (e.itemsDone >= 4) cancel.abort(new Error('cancelled'));
    };
    await assert.rejects(runners.push!(params, job(onCancelled, cancel.signal)));
    assertTruthfulProgress(cancelled);
    const events: ProgressEvent[][] = [[], []];
    for (const run of events) {
      await runners.push!(params, job((e) => run.push(e)));
      assertTruthfulProgress(run, { finished: true });
      assert.equal(run.at(-1)!.bytesTotal, transfer.blobs.reduce((n, b) => n + b.size, 0), 'every blob and manifest of the transfer, once');
      assert.equal(run.at(-1)!.images!.total, transfer.images.length);
    }
    assert.ok(events[0]!.some((e) => e.phase === 'push' && e.bytesDone < e.bytesTotal), 'progress while pushing');
    assert.ok(events[1]!.every((e) => !e.bytesPerSecond && e.etaSeconds === undefined), 'what the mirror holds is done, not a rate');
  });

  it('killed with several blobs in flight at --parallel 8, the rerun sends again only blobs that were in flight', async () => {
    const receiptDir = join(work.path, 'receipt-killed');
    const args = ['push', '--from-dir', dir, '--to', `${world.mirror.host}/killed`, '--receipt', join(receiptDir, 'receipt.json'), '--allow-unsigned', '--parallel', '8', ...flags];
    const journalFile = async () => {
      const name = (await readdir(receiptDir).catch(() => [] as string[])).find((n) => n.startsWith('.ferry-push-'));
      return name ? join(receiptDir, name) : undefined;
    };
    type Line = { t: string; repo?: string; digest?: string };
    const key = (l: Line) => `${l.repo}@${l.digest}`;
    await killWhen(args, async () => {
      const f = await journalFile();
      if (!f) return false;
      const lines = await journalLines<Line>(f);
      const done = new Set(lines.filter((l) => l.t === 'blob').map(key));
      return done.size >= 4 && lines.filter((l) => l.t === 'start' && !done.has(key(l))).length >= 2;
    });
    const lines = await journalLines<Line>((await journalFile())!);
    const confirmed = new Set(lines.filter((l) => l.t === 'blob').map(key));
    const inFlight = new Set(lines.filter((l) => l.t === 'start' && !confirmed.has(key(l))).map(key));
    assert.ok(inFlight.size >= 1, 'killed with blobs in flight');

    const from = (await stat(world.mirror.logFile)).size;
    const r = await ferry(args);
    assert.equal(r.code, 0, r.stderr);
    const { uploads } = await blobWritesSince(world.mirror, from);
    for (const k of uploads) assert.ok(!confirmed.has(k), `${k} was confirmed before the kill and must not travel again`);
    const resent = uploads.filter((k) => lines.some((l) => l.t === 'start' && key(l) === k));
    for (const k of resent) assert.ok(inFlight.has(k), `${k} was sent again, so it must have been in flight`);
    process.stdout.write(`# push killed at --parallel 8: ${inFlight.size} blob(s) in flight, ${resent.length} sent again\n`);
    assert.deepEqual(await storedIn(world.mirror, 'killed'), await storedIn(world.mirror, 'serial'), 'the mirror of an uninterrupted push');
  });

  it('the direct mirror (registry to registry) leaves the same digests and tags as the push', async () => {
    const from = (await stat(world.mirror.logFile)).size;
    const r = await ferry(['mirror', '--release', RELEASE, '--to', `${world.mirror.host}/direct`, '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`, ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await storedIn(world.mirror, 'direct'), await storedIn(world.mirror, 'parallel'));
    const { uploads } = await blobWritesSince(world.mirror, from);
    assert.equal(uploads.length, new Set(uploads.map((k) => k.slice(k.lastIndexOf('@') + 1))).size, 'no blob sent twice');
  });
});
