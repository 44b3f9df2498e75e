// Operator catalogs in the real source registry (built by test/support/catalog.ts as opm builds them),
// browsed and resolved through the real `ferry` CLI: list, platforms, sizes, the dependency preflight and
// --with-dependencies, a catalog update, bad input and a corrupted layer.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { catalogList } from '../../electron/host/handlers/catalog';
import { planExport } from '../../electron/host/handlers/release';
import { MemorySecretStore } from '../../electron/jobs/secrets/secret-store';
import { bundleName, CONFIGS_LABEL, pushCatalog, type PushedCatalog } from '../support/catalog';
import { ferry, worldFlags } from '../support/cli';
import { corruptBlob } from '../support/images';
import { inBatches, inspectManifest } from '../support/push';
import { run } from '../support/processes';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';
import { tempDir } from '../support/tmp';

interface ListedPackage {
  name: string;
  defaultChannel: string;
  deprecated?: string;
  channels: Array<{ name: string; head: string; versions: string[]; deprecated?: string }>;
  size?: { bytes: number; known: boolean };
  bundles?: Array<{ name: string; version: string; bundleImage: { bytes: number; known: boolean }; withRelatedImages: { bytes: number; known: boolean } }>;
}

interface Listed {
  catalog: { reference: string; digest: string; platform: string; imageDigest: string; platforms: string[]; configsDir: string };
  packages: ListedPackage[];
}

interface Resolved {
  bundles: Array<{ package: string; name: string; version: string; image: string; reason: string; channels: string[] }>;
  images: string[];
  missing: Array<{ requiredBy: string; requirement: { kind: string }; providers: Array<{ package: string; bundle: string }> }>;
  deprecations: Array<{ package: string; bundle?: string; channel?: string; message: string }>;
}

describe('operator catalogs: browse and resolve', () => {
  let world: TestWorld;
  let v1: PushedCatalog;
  let v2: PushedCatalog;
  let flags: string[];

  before(async () => {
    world = await startTestWorld();
    v1 = await pushCatalog(world, 'v1');
    v2 = await pushCatalog(world, 'v2');
    flags = worldFlags(world);
  });
  after(() => world?.stop());

  test('the catalog image is what `opm generate dockerfile` builds: multi-arch, /configs label, opm serve, a pre-built cache', async () => {
    const index = await inspectManifest(world, v1.ref);
    assert.equal(index.digest, v1.digest);
    const children = (JSON.parse(index.raw) as { manifests: Array<{ digest: string; platform: { architecture: string } }> }).manifests;
    assert.deepEqual(children.map((c) => c.platform.architecture), ['amd64', 'arm64']);
    const config = JSON.parse((await skopeo(world, ['inspect', '--config', '--raw', `docker://${world.source.host}/ferry-catalogs/operator-index@${v1.platforms['linux/arm64']}`])).stdout) as {
      architecture: string;
      config: { Entrypoint: string[]; Cmd: string[]; Labels: Record<string, string> };
    };
    assert.equal(config.architecture, 'arm64');
    assert.deepEqual(config.config.Entrypoint, ['/bin/opm']);
    assert.deepEqual(config.config.Cmd, ['serve', '/configs', '--cache-dir=/tmp/cache']);
    assert.equal(config.config.Labels[CONFIGS_LABEL], '/configs');
    // The files, as GNU tar sees the layers skopeo copies out.
    const dir = tempDir('ferry-catalog-layers-');
    try {
      await skopeo(world, ['copy', '--quiet', `docker://${world.source.host}/ferry-catalogs/operator-index@${v1.platforms['linux/amd64']}`, `dir:${dir.path}`]);
      const manifest = JSON.parse(await readFile(`${dir.path}/manifest.json`, 'utf8')) as { layers: Array<{ digest: string }> };
      const files: string[] = [];
      for (const l of manifest.layers) files.push(...(await run('tar', ['-tzf', `${dir.path}/${l.digest.slice(7)}`])).stdout.split('\n').filter(Boolean));
      for (const f of ['bin/opm', 'configs/.indexignore', 'configs/README.md', 'configs/ferry-database/catalog.json', 'configs/ferry-storage/catalog.yaml', 'tmp/cache/digest']) assert.ok(files.includes(f), f);
    } finally {
      await dir.cleanup();
    }
  });

  test('every bundle image and related image the catalog names is in the source registry by digest', async () => {
    const images = [...new Set(Object.values(v2.bundles).flatMap((b) => b.relatedImages))];
    assert.equal(images.length, 11 + 11 + 3); // bundles, operator images, operands
    await inBatches(3, images.map((ref) => () => skopeo(world, ['inspect', '--raw', `docker://${ref}`])));
  });

  test('catalog list: packages, default channel, channels with versions head first, deprecations', async () => {
    const r = await ferry(['catalog', 'list', v1.ref, '--json', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Listed;
    assert.equal(out.catalog.digest, v1.digest);
    assert.equal(out.catalog.platform, 'linux/amd64');
    assert.equal(out.catalog.imageDigest, v1.platforms['linux/amd64']);
    assert.deepEqual(out.catalog.platforms, ['linux/amd64', 'linux/arm64']);
    assert.equal(out.catalog.configsDir, '/configs');
    assert.deepEqual(out.packages.map((p) => [p.name, p.defaultChannel]), [
      ['ferry-backup', 'stable'],
      ['ferry-database', 'stable'],
      ['ferry-legacy', 'alpha'],
      ['ferry-storage', 'stable'],
    ]);
    const db = out.packages.find((p) => p.name === 'ferry-database')!;
    assert.deepEqual(db.channels.map((c) => [c.name, c.head, c.versions]), [
      ['fast', bundleName('ferry-database', '1.3.0'), ['1.3.0', '1.2.0']],
      ['stable', bundleName('ferry-database', '1.2.0'), ['1.2.0', '1.1.1', '1.1.0', '1.0.0']],
    ]);
    const legacy = out.packages.find((p) => p.name === 'ferry-legacy')!;
    assert.match(legacy.deprecated ?? '', /no longer maintained/);
    assert.match(legacy.channels[0]!.deprecated ?? '', /alpha channel is closed/);

    const human = await ferry(['catalog', 'list', v1.ref, ...flags]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /4 package\(s\)/);
    assert.match(human.stdout, /^ {2}stable \*: 1\.2\.0, 1\.1\.1, 1\.1\.0, 1\.0\.0$/m);
  });

  test('catalog list --package: sizes from the manifests of the bundle, operator and operand images', async () => {
    const r = await ferry(['catalog', 'list', v1.ref, '--package', 'ferry-database', '--json', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const [db] = (JSON.parse(r.stdout) as Listed).packages;
    assert.equal(db!.name, 'ferry-database');
    assert.deepEqual(db!.bundles!.map((b) => b.version), ['1.2.0', '1.1.1', '1.1.0', '1.0.0', '1.3.0']);
    for (const b of db!.bundles!) {
      assert.equal(b.withRelatedImages.known, true);
      assert.ok(b.withRelatedImages.bytes > b.bundleImage.bytes && b.bundleImage.bytes > 0);
    }
    // Shared blobs (the operators' base layer, the postgres operand) count once in the package total.
    const sum = db!.bundles!.reduce((a, b) => a + b.withRelatedImages.bytes, 0);
    assert.ok(db!.size!.known && db!.size!.bytes < sum);

    const missing = await ferry(['catalog', 'list', v1.ref, '--package', 'nope', ...flags]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no package "nope"/);
  });

  test('the same catalog served as a Docker manifest list of schema2 images reads the same', async () => {
    const oci = JSON.parse((await ferry(['catalog', 'list', v1.ref, '--json', ...flags])).stdout) as Listed;
    const r = await ferry(['catalog', 'list', v1.dockerRef, '--json', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const docker = JSON.parse(r.stdout) as Listed & { catalog: { mediaType: string } };
    assert.equal(docker.catalog.digest, v1.dockerDigest);
    assert.equal(docker.catalog.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    assert.deepEqual(docker.packages, oci.packages);
  });

  test('--platform reads another image of the index; a platform it lacks is named', async () => {
    const arm = await ferry(['catalog', 'list', v1.ref, '--platform', 'linux/arm64', '--json', ...flags]);
    assert.equal(arm.code, 0, arm.stderr);
    assert.equal((JSON.parse(arm.stdout) as Listed).catalog.imageDigest, v1.platforms['linux/arm64']);
    const s390x = await ferry(['catalog', 'list', v1.ref, '--platform', 'linux/s390x', ...flags]);
    assert.equal(s390x.code, 1);
    assert.match(s390x.stderr, /no linux\/s390x image/);
    assert.match(s390x.stderr, /It has: linux\/amd64, linux\/arm64/);
  });

  test('resolve: a missing dependency is reported with its providers, then added by --with-dependencies', async () => {
    const args = ['catalog', 'resolve', v1.ref, '--package', 'ferry-backup', '--package', 'ferry-database:stable@1.1.0..1.2.0', ...flags];
    const first = await ferry([...args, '--json']);
    assert.equal(first.code, 1, first.stderr);
    const reported = JSON.parse(first.stdout) as Resolved;
    assert.deepEqual(reported.bundles.map((b) => b.name), ['ferry-backup.v2.1.0', 'ferry-database.v1.1.0', 'ferry-database.v1.1.1', 'ferry-database.v1.2.0']);
    // The package dependency (ferry-database >=1.1.0 <2.0.0) is met by the selection; the Bucket API is not.
    assert.deepEqual(
      reported.missing.map((m) => [m.requiredBy, m.requirement.kind, m.providers.map((p) => p.bundle)]),
      [['ferry-backup/ferry-backup.v2.1.0', 'gvk', ['ferry-storage.v0.9.0']]],
    );
    const human = await ferry(args);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /ferry-backup\/ferry-backup\.v2\.1\.0 needs API storage\.ferry\.example\/v1alpha1\/Bucket\n {4}provided by: ferry-storage 0\.9\.0 \[stable\]/);
    assert.match(human.stdout, /--with-dependencies/);

    const fixed = await ferry([...args, '--with-dependencies', '--json']);
    assert.equal(fixed.code, 0, fixed.stderr);
    const resolved = JSON.parse(fixed.stdout) as Resolved;
    assert.deepEqual(resolved.missing, []);
    const storage = resolved.bundles.find((b) => b.package === 'ferry-storage')!;
    assert.deepEqual([storage.name, storage.reason], ['ferry-storage.v0.9.0', 'dependency']);
    // Every image to carry: exactly the bundle and related images the catalog names for those bundles.
    const expected = new Set(resolved.bundles.flatMap((b) => v1.bundles[b.name]!.relatedImages));
    assert.deepEqual(resolved.images, [...expected].sort());
    assert.deepEqual(resolved.deprecations, []);
  });

  test('a catalog update: the new bundles appear, and a range from the old head reaches the new one', async () => {
    const r = await ferry(['catalog', 'resolve', v2.ref, '--package', 'ferry-database:fast@1.3.0..', '--package', 'ferry-backup@2.1.0..', '--package', 'ferry-storage', '--json', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Resolved;
    assert.deepEqual(out.bundles.map((b) => b.name), ['ferry-backup.v2.1.0', 'ferry-backup.v2.2.0', 'ferry-database.v1.3.0', 'ferry-database.v1.4.0', 'ferry-storage.v0.9.0']);
    const fresh = out.images.filter((i) => !Object.values(v1.bundles).some((b) => b.relatedImages.includes(i)));
    assert.deepEqual(fresh.sort(), [...v2.bundles['ferry-database.v1.4.0']!.relatedImages.slice(1), ...v2.bundles['ferry-backup.v2.2.0']!.relatedImages.slice(1)].sort());
  });

  test('bad input: an image that is not a catalog, a malformed selection, an unknown channel', async () => {
    const notCatalog = await ferry(['catalog', 'list', v1.bundles['ferry-storage.v0.9.0']!.image, ...flags]);
    assert.equal(notCatalog.code, 2);
    assert.match(notCatalog.stderr, /not a file-based catalog: it has no operators\.operatorframework\.io\.index\.configs\.v1 label/);
    const spec = await ferry(['catalog', 'resolve', v1.ref, '--package', 'ferry-database@1.x', ...flags]);
    assert.equal(spec.code, 2);
    assert.match(spec.stderr, /not a semantic version/);
    const channel = await ferry(['catalog', 'resolve', v1.ref, '--package', 'ferry-database:beta', '--json', ...flags]);
    assert.equal(channel.code, 2);
    assert.match((JSON.parse(channel.stdout) as { error: { message: string; hint: string } }).error.hint, /fast, stable/);
  });

  test("the app's catalog.list answers what ferry catalog list prints (one engine), and plan.export names each image's catalog", async () => {
    // What the app's handlers get from their host (ferry serve --authfile --ca-file).
    const defaults = { caFiles: [world.ca.certPath], authfile: world.authfile, sourceMirrors: [] };
    const cli = JSON.parse((await ferry(['catalog', 'list', v1.ref, '--json', ...flags])).stdout) as Listed;
    const app = await catalogList(new MemorySecretStore(), defaults, { ref: v1.ref, caPems: [] });
    assert.deepEqual(app.catalog, { reference: cli.catalog.reference, digest: v1.digest, platform: 'linux/amd64' });
    assert.deepEqual(app.packages, cli.packages);
    const cliDb = JSON.parse((await ferry(['catalog', 'list', v1.ref, '--package', 'ferry-database', '--json', ...flags])).stdout) as Listed;
    const appDb = await catalogList(new MemorySecretStore(), defaults, { ref: v1.ref, package: 'ferry-database', caPems: [] });
    assert.deepEqual(appDb.packages[0]!.size, cliDb.packages[0]!.size);
    assert.deepEqual(appDb.packages[0]!.bundles, cliDb.packages[0]!.bundles!.map((b) => ({ name: b.name, version: b.version, bundleImage: b.bundleImage, withRelatedImages: b.withRelatedImages })));

    const toDir = tempDir('ferry-catalog-plan-');
    try {
      const catalogs = [{ catalog: v1.ref, packages: ['ferry-storage'], withDependencies: false }];
      const plan = await planExport(new MemorySecretStore(), defaults, { images: [v1.bundles['ferry-backup.v2.1.0']!.image], toDir: toDir.path, catalogs, caPems: [] });
      const storage = v1.bundles['ferry-storage.v0.9.0']!;
      const byCatalog = plan.images.filter((i) => i.catalog === v1.ref).map((i) => i.source);
      assert.deepEqual(byCatalog.slice(0, -1).sort(), [...new Set(storage.relatedImages)].sort());
      assert.match(byCatalog.at(-1)!, /\/ferry-catalogs\/operator-index:v1@sha256:[0-9a-f]{64}$/, 'the filtered catalog');
      // An extra image the selection does not need stays an extra image.
      assert.equal(plan.images.find((i) => i.source === v1.bundles['ferry-backup.v2.1.0']!.image)?.catalog, undefined);
    } finally {
      await toDir.cleanup();
    }
  });

  // Last: it breaks v1's catalog layer in the registry.
  test('a corrupted catalog layer fails the read: nothing parsed from it is used', async () => {
    await corruptBlob(world.source, v1.configsLayer);
    const r = await ferry(['catalog', 'list', v1.ref, '--json', ...flags]);
    assert.equal(r.code, 1);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    assert.equal(error.code, 'DIGEST_MISMATCH');
    assert.match(error.message, new RegExp(v1.configsLayer));
    assert.doesNotMatch(r.stdout, /ferry-database/);
  });
});
