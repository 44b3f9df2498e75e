import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isParentLocation, type TransferManifest } from '../../shared/transfer/manifest';
import type { Receipt } from '../../shared/transfer/receipt';
import type { OperatorReport } from '../../electron/engine/reports/model';
import { MemorySecretStore } from '../../electron/jobs/secrets/secret-store';
import { planExport } from '../../electron/host/handlers/release';
import { runners } from '../../electron/worker/runners';
import type { JobContext } from '../../electron/worker/runtime';
import { jobStartSchema, type JobParams } from '../../shared/api/jobs';
import { FerryError } from '../../shared/errors';
import { ferry, worldFlags } from '../support/cli';
import { pinnedBytes } from '../support/installer-binary';
import { inspectManifest } from '../support/push';
import { pushRelease, type FixtureRelease } from '../support/release';
import { tempDir } from '../support/tmp';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

const release = (v: string) => `quay.io/openshift-release-dev/ocp-release:${v}-x86_64`;

async function readManifest(dir: string): Promise<TransferManifest> {
  return JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
}

/**
 * Issue 4 items 2 and 4 with the real CLI and registries: 4.15.3 to media, pushed, its receipt carried
 * back; 4.15.4 `--since` that receipt writes only what is new, pushes into the mirror holding 4.15.3, and
 * is refused by a mirror that never received the parent. The installer comes out of either release, from
 * the registry or from the media (one world for both: releases are slow to build).
 */
describe('release updates: incremental transfer since a receipt, installer extraction', () => {
  let world: TestWorld;
  let rel3: FixtureRelease;
  let rel4: FixtureRelease;
  let work: { path: string; cleanup(): Promise<void> };
  let flags: string[];
  let base: TransferManifest;
  let delta: TransferManifest;
  let fingerprint: string;
  let key: string;
  const baseDir = () => join(work.path, 'base');
  const deltaDir = () => join(work.path, 'delta');
  // What the app's handlers and job worker get from their host, as ferry serve --source-mirror gives it.
  const appDefaults = () => ({ caFiles: [world.ca.certPath], authfile: world.authfile, sourceMirrors: [`quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`] });
  const appJob = (id: string): JobContext => ({ id, signal: new AbortController().signal, pullSecret: undefined, defaults: appDefaults(), onProgress: () => undefined, checkpoint: async () => undefined });

  before(async () => {
    world = await startTestWorld();
    // Layers of real-ish size relative to per-entry overhead (tar headers, manifests, the OCI tail).
    rel3 = await pushRelease(world, '4.15.3', { layerBytes: 256 * 1024 });
    rel4 = await pushRelease(world, '4.15.4', { layerBytes: 256 * 1024 });
    work = tempDir('ferry-incremental-');
    flags = [...worldFlags(world), '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`];
    const m = await ferry(['mirror', '--release', release('4.15.3'), '--to-dir', baseDir(), ...flags]);
    assert.equal(m.code, 0, m.stderr);
    base = await readManifest(baseDir());
    const p = await ferry(['push', '--from-dir', baseDir(), '--to', `${world.mirror.host}/ocp4`, '--allow-unsigned', ...worldFlags(world)]);
    assert.equal(p.code, 0, p.stderr);
    key = join(work.path, 'site');
    assert.equal((await ferry(['keys', 'generate', '--out', key])).code, 0);
    const d = await ferry(['mirror', '--release', release('4.15.4'), '--to-dir', deltaDir(), '--since', join(baseDir(), 'receipt.json'), '--sign-key', `${key}.key`, ...flags]);
    assert.equal(d.code, 0, d.stderr);
    fingerprint = d.stdout.match(/Key fingerprint \(compare it on the other side\): (.+)$/m)?.[1] ?? '';
    assert.notEqual(fingerprint, '');
    assert.match(d.stdout, /Delta since transfer .*: \d+ blob\(s\).* already in the mirror were recorded, not written/);
    delta = await readManifest(deltaDir());
  });
  after(async () => {
    await world?.stop();
    await work?.cleanup();
  });

  it('records the receipt as parent and writes at most 1.05x the bytes of blobs new in 4.15.4', async () => {
    const receiptBytes = await readFile(join(baseDir(), 'receipt.json'));
    const receipt = JSON.parse(receiptBytes.toString('utf8')) as Receipt;
    assert.deepEqual(delta.parent, { id: base.id, kind: 'receipt', digest: `sha256:${createHash('sha256').update(receiptBytes).digest('hex')}` });
    assert.equal(receipt.transferId, base.id);
    for (const i of base.images) assert.ok(receipt.blobs.includes(i.digest), `the receipt lists manifest ${i.digest}`);

    const newBlobs = [...rel4.blobs].filter(([d]) => !rel3.blobs.has(d));
    const newBytes = newBlobs.reduce((n, [, s]) => n + s, 0);
    const written = delta.volumes.reduce((n, v) => n + v.size, 0);
    assert.ok(newBlobs.length > 0);
    assert.ok(written <= 1.05 * newBytes, `wrote ${written} bytes for ${newBytes} new-blob bytes (ratio ${(written / newBytes).toFixed(3)})`);
    // Every blob of 4.15.4 is accounted for: new ones on the media, the rest taken from the parent.
    const onMedia = new Set(delta.blobs.filter((b) => !isParentLocation(b.location)).map((b) => b.digest));
    for (const [d] of newBlobs) assert.ok(onMedia.has(d), `new blob ${d} is on the media`);
    for (const d of rel4.blobs.keys()) assert.ok(delta.blobs.some((b) => b.digest === d), `4.15.4 blob ${d} is listed`);
    assert.equal(delta.release?.digest, rel4.digest);

    const v = await ferry(['verify', '--dir', deltaDir(), '--trust', `${key}.pub`]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  it('a transfer.json as --since gives the same delta, with the transfer as parent', async () => {
    const dir = join(work.path, 'delta-from-transfer');
    const r = await ferry(['mirror', '--release', release('4.15.4'), '--to-dir', dir, '--since', join(baseDir(), 'transfer.json'), ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const m = await readManifest(dir);
    assert.equal(m.parent?.kind, 'transfer');
    assert.equal(m.parent?.id, base.id);
    const parentOf = (t: TransferManifest) => t.blobs.filter((b) => isParentLocation(b.location)).map((b) => b.digest).sort();
    assert.deepEqual(parentOf(m), parentOf(delta));
  });

  it("the app's plan and mirror job take the same receipt: the delta's size planned, the same blobs written", async () => {
    const defaults = appDefaults();
    const since = join(baseDir(), 'receipt.json');
    const toDir = join(work.path, 'app-delta');
    const plan = await planExport(new MemorySecretStore(), defaults, { release: release('4.15.4'), images: [], toDir, since, caPems: [] });
    const job = appJob('app-delta');
    await runners.mirror!({ release: release('4.15.4'), images: [], toDir, since, credentials: [], caPems: [] }, job);
    const app = await readManifest(toDir);
    assert.deepEqual(app.parent, delta.parent);
    assert.deepEqual(app.requested.since, since);
    const onMedia = (m: TransferManifest) => m.blobs.filter((b) => !isParentLocation(b.location)).map((b) => b.digest).sort();
    assert.deepEqual(onMedia(app), onMedia(delta));
    // The plan's bytes are the disk space asked for: the volumes the job wrote, plus room for transfer.json.
    const full = await planExport(new MemorySecretStore(), defaults, { release: release('4.15.4'), images: [], toDir, caPems: [] });
    const written = app.volumes.reduce((n, v) => n + v.size, 0);
    assert.ok(written <= plan.volumes.bytes, `wrote ${written} bytes, more than the ${plan.volumes.bytes} planned`);
    // The plan's picture is the media: each volume file as written, and the blobs on it shared out once among the images.
    assert.deepEqual(plan.volumes.files, app.volumes.map((v) => ({ name: v.name, size: v.size })));
    const onMediaBytes = app.blobs.filter((b) => !isParentLocation(b.location)).reduce((n, b) => n + b.size, 0);
    assert.equal(plan.images.reduce((n, i) => n + i.written.reduce((m, w) => m + w.bytes, 0), 0), onMediaBytes);
    assert.ok(plan.volumes.bytes < full.volumes.bytes / 2, `the delta plan (${plan.volumes.bytes}) is not much smaller than the full one (${full.volumes.bytes})`);
    await assert.rejects(
      planExport(new MemorySecretStore(), defaults, { release: release('4.15.4'), images: [], toDir, since: 'receipt.json', caPems: [] }),
      (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && /absolute/.test(e.message),
    );
  });

  it('refuses the delta against a mirror without the parent, naming the parent, and pushes nothing', async () => {
    const r = await ferry(['push', '--from-dir', deltaDir(), '--to', `${world.mirror.host}/empty`, '--receipt', join(work.path, 'empty-receipt.json'), '--trust', `${key}.pub`, ...worldFlags(world)]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`Push the parent transfer ${base.id} first`), r.stderr);
    await assert.rejects(skopeo(world, ['inspect', '--raw', `docker://${world.mirror.host}/empty/ocp-release:4.15.4-x86_64`]));
    const changed = rel4.components.find((c) => c.name === 'installer')!;
    await assert.rejects(skopeo(world, ['inspect', '--raw', `docker://${world.mirror.host}/empty/ocp-v4.0-art-dev@${changed.digest}`]));
  });

  it('pushes the delta into the mirror holding 4.15.3: every 4.15.4 digest is there, verify --against passes, the report says so', async () => {
    const reportPath = join(work.path, 'push-report.json');
    const r = await ferry(['push', '--from-dir', deltaDir(), '--to', `${world.mirror.host}/ocp4`, '--report', reportPath, '--trust', fingerprint, ...worldFlags(world)]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(await readFile(reportPath, 'utf8')) as OperatorReport;
    assert.equal(report.kind, 'push');
    assert.equal(report.ok, true);
    assert.equal(report.signature?.fingerprint, fingerprint, 'the fingerprint mirror printed');
    assert.equal(report.counts.images, delta.images.length);
    assert.equal(report.counts.parentBlobs, delta.blobs.filter((b) => isParentLocation(b.location)).length);
    const onMediaBytes = delta.blobs.filter((b) => !isParentLocation(b.location) && b.kind !== 'manifest').reduce((n, b) => n + b.size, 0);
    assert.ok(report.bytes.sent! > 0 && report.bytes.sent! <= 2 * onMediaBytes, `sent ${report.bytes.sent} for ${onMediaBytes} new bytes`);
    const md = await readFile(join(work.path, 'push-report.md'), 'utf8');
    assert.match(md, /# Ferry push report: PASSED/);
    assert.ok(md.includes(fingerprint));
    for (const c of rel4.components) {
      const got = await inspectManifest(world, `${world.mirror.host}/ocp4/ocp-v4.0-art-dev@${c.digest}`);
      assert.equal(got.digest, c.digest, c.name);
    }
    const tagged = await skopeo(world, ['inspect', '--format', '{{.Digest}}', `docker://${world.mirror.host}/ocp4/ocp-release:4.15.4-x86_64`]);
    assert.equal(tagged.stdout.trim(), rel4.digest);
    // Every 4.15.4 component carries its oc tag, those the delta took from its parent (unchanged, not on the media) too.
    const tags = (JSON.parse((await skopeo(world, ['list-tags', `docker://${world.mirror.host}/ocp4/ocp-v4.0-art-dev`])).stdout) as { Tags: string[] }).Tags;
    for (const c of rel4.components) assert.ok(tags.includes(`4.15.4-x86_64-${c.name}`) && tags.includes(`4.15.3-x86_64-${c.name}`), `${c.name}: both releases' tags`);
    const unchanged = rel4.components.find((c) => !rel4.changed.includes(c.name) && c.name !== 'pod')!;
    const same = await skopeo(world, ['inspect', '--raw', `docker://${world.mirror.host}/ocp4/ocp-v4.0-art-dev:4.15.4-x86_64-${unchanged.name}`]);
    assert.equal(`sha256:${createHash('sha256').update(same.stdout).digest('hex')}`, unchanged.digest);
    const receipt = JSON.parse(await readFile(join(deltaDir(), 'receipt.json'), 'utf8')) as Receipt;
    assert.equal(receipt.images.length, delta.images.length, 'the receipt names every image of 4.15.4, parent ones included');
    for (const d of rel4.blobs.keys()) assert.ok(receipt.blobs.includes(d), `receipt lists ${d}`);
    const against = await ferry(['verify', '--dir', deltaDir(), '--trust', `${key}.pub`, '--against', `${world.mirror.host}/ocp4`, ...worldFlags(world)]);
    assert.equal(against.code, 0, against.stdout + against.stderr);
  });

  // The installer as oc leaves it for that release: pinned by digest (the name the release was read by), its version and architecture.
  const pinned = (r: FixtureRelease) => pinnedBytes(r.installer.binary, { releaseImage: r.quayPullspec, releaseVersion: r.version, releaseArchitecture: 'linux/amd64' });

  it('extracts openshift-install from the registry and from transfer directories, pinned to the release, mode 0755', async () => {
    const cases: Array<{ args: string[]; want: FixtureRelease }> = [
      { args: ['--release', release('4.15.4'), ...flags], want: rel4 },
      { args: ['--from-dir', baseDir()], want: rel3 },
      // The installer changed in 4.15.4, so the delta carries it.
      { args: ['--from-dir', deltaDir()], want: rel4 },
    ];
    for (const [i, c] of cases.entries()) {
      const to = join(work.path, `bin-${i}`);
      const r = await ferry(['extract', ...c.args, '--command', 'openshift-install', '--to', to]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const file = join(to, 'openshift-install');
      assert.ok((await readFile(file)).equals(pinned(c.want)), `case ${i}: the bytes of ${c.want.version}'s installer, pinned`);
      assert.equal((await stat(file)).mode & 0o777, 0o755);
    }
    const bad = await ferry(['extract', '--from-dir', baseDir(), '--command', 'kubectl', '--to', join(work.path, 'bin-x')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Known commands: .*\boc\b.*openshift-install/);
  });

  it("the app's extract job takes the installer from the media or from the registry, like ferry extract", async () => {
    const job = appJob('app-extract');
    const cases = [
      { params: { fromDir: baseDir() }, want: rel3 },
      { params: { release: release('4.15.4') }, want: rel4 },
    ];
    for (const [i, c] of cases.entries()) {
      const toDir = join(work.path, `app-bin-${i}`);
      const params = jobStartSchema.parse({ kind: 'extract', params: { ...c.params, toDir } }).params as JobParams<'extract'>;
      const result = (await runners.extract!(params, job)) as { file: string };
      assert.equal(result.file, join(toDir, 'openshift-install'));
      assert.ok((await readFile(result.file)).equals(pinned(c.want)), `case ${i}: the bytes of ${c.want.version}'s installer, pinned`);
      assert.equal((await stat(result.file)).mode & 0o777, 0o755);
    }
  });
});
