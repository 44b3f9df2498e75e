// Operators across the gap through the real `ferry` CLI and real registries: browse a catalog, select two
// packages with a version range, the dependency preflight refusing before any transfer and
// --with-dependencies fixing it, mirror to disk, verify, push, then the filtered catalog read back from the
// mirror. The filtered catalog follows oc-mirror v2's rebuild (v2/internal/pkg/imagebuilder/catalog_builder.go:
// layers kept, a whiteout layer, a new /configs layer, `serve /configs` without the cache flags) and its FBC
// operator-registry's filter and writer (alpha/declcfg/filter/config/v1alpha1/filter.go, alpha/declcfg/write.go).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { bundleName, CONFIGS_LABEL, jsonStream, mergedFiles, pushCatalog, type PushedCatalog } from '../support/catalog';
import { ferry, worldFlags } from '../support/cli';
import { formatSchemaErrors, loadCrd, validateAgainstCrd, type VendoredCrd } from '../support/crd-schema';
import { inBatches, inspectManifest } from '../support/push';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

interface TransferCatalog {
  source: string;
  digest: string;
  withDependencies: boolean;
  packages: Array<{ name: string; defaultChannel: string; channels: Array<{ name: string; bundles: string[] }>; bundles: string[] }>;
  bundles: Array<{ package: string; name: string; reason: string }>;
  images: string[];
  filtered: { source: string; digest: string; tag?: string; files: string[] };
}

const DATABASE = 'ferry-database:stable@1.1.0..1.2.0';
const BACKUP = 'ferry-backup@2.0.0..2.1.0';

const EXPECTED_CHANNELS: Record<string, Record<string, string[]>> = {
  'ferry-backup': { stable: ['2.0.0', '2.1.0'] },
  'ferry-database': { stable: ['1.1.0', '1.1.1', '1.2.0'] },
  // Added by --with-dependencies: ferry-backup needs the Bucket API.
  'ferry-storage': { stable: ['0.9.0'] },
};

describe('operator catalogs: select, mirror to disk, verify, push, filtered catalog', () => {
  let world: TestWorld;
  let v1: PushedCatalog;
  let flags: string[];
  let dir: string;
  let catalog: TransferCatalog;
  const mirrorNs = (): string => `${world.mirror.host}/ocp4`;
  const mirrorOf = (ref: string): string => `${mirrorNs()}/${ref.slice(ref.indexOf('/') + 1)}`;

  before(async () => {
    world = await startTestWorld();
    v1 = await pushCatalog(world, 'v1');
    flags = worldFlags(world);
    dir = join(world.dir, 'transfer');
  });
  after(() => world?.stop());

  test('browse: the packages to pick from', async () => {
    const r = await ferry(['catalog', 'list', v1.ref, '--json', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const names = (JSON.parse(r.stdout) as { packages: Array<{ name: string }> }).packages.map((p) => p.name);
    assert.ok(names.includes('ferry-database') && names.includes('ferry-backup'), names.join(' '));
  });

  test('a selection lacking a dependency is refused before anything is transferred', async () => {
    const r = await ferry(['mirror', '--catalog', v1.ref, '--package', DATABASE, '--package', BACKUP, '--to-dir', dir, '--json', ...flags]);
    assert.equal(r.code, 1, r.stderr);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string; hint: string } };
    assert.equal(error.code, 'DEPENDENCY_MISSING');
    assert.match(error.message, /ferry-backup\/ferry-backup\.v2\.1\.0 needs API storage\.ferry\.example\/v1alpha1\/Bucket \(provided by ferry-storage 0\.9\.0 \[stable\]\)/);
    assert.match(error.hint, /--with-dependencies/);
    assert.equal(existsSync(dir), false, 'nothing may be written before the preflight passes');
  });

  test('--with-dependencies (selection from a packages file): mirror to disk records the catalog, every image by digest', async () => {
    const file = join(world.dir, 'packages.txt');
    await writeFile(file, `# operators for the lab cluster\n${DATABASE}\n\n${BACKUP}   # needs a Bucket API\n`);
    const r = await ferry(['mirror', '--catalog', v1.ref, '--packages-file', file, '--with-dependencies', '--to-dir', dir, '--json', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const transfer = JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as {
      requested: { catalogs: Array<{ catalog: string; packages: string[]; withDependencies: boolean }> };
      images: Array<{ source: string; digest: string; tag?: string }>;
      catalogs: TransferCatalog[];
    };
    assert.deepEqual(transfer.requested.catalogs, [{ catalog: v1.ref, packages: [DATABASE, BACKUP], withDependencies: true }]);
    assert.equal(transfer.catalogs.length, 1);
    catalog = transfer.catalogs[0]!;
    assert.equal(catalog.source, v1.ref);
    assert.equal(catalog.digest, v1.digest);
    assert.deepEqual(
      Object.fromEntries(catalog.packages.map((p) => [p.name, Object.fromEntries(p.channels.map((c) => [c.name, c.bundles]))])),
      Object.fromEntries(Object.entries(EXPECTED_CHANNELS).map(([p, chs]) => [p, Object.fromEntries(Object.entries(chs).map(([c, vs]) => [c, vs.map((v) => bundleName(p, v))]))])),
    );
    assert.deepEqual(catalog.bundles.find((b) => b.package === 'ferry-storage')!.reason, 'dependency');
    // Every bundle image and related image of exactly the chosen bundles, by digest, is an image of the transfer.
    const expectedImages = [...new Set(catalog.bundles.flatMap((b) => v1.bundles[b.name]!.relatedImages))].sort();
    assert.deepEqual(catalog.images, expectedImages);
    const sources = new Set(transfer.images.map((i) => i.source));
    for (const image of expectedImages) {
      assert.match(image, /@sha256:[a-f0-9]{64}$/);
      assert.ok(sources.has(image), image);
    }
    // The filtered catalog is carried under the catalog's repository and tag; the original is not.
    const filtered = transfer.images.find((i) => i.source === catalog.filtered.source)!;
    assert.equal(filtered.digest, catalog.filtered.digest);
    assert.equal(filtered.tag, 'v1');
    assert.notEqual(catalog.filtered.digest, v1.digest);
    assert.ok(!transfer.images.some((i) => i.digest === v1.digest));
    assert.deepEqual(catalog.filtered.files, ['/configs/ferry-backup/catalog.json', '/configs/ferry-database/catalog.json', '/configs/ferry-storage/catalog.json']);
  });

  test('verify, then push: the filtered catalog and every bundle and related image are in the mirror by digest', async () => {
    const v = await ferry(['verify', '--dir', dir, ...flags]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const p = await ferry(['push', '--from-dir', dir, '--to', mirrorNs(), '--allow-unsigned', ...flags]);
    assert.equal(p.code, 0, p.stdout + p.stderr);
    const pushed = await inspectManifest(world, mirrorOf(v1.ref));
    assert.equal(pushed.digest, catalog.filtered.digest);
    await inBatches(3, catalog.images.map((ref) => () => skopeo(world, ['inspect', '--raw', `docker://${mirrorOf(ref)}`])));
  });

  test('cluster resources from the transfer: CatalogSource and ClusterCatalog at the filtered catalog, IDMS for every bundle and operand, all valid upstream', async () => {
    const config = async (kind: string) => {
      const r = await ferry(['config', kind, '--from-dir', dir, '--mirror', mirrorNs()]);
      assert.equal(r.code, 0, `${kind}: ${r.stderr}`);
      return parseAllDocuments(r.stdout).map((d) => d.toJS() as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const valid = (crd: VendoredCrd, object: unknown) => assert.deepEqual(validateAgainstCrd(crd, object), [], formatSchemaErrors(validateAgainstCrd(crd, object)));
    const [source] = await config('catalog-source');
    valid(loadCrd('catalogsources', 'operator-framework'), source);
    // The filtered catalog by its tag, as push put it: a later catalog update under the same tag is polled.
    assert.equal(source!.spec.image, mirrorOf(v1.ref));
    assert.equal(source!.spec.sourceType, 'grpc');
    const [clusterCatalog] = await config('cluster-catalog');
    valid(loadCrd('clustercatalogs', 'operator-framework'), clusterCatalog);
    assert.equal(clusterCatalog!.spec.source.image.ref, mirrorOf(v1.ref));
    const [idms] = await config('catalog-idms');
    valid(loadCrd('imagedigestmirrorsets'), idms);
    // Every bundle and operand repository maps to the mirror, and each mirrored image is really there by digest.
    const mapped = new Map((idms!.spec.imageDigestMirrors as Array<{ source: string; mirrors: string[] }>).map((m) => [m.source, m.mirrors[0]!]));
    for (const ref of catalog.images) {
      const repo = ref.slice(0, ref.indexOf('@'));
      assert.ok(mapped.has(repo), `${repo} has a mirror`);
      await skopeo(world, ['inspect', '--raw', `docker://${mapped.get(repo)}${ref.slice(ref.indexOf('@'))}`]);
    }
  });

  test("the filtered catalog's /configs, read back from the mirror, lists exactly the selection; opm serves it without the stale cache", async () => {
    const source = await mergedFiles(world, v1.ref, 'configs');
    const mirrored = await mergedFiles(world, mirrorOf(v1.ref), 'configs');
    assert.deepEqual([...mirrored.files.keys()].sort(), ['configs/ferry-backup/catalog.json', 'configs/ferry-database/catalog.json', 'configs/ferry-storage/catalog.json']);
    // The source writes ferry-storage as YAML documents; the filtered catalog writes every package as opm's JSON.
    const sourceObjects = [...source.files.entries()].flatMap(([p, text]) =>
      p.endsWith('.json') ? jsonStream(text) : p.endsWith('.yaml') ? parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>) : [],
    );
    const sourceBundles = new Map(sourceObjects.filter((o) => o.schema === 'olm.bundle').map((o) => [o.name, o]));
    for (const [pkg, channels] of Object.entries(EXPECTED_CHANNELS)) {
      const objects = jsonStream(mirrored.files.get(`configs/${pkg}/catalog.json`)!);
      // opm's order: package, channels, bundles, deprecations.
      assert.deepEqual(objects.map((o) => o.schema).filter((s, i, a) => a.indexOf(s) === i), ['olm.package', 'olm.channel', 'olm.bundle']);
      assert.equal(objects[0]!.defaultChannel, 'stable');
      const listed = Object.fromEntries(objects.filter((o) => o.schema === 'olm.channel').map((o) => [o.name, (o.entries as Array<{ name: string }>).map((e) => e.name)]));
      assert.deepEqual(listed, Object.fromEntries(Object.entries(channels).map(([c, vs]) => [c, vs.map((v) => bundleName(pkg, v))])));
      const bundles = objects.filter((o) => o.schema === 'olm.bundle');
      assert.deepEqual(bundles.map((b) => b.name), Object.values(channels)[0]!.map((v) => bundleName(pkg, v)));
      // Bundles travel whole: properties (bundle objects included) and related images as the source has them.
      for (const b of bundles) assert.deepEqual(b, sourceBundles.get(b.name));
    }
    // The deprecation of ferry-database 1.0.0 goes with the bundle it names.
    assert.ok(!jsonStream(mirrored.files.get('configs/ferry-database/catalog.json')!).some((o) => o.schema === 'olm.deprecations'));
    assert.equal(mirrored.config.config.Labels?.[CONFIGS_LABEL], '/configs');
    assert.deepEqual(mirrored.config.config.Entrypoint, ['/bin/opm']);
    assert.deepEqual(mirrored.config.config.Cmd, ['serve', '/configs']);
    const cache = await mergedFiles(world, mirrorOf(v1.ref), 'tmp');
    assert.deepEqual([...cache.files.keys()], [], 'the pre-built cache of the full catalog must be gone');
    const bin = await mergedFiles(world, mirrorOf(v1.ref), 'bin');
    assert.ok(bin.files.has('bin/opm'));

    // Ferry's own reader sees the same, on both platforms of the rebuilt index.
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const r = await ferry(['catalog', 'list', mirrorOf(v1.ref), '--platform', platform, '--json', ...flags]);
      assert.equal(r.code, 0, r.stderr);
      const listed = JSON.parse(r.stdout) as { packages: Array<{ name: string; channels: Array<{ name: string; versions: string[] }> }> };
      assert.deepEqual(
        Object.fromEntries(listed.packages.map((p) => [p.name, Object.fromEntries(p.channels.map((c) => [c.name, [...c.versions].sort()]))])),
        EXPECTED_CHANNELS,
      );
    }
  });

  test('deterministic: the same selection gives the same filtered catalog digest; another selection another', async () => {
    const again = await ferry(['mirror', '--catalog', v1.ref, '--package', DATABASE, '--package', BACKUP, '--with-dependencies', '--to-dir', join(world.dir, 'again'), '--dry-run', '--json', ...flags]);
    assert.equal(again.code, 0, again.stderr);
    const plan = JSON.parse(again.stdout) as { catalogs: TransferCatalog[] };
    assert.equal(plan.catalogs[0]!.filtered.digest, catalog.filtered.digest);
    const other = await ferry(['mirror', '--catalog', v1.ref, '--package', 'ferry-storage', '--to-dir', join(world.dir, 'other'), '--dry-run', '--json', ...flags]);
    assert.equal(other.code, 0, other.stderr);
    const otherDigest = (JSON.parse(other.stdout) as { catalogs: TransferCatalog[] }).catalogs[0]!.filtered.digest;
    assert.notEqual(otherDigest, catalog.filtered.digest);

    // Straight into a registry (--to), the same plan: the filtered catalog arrives under the digest the plan named.
    const direct = await ferry(['mirror', '--catalog', v1.ref, '--package', 'ferry-storage', '--to', `${world.mirror.host}/direct`, '--json', ...flags]);
    assert.equal(direct.code, 0, direct.stdout + direct.stderr);
    const arrived = await inspectManifest(world, `${world.mirror.host}/direct/${v1.ref.slice(v1.ref.indexOf('/') + 1)}`);
    assert.equal(arrived.digest, otherDigest);
  });

  test('a catalog served as a Docker manifest list of schema2 images is rebuilt as one the registry accepts', async () => {
    const r = await ferry(['mirror', '--catalog', v1.dockerRef, '--package', 'ferry-storage', '--to', `${world.mirror.host}/docker`, '--json', ...flags]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const ref = `${world.mirror.host}/docker/${v1.dockerRef.slice(v1.dockerRef.indexOf('/') + 1)}`;
    const top = JSON.parse((await inspectManifest(world, ref)).raw) as { mediaType: string; manifests: Array<{ digest: string }> };
    assert.equal(top.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    const child = JSON.parse((await skopeo(world, ['inspect', '--raw', `docker://${ref.replace(/:[^:/]+$/, '')}@${top.manifests[0]!.digest}`])).stdout) as { mediaType: string; layers: Array<{ mediaType: string }> };
    assert.equal(child.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.ok(child.layers.every((l) => l.mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip'));
    assert.deepEqual([...(await mergedFiles(world, ref, 'configs')).files.keys()], ['configs/ferry-storage/catalog.json']);
  });

  test('a package selected on a channel other than its default: that channel becomes the default', async () => {
    const r = await ferry(['mirror', '--catalog', v1.ref, '--package', 'ferry-database:fast', '--to-dir', join(world.dir, 'fast'), '--dry-run', '--json', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const [pkg] = (JSON.parse(r.stdout) as { catalogs: Array<TransferCatalog & { packages: Array<{ replacedDefaultChannel?: string }> }> }).catalogs[0]!.packages;
    assert.deepEqual([pkg!.defaultChannel, pkg!.replacedDefaultChannel, pkg!.channels], ['fast', 'stable', [{ name: 'fast', bundles: [bundleName('ferry-database', '1.3.0')] }]]);
  });

  test('bad usage: packages without a catalog, a catalog without packages, the original catalog under the same tag', async () => {
    const noCatalog = await ferry(['mirror', '--package', 'ferry-storage', '--to-dir', join(world.dir, 'x'), ...flags]);
    assert.equal(noCatalog.code, 2);
    assert.match(noCatalog.stderr, /--catalog/);
    const noPackages = await ferry(['mirror', '--catalog', v1.ref, '--to-dir', join(world.dir, 'x'), ...flags]);
    assert.equal(noPackages.code, 2);
    assert.match(noPackages.stderr, /at least one package/);
    const badSpec = await ferry(['mirror', '--catalog', v1.ref, '--package', 'ferry-storage@x', '--to-dir', join(world.dir, 'x'), ...flags]);
    assert.equal(badSpec.code, 2);
    // The original catalog under its tag would fight the filtered one for it; by digest it may travel beside it.
    const clash = await ferry(['mirror', '--catalog', v1.ref, '--package', 'ferry-storage', '--image', v1.ref, '--to-dir', join(world.dir, 'x'), ...flags]);
    assert.equal(clash.code, 2);
    assert.match(clash.stderr, /under the tag v1 that the filtered catalog/);
    const beside = await ferry(['mirror', '--catalog', v1.ref, '--package', 'ferry-storage', '--image', `${v1.ref.replace(/:v1$/, '')}@${v1.digest}`, '--to-dir', join(world.dir, 'x'), '--dry-run', '--json', ...flags]);
    assert.equal(beside.code, 0, beside.stderr);
    assert.ok(existsSync(join(world.dir, 'x')) === false);
  });
});
