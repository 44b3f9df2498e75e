import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createEngineContext, engineOptionsFrom } from '../../electron/engine/context';
import { mirrorToDisk } from '../../electron/engine/transfer/mirror-to-disk';
import { planTransfer } from '../../electron/engine/transfer/plan';
import { isPartsLocation, type TransferManifest } from '../../shared/transfer/manifest';
import type { Receipt } from '../../shared/transfer/receipt';
import { flipByte } from '../support/bytes';
import { ferry, worldFlags } from '../support/cli';
import { inspectManifest } from '../support/push';
import { pushRelease, type FixtureRelease } from '../support/release';
import { tempDir } from '../support/tmp';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

const run = promisify(execFile);
const RELEASE = 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64';

/**
 * Issue 3 end to end with the real CLI, real registries and real tools: release → media → mirror,
 * the media usable without Ferry, damage caught, a too-small disk refused, and direct mirroring.
 */
describe('release transfer over removable media', () => {
  let world: TestWorld;
  let rel: FixtureRelease;
  let work: { path: string; cleanup(): Promise<void> };
  let flags: string[];
  let volumeSize: number;
  let transferDir: string;
  let manifest: TransferManifest;

  before(async () => {
    world = await startTestWorld();
    // Layers a little larger than the smallest volume Ferry accepts (64 KiB), so some blobs must be split.
    rel = await pushRelease(world, '4.15.3', { layerBytes: 100 * 1024 });
    work = tempDir('ferry-transfer-');
    flags = [...worldFlags(world), '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`];
    // Smaller than the largest blob: several volumes and at least one blob split into parts.
    const largest = Math.max(...rel.blobs.values());
    volumeSize = Math.max(64 * 1024, Math.floor((largest * 0.75) / 512) * 512);
    transferDir = join(work.path, 'usb');
    const r = await ferry(['mirror', '--release', RELEASE, '--to-dir', transferDir, '--volume-size', String(volumeSize), ...flags]);
    assert.equal(r.code, 0, r.stderr);
    manifest = JSON.parse(await readFile(join(transferDir, 'transfer.json'), 'utf8')) as TransferManifest;
  });
  after(async () => {
    await world?.stop();
    await work?.cleanup();
  });

  it('writes every blob once into several volumes, splitting the blob larger than a volume', () => {
    assert.ok(manifest.volumes.length >= 2, `${manifest.volumes.length} volumes`);
    assert.ok(manifest.blobs.some((b) => isPartsLocation(b.location)), 'a split blob');
    for (const v of manifest.volumes) assert.ok(v.size <= volumeSize, `${v.name} is ${v.size} > ${volumeSize}`);
    const layerDigests = manifest.blobs.filter((b) => b.kind !== 'manifest').map((b) => b.digest);
    assert.equal(new Set(layerDigests).size, layerDigests.length, 'each blob once');
    assert.deepEqual(new Set(layerDigests), new Set(rel.blobs.keys()), 'exactly the blobs of the release');
    assert.equal(manifest.release?.version, '4.15.3');
    assert.equal(manifest.release?.digest, rel.digest);
    assert.equal(manifest.images.filter((i) => i.role === 'component').length, new Set(rel.components.map((c) => c.digest)).size);
  });

  it('pushes into the htpasswd mirror with every digest unchanged, and writes a receipt', async () => {
    const r = await ferry(['push', '--from-dir', transferDir, '--to', `${world.mirror.host}/ocp4`, '--allow-unsigned', ...worldFlags(world)]);
    assert.equal(r.code, 0, r.stderr);
    for (const c of rel.components) {
      const got = await inspectManifest(world, `${world.mirror.host}/ocp4/ocp-v4.0-art-dev@${c.digest}`);
      assert.equal(got.digest, c.digest, c.name);
    }
    const tagged = await skopeo(world, ['inspect', '--format', '{{.Digest}}', `docker://${world.mirror.host}/ocp4/ocp-release:4.15.3-x86_64`]);
    assert.equal(tagged.stdout.trim(), rel.digest, 'release image digest unchanged');
    const receipt = JSON.parse(await readFile(join(transferDir, 'receipt.json'), 'utf8')) as Receipt;
    assert.equal(receipt.transferId, manifest.id);
    assert.equal(receipt.images.length, manifest.images.length);
    for (const d of rel.blobs.keys()) assert.ok(receipt.blobs.includes(d), `receipt lists ${d}`);

    const against = await ferry(['verify', '--dir', transferDir, '--against', `${world.mirror.host}/ocp4`, ...worldFlags(world)]);
    assert.equal(against.code, 0, against.stdout + against.stderr);
    const empty = await ferry(['verify', '--dir', transferDir, '--against', `${world.mirror.host}/empty`, ...worldFlags(world)]);
    assert.equal(empty.code, 1);
    assert.match(empty.stdout, /0 of \d+ image\(s\) present/);
  });

  it('verify --against --json prints the one verify report: the media report with the mirror check folded in', async () => {
    const r = await ferry(['verify', '--dir', transferDir, '--against', `${world.mirror.host}/empty`, '--json', ...worldFlags(world)]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { ok: boolean; transferId: string; counts: Record<string, number>; problems: Array<{ code: string }>; mirror: { ok: boolean; images: unknown[] } };
    assert.equal(report.ok, false, 'ok covers the mirror check, as the exit code does');
    assert.equal(report.transferId, manifest.id);
    assert.ok((report.counts.blobsVerified ?? 0) > 0, 'the media were checked too');
    assert.equal(report.counts.imagesInMirror, 0);
    assert.equal(report.mirror.ok, false);
    assert.equal(report.mirror.images.length, manifest.images.length);
    assert.ok(report.problems.length > 0 && report.problems.every((p) => p.code === 'MIRROR_MISSING'), JSON.stringify(report.problems.slice(0, 3)));
  });

  it('extracts with GNU tar into an OCI layout that skopeo copies from', async () => {
    const layout = join(work.path, 'extracted');
    await mkdir(layout);
    for (const v of manifest.volumes) await run('tar', ['-xf', join(transferDir, v.name), '-C', layout]);
    await run('sh', [join(layout, 'JOIN-PARTS.sh')]);
    const component = manifest.images.find((i) => i.role === 'component' && !i.platforms)!;
    const out = join(work.path, 'dir-copy');
    await skopeo(world, ['copy', `oci:${layout}:${component.source}`, `dir:${out}`]);
    const names = await readdir(out);
    assert.ok(names.includes('manifest.json'));
    const { stdout } = await run('sha256sum', [join(out, 'manifest.json')]);
    assert.equal(`sha256:${stdout.split(' ')[0]}`, component.digest);
  });

  it('catches a flipped byte: verify names volume and blob, push sends nothing of that image', async () => {
    const copy = join(work.path, 'damaged');
    await run('cp', ['-r', transferDir, copy]);
    // An image config: one image's own blob, stored whole in one volume.
    const victim = manifest.blobs.find((b) => b.kind === 'config' && !isPartsLocation(b.location))!;
    const loc = victim.location as { volume: string; offset: number };
    await flipByte(join(copy, loc.volume), loc.offset + 7);

    const v = await ferry(['verify', '--dir', copy]);
    assert.equal(v.code, 1);
    assert.ok(v.stdout.includes(loc.volume) && v.stdout.includes(victim.digest), v.stdout);

    const p = await ferry(['push', '--from-dir', copy, '--to', `${world.mirror.host}/damaged`, '--allow-unsigned', ...worldFlags(world)]);
    assert.equal(p.code, 1, p.stdout + p.stderr);
    assert.ok(p.stderr.includes(victim.digest), p.stderr);
    const affected = manifest.images.filter((i) => p.stderr.includes(i.source));
    assert.ok(affected.length >= 1, 'the error names the affected image');
    for (const img of affected) {
      const repo = img.role === 'component' ? 'ocp-v4.0-art-dev' : 'ocp-release';
      await assert.rejects(skopeo(world, ['inspect', '--raw', `docker://${world.mirror.host}/damaged/${repo}@${img.digest}`]), `${img.source} must not be in the mirror`);
    }
  });

  it('refuses a too-small disk before writing, with needed and free bytes', async (t) => {
    const mnt = join(work.path, 'small-usb');
    await mkdir(mnt);
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
    } catch (e) {
      t.skip(`cannot mount a tmpfs here: ${(e as Error).message}`);
      return;
    }
    try {
      const r = await ferry(['mirror', '--release', RELEASE, '--to-dir', join(mnt, 'transfer'), ...flags]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /needs \d+ bytes but only \d+ are free/);
      assert.deepEqual(await readdir(mnt), [], 'nothing written');
    } finally {
      await run('umount', [mnt]);
    }
  });

  it('mirrors registry to registry with the same digests, and prints the mirror config on --dry-run', async () => {
    const dry = await ferry(['mirror', '--release', RELEASE, '--to', `${world.mirror.host}/direct`, '--dry-run', ...flags]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /kind: ImageDigestMirrorSet/);
    assert.match(dry.stdout, /imageContentSources:/);
    assert.ok(dry.stdout.includes(`${world.mirror.host}/direct/ocp-v4.0-art-dev`));

    const r = await ferry(['mirror', '--release', RELEASE, '--to', `${world.mirror.host}/direct`, ...flags]);
    assert.equal(r.code, 0, r.stderr);
    for (const c of rel.components) await skopeo(world, ['inspect', '--raw', `docker://${world.mirror.host}/direct/ocp-v4.0-art-dev@${c.digest}`]);
    const tagged = await skopeo(world, ['inspect', '--format', '{{.Digest}}', `docker://${world.mirror.host}/direct/ocp-release:4.15.3-x86_64`]);
    assert.equal(tagged.stdout.trim(), rel.digest);
    // Components tagged as oc adm release mirror tags them (the push side is covered in release-mirror-pinned).
    const tags = (JSON.parse((await skopeo(world, ['list-tags', `docker://${world.mirror.host}/direct/ocp-v4.0-art-dev`])).stdout) as { Tags: string[] }).Tags;
    for (const c of rel.components) assert.ok(tags.includes(`4.15.3-x86_64-${c.name}`), `${c.name} tagged`);
  });

  it('a paused mirror to disk stops between blobs, keeps what it wrote, and finishes once resumed', async () => {
    let writing = false;
    let fetched = 0;
    const held: Array<() => void> = [];
    let resume: (() => void) | undefined;
    let reachedPause!: () => void;
    const paused = new Promise<void>((resolve) => (reachedPause = resolve));
    const written = new Set<string>();
    const ctx = await createEngineContext({
      ...engineOptionsFrom({
        authfile: world.authfile,
        caFile: [world.ca.certPath],
        sourceMirror: [`quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`],
        onProgress: (e) => {
          if (e.phase === 'write-volume' && e.blob) written.add(e.blob);
        },
      }),
      // The job's pause point (as the app's pause button sets it): from the third blob to fetch on, every blob finds the job paused.
      checkpoint: () => {
        if (!writing || ++fetched < 3) return Promise.resolve();
        if (fetched === 3) {
          resume = () => held.splice(0).forEach((go) => go());
          reachedPause();
        }
        if (!resume) return Promise.resolve();
        return new Promise<void>((go) => held.push(go));
      },
    });
    const dir = join(work.path, 'paused');
    try {
      const plan = await planTransfer(ctx, { release: RELEASE });
      writing = true;
      const done = mirrorToDisk(ctx, plan, { toDir: dir, volumeSize, requested: { release: RELEASE, images: [] } });
      await Promise.race([
        paused,
        done.then(() => assert.fail('the mirror finished without ever reaching its pause point')),
      ]);
      // The two blobs that passed the pause point before it (fetched in parallel) complete; none after it starts.
      for (let i = 0; i < 100 && written.size < 2; i++) await new Promise((r) => setTimeout(r, 100));
      const atPause = written.size;
      assert.equal(atPause, 2, 'the blobs that passed the pause point are written');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(written.size, atPause, 'no blob was written while paused');
      const journaled = async () => (await readFile(join(dir, '.ferry-journal.jsonl'), 'utf8')).trim().split('\n').length - 1;
      for (let i = 0; i < 50 && (await journaled()) < atPause; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await journaled(), atPause, 'every blob written before the pause is committed, a resume would keep it');
      const go = resume!;
      resume = undefined;
      go();
      const { manifest: m } = await done;
      assert.deepEqual(new Set(m.blobs.map((b) => b.digest)), new Set(manifest.blobs.map((b) => b.digest)));
      assert.equal((await ferry(['verify', '--dir', dir])).code, 0);
    } finally {
      resume?.();
      await ctx.close();
    }
  });
});
