import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { fillerText, keystream } from './bytes';
import { addImage, addIndex, addLayer, type BuiltLayer } from './layers';
import { OciLayoutWriter, type Descriptor } from './oci-layout';
import { inBatches, pushFromLayout } from './push';
import { run } from './processes';
import { skopeo, type TestWorld } from './world';

/**
 * Operator catalogs in the source registry, built the way real ones are:
 *
 * - The FBC follows operator-registry `alpha/declcfg/declcfg.go` (schemas `olm.package`, `olm.channel`,
 *   `olm.bundle`, `olm.deprecations`) and `alpha/property/property.go` (property types), written as
 *   `opm render` writes it (`alpha/action/render.go`): bundle `relatedImages` are the CSV's
 *   `spec.relatedImages`, then the bundle image, then the deployment images, unnamed; bundle objects
 *   (`olm.bundle.object`, `olm.csv.metadata`) last among the properties. One directory per package under
 *   `/configs`, `catalog.json` as a stream of indented objects, or `catalog.yaml` as `---`-separated documents;
 *   a README that `/configs/.indexignore` hides from the loader.
 * - The index image follows the Dockerfile `opm generate dockerfile` writes
 *   (`alpha/action/generate_dockerfile.go`): a base layer with `/bin/opm` and `/bin/grpc_health_probe`,
 *   `/configs`, a pre-built `/tmp/cache` (a stand-in for opm's cache files: only its presence matters here),
 *   label `operators.operatorframework.io.index.configs.v1=/configs`, `ENTRYPOINT ["/bin/opm"]`,
 *   `CMD ["serve", "/configs", "--cache-dir=/tmp/cache"]`, as an OCI index of linux/amd64 and linux/arm64.
 * - Bundle images follow the registry+v1 bundle format (operator-registry `docs/design/operator-bundle.md`):
 *   `manifests/` (CSV and CRDs) and `metadata/annotations.yaml`, with the same annotations as labels.
 * - Operator and operand images are small real images; every catalog reference to them is by digest.
 *
 * `v2` is the same catalog a release later: two new bundles (ferry-database 1.4.0 in `fast`, ferry-backup
 * 2.2.0) with their operator images; everything else keeps its digest.
 */
export type CatalogVersion = 'v1' | 'v2';

interface Entry {
  version: string;
  replaces?: string;
  skips?: string[];
  skipRange?: string;
  since?: CatalogVersion;
}

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export interface PackageSpec {
  name: string;
  defaultChannel: string;
  description: string;
  format: 'json' | 'yaml';
  /** Channel → entries; `version` names the bundle `NAME.vVERSION`. */
  channels: Record<string, Entry[]>;
  provides: Gvk[];
  requiresPackages?: Array<{ packageName: string; versionRange: string }>;
  requiresGvks?: Gvk[];
  /** Operand images the CSV lists in spec.relatedImages (keys of OPERANDS). */
  operands: string[];
  /** Newer opm writes olm.csv.metadata instead of the CSV as a bundle object. */
  csvMetadata?: boolean;
  /** Bytes of the CSV's `spec.icon` (base64 in real CSVs, tens of KiB): what makes real bundle objects heavy. */
  iconBytes?: number;
  deprecations?: Array<{ schema: 'olm.package' | 'olm.channel' | 'olm.bundle'; name?: string; message: string }>;
}

const DATABASE_GVK: Gvk = { group: 'database.ferry.example', version: 'v1', kind: 'Database' };
const BUCKET_GVK: Gvk = { group: 'storage.ferry.example', version: 'v1alpha1', kind: 'Bucket' };
const BACKUP_GVK: Gvk = { group: 'backup.ferry.example', version: 'v1', kind: 'Backup' };
const LEGACY_GVK: Gvk = { group: 'legacy.ferry.example', version: 'v1', kind: 'Widget' };

export const CATALOG_PACKAGES: readonly PackageSpec[] = [
  {
    name: 'ferry-database',
    defaultChannel: 'stable',
    description: 'A database operator: several channels, replaces, skips and skipRange.',
    format: 'json',
    channels: {
      stable: [
        { version: '1.0.0' },
        { version: '1.1.0', replaces: '1.0.0' },
        { version: '1.1.1', replaces: '1.1.0' },
        // 1.1.1 was a hotfix branch: 1.2.0 upgrades both 1.1.0 (replaces) and 1.1.1 (skips).
        { version: '1.2.0', replaces: '1.1.0', skips: ['1.1.1'] },
      ],
      fast: [
        // The channel's tail replaces a bundle this channel does not hold, as olm-docs allow.
        { version: '1.2.0', replaces: '1.1.0' },
        { version: '1.3.0', replaces: '1.2.0', skipRange: '>=1.0.0 <1.3.0' },
        { version: '1.4.0', replaces: '1.3.0', skipRange: '>=1.0.0 <1.4.0', since: 'v2' },
      ],
    },
    provides: [DATABASE_GVK],
    operands: ['postgres'],
    deprecations: [{ schema: 'olm.bundle', name: 'ferry-database.v1.0.0', message: 'ferry-database 1.0.0 loses data on upgrade; move to 1.1.0 or later.' }],
  },
  {
    name: 'ferry-backup',
    defaultChannel: 'stable',
    description: 'Backs up ferry-database; needs it (package dependency) and a Bucket API (GVK dependency).',
    format: 'json',
    channels: {
      stable: [
        { version: '2.0.0' },
        { version: '2.1.0', replaces: '2.0.0' },
        { version: '2.2.0', replaces: '2.1.0', since: 'v2' },
      ],
    },
    provides: [BACKUP_GVK],
    requiresPackages: [{ packageName: 'ferry-database', versionRange: '>=1.1.0 <2.0.0' }],
    requiresGvks: [BUCKET_GVK],
    operands: ['restic'],
  },
  {
    name: 'ferry-storage',
    defaultChannel: 'stable',
    description: 'Provides the Bucket API.',
    format: 'yaml',
    channels: { stable: [{ version: '0.9.0' }] },
    provides: [BUCKET_GVK],
    operands: ['minio'],
    csvMetadata: true,
  },
  {
    name: 'ferry-legacy',
    defaultChannel: 'alpha',
    description: 'A deprecated package.',
    format: 'json',
    channels: { alpha: [{ version: '0.1.0' }] },
    provides: [LEGACY_GVK],
    operands: [],
    csvMetadata: true,
    deprecations: [
      { schema: 'olm.package', message: 'ferry-legacy is no longer maintained; use ferry-database.' },
      { schema: 'olm.channel', name: 'alpha', message: 'The alpha channel is closed.' },
    ],
  },
];

/** Operand images (repository, tag, platforms): postgres is multi-arch like real operands. */
const OPERANDS: Record<string, { repository: string; tag: string; arches: string[] }> = {
  postgres: { repository: 'ferry-operands/postgres', tag: '16', arches: ['amd64', 'arm64'] },
  restic: { repository: 'ferry-operands/restic', tag: '0.16', arches: ['amd64'] },
  minio: { repository: 'ferry-operands/minio', tag: '2024', arches: ['amd64'] },
};

const CATALOG_REPOSITORY = 'ferry-catalogs/operator-index';
export const CONFIGS_LABEL = 'operators.operatorframework.io.index.configs.v1';

export function bundleName(pkg: string, version: string): string {
  return `${pkg}.v${version}`;
}

function present(version: CatalogVersion, e: { since?: CatalogVersion }): boolean {
  return version === 'v2' || e.since !== 'v2';
}

/** Every bundle version of a package in a catalog version, each once, with the first channel entry naming it. */
function bundleVersions(pkg: PackageSpec, version: CatalogVersion): string[] {
  return [...new Set(Object.values(pkg.channels).flatMap((entries) => entries.filter((e) => present(version, e)).map((e) => e.version)))];
}

/** What the declcfg objects point at: each bundle's image and the related images of its CSV and deployment. */
export interface CatalogImages {
  bundle(pkg: string, version: string): string;
  operator(pkg: string, version: string): string;
  operand(key: string): string;
}

function csvOf(pkg: PackageSpec, version: string, images: CatalogImages): Record<string, unknown> {
  const entry = Object.values(pkg.channels).flat().find((e) => e.version === version)!;
  const operator = images.operator(pkg.name, version);
  return {
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'ClusterServiceVersion',
    metadata: { name: bundleName(pkg.name, version), annotations: { containerImage: operator, ...(entry.skipRange ? { 'olm.skipRange': entry.skipRange } : {}) } },
    spec: {
      displayName: pkg.name,
      description: pkg.description,
      ...(pkg.iconBytes ? { icon: [{ base64data: Buffer.from(fillerText(`${pkg.name}-${version}-icon`, pkg.iconBytes)).toString('base64'), mediatype: 'image/png' }] } : {}),
      version,
      ...(entry.replaces ? { replaces: bundleName(pkg.name, entry.replaces) } : {}),
      ...(entry.skips ? { skips: entry.skips.map((s) => bundleName(pkg.name, s)) } : {}),
      customresourcedefinitions: {
        owned: pkg.provides.map((g) => ({ name: `${g.kind.toLowerCase()}s.${g.group}`, version: g.version, kind: g.kind })),
        ...(pkg.requiresGvks ? { required: pkg.requiresGvks.map((g) => ({ name: `${g.kind.toLowerCase()}s.${g.group}`, version: g.version, kind: g.kind })) } : {}),
      },
      install: {
        strategy: 'deployment',
        spec: { deployments: [{ name: `${pkg.name}-controller`, spec: { template: { spec: { containers: [{ name: 'manager', image: operator }] } } } }] },
      },
      relatedImages: pkg.operands.map((k) => ({ name: k, image: images.operand(k) })),
    },
  };
}

function crdOf(g: Gvk): Record<string, unknown> {
  const plural = `${g.kind.toLowerCase()}s`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${g.group}` },
    spec: { group: g.group, names: { kind: g.kind, plural }, scope: 'Namespaced', versions: [{ name: g.version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] },
  };
}

function bundleObject(obj: unknown): { type: string; value: { data: string } } {
  return { type: 'olm.bundle.object', value: { data: Buffer.from(JSON.stringify(obj)).toString('base64') } };
}

/**
 * The declcfg objects of one package in catalog `version`, in `opm render`'s order: package, channels,
 * bundles, deprecations. Images are named through `images` so unit tests can use made-up references.
 */
export function packageObjects(pkg: PackageSpec, version: CatalogVersion, images: CatalogImages): unknown[] {
  const out: unknown[] = [{ schema: 'olm.package', name: pkg.name, defaultChannel: pkg.defaultChannel, description: pkg.description }];
  for (const [channel, entries] of Object.entries(pkg.channels)) {
    out.push({
      schema: 'olm.channel',
      name: channel,
      package: pkg.name,
      entries: entries
        .filter((e) => present(version, e))
        .map((e) => ({
          name: bundleName(pkg.name, e.version),
          ...(e.replaces ? { replaces: bundleName(pkg.name, e.replaces) } : {}),
          ...(e.skips ? { skips: e.skips.map((s) => bundleName(pkg.name, s)) } : {}),
          ...(e.skipRange ? { skipRange: e.skipRange } : {}),
        })),
    });
  }
  for (const v of bundleVersions(pkg, version)) {
    const csv = csvOf(pkg, v, images);
    const bundleImage = images.bundle(pkg.name, v);
    out.push({
      schema: 'olm.bundle',
      name: bundleName(pkg.name, v),
      package: pkg.name,
      image: bundleImage,
      properties: [
        ...pkg.provides.map((value) => ({ type: 'olm.gvk', value })),
        { type: 'olm.package', value: { packageName: pkg.name, version: v } },
        ...(pkg.requiresPackages ?? []).map((value) => ({ type: 'olm.package.required', value })),
        ...(pkg.requiresGvks ?? []).map((value) => ({ type: 'olm.gvk.required', value })),
        ...pkg.provides.map((g) => bundleObject(crdOf(g))),
        pkg.csvMetadata
          ? { type: 'olm.csv.metadata', value: { displayName: pkg.name, description: pkg.description, annotations: (csv.metadata as { annotations: object }).annotations } }
          : bundleObject(csv),
      ],
      relatedImages: [
        ...pkg.operands.map((k) => ({ name: k, image: images.operand(k) })),
        { name: '', image: bundleImage },
        { name: '', image: images.operator(pkg.name, v) },
      ],
    });
  }
  if (pkg.deprecations) {
    out.push({ schema: 'olm.deprecations', package: pkg.name, entries: pkg.deprecations.map((d) => ({ reference: { schema: d.schema, ...(d.name ? { name: d.name } : {}) }, message: d.message })) });
  }
  return out;
}

/** A package's catalog file as opm writes it: indented JSON objects one after another, or YAML documents. */
export function packageFile(pkg: PackageSpec, objects: unknown[]): { path: string; content: string } {
  if (pkg.format === 'json') return { path: `configs/${pkg.name}/catalog.json`, content: objects.map((o) => `${JSON.stringify(o, null, 4)}\n`).join('') };
  return { path: `configs/${pkg.name}/catalog.yaml`, content: objects.map((o) => `---\n${stringify(o)}`).join('') };
}

export interface PushedCatalog {
  /** `HOST/ferry-catalogs/operator-index:v1`. */
  ref: string;
  digest: string;
  /** `linux/amd64` → child digest. */
  platforms: Record<string, string>;
  /** The same catalog as a Docker manifest list of schema2 images (`:VERSION-docker`), as Red Hat's index images are served. */
  dockerRef: string;
  dockerDigest: string;
  /** The `/configs` layer (the same in every platform's image). */
  configsLayer: string;
  /** Bundle name → its bundle image and every related image (by digest), as the FBC names them. */
  bundles: Record<string, { package: string; version: string; image: string; relatedImages: string[] }>;
}

function shortName(pkg: string): string {
  return pkg.replace(/^ferry-/, '');
}

/**
 * Builds catalog `version` and everything it names into the source registry (skopeo, digests preserved).
 * Pushing v2 after v1 re-pushes the unchanged images under the same digests. `operatorBytes` adds an
 * incompressible file of that size to each operator image, so byte counts are not swamped by per-blob overhead.
 */
export async function pushCatalog(world: TestWorld, version: CatalogVersion, opts: { operatorBytes?: number } = {}): Promise<PushedCatalog> {
  const host = world.source.host;
  const layout = await new OciLayoutWriter(join(world.dir, `catalog-${version}`)).init();
  const pushes: Array<{ name: string; dest: string; all?: boolean }> = [];
  try {
    const base = await addLayer(layout, [{ path: 'etc/os-release', content: 'NAME="Ferry catalog fixture"\n' }, { path: 'usr/share/ferry/base.txt', content: fillerText('catalog-base', 8 * 1024) }]);
    const image = async (layers: BuiltLayer[], arch = 'amd64', labels: Record<string, string> = {}): Promise<Descriptor> =>
      addImage(layout, { layers, platform: { os: 'linux', architecture: arch }, labels });
    const refOf = (repository: string, d: Descriptor): string => `${host}/${repository}@${d.digest}`;

    const operands: Record<string, string> = {};
    for (const [key, spec] of Object.entries(OPERANDS)) {
      const children: Descriptor[] = [];
      for (const arch of spec.arches) children.push(await image([base, await addLayer(layout, [{ path: `opt/${key}/${arch}.txt`, content: fillerText(`${key}-${arch}`, 4096) }])], arch));
      const top = children.length > 1 ? await addIndex(layout, children) : children[0]!;
      layout.tag(`operand-${key}`, top);
      pushes.push({ name: `operand-${key}`, dest: `${host}/${spec.repository}:${spec.tag}`, all: children.length > 1 });
      operands[key] = refOf(spec.repository, top);
    }

    const operators = new Map<string, string>();
    const bundles = new Map<string, string>();
    for (const pkg of CATALOG_PACKAGES) {
      for (const v of bundleVersions(pkg, version)) {
        const repo = `ferry-operators/${shortName(pkg.name)}-operator`;
        const size = opts.operatorBytes;
        const payload = size ? [{ path: 'payload', content: { size, stream: () => keystream(`${pkg.name}-${v}`, size) } }] : [];
        const d = await image([base, await addLayer(layout, [{ path: 'manager', content: fillerText(`${pkg.name}-${v}`, 4096) }, ...payload])]);
        layout.tag(`operator-${pkg.name}-${v}`, d);
        pushes.push({ name: `operator-${pkg.name}-${v}`, dest: `${host}/${repo}:v${v}` });
        operators.set(`${pkg.name}@${v}`, refOf(repo, d));
      }
    }
    const images: CatalogImages = {
      operand: (k) => operands[k]!,
      operator: (p, v) => operators.get(`${p}@${v}`)!,
      bundle: (p, v) => bundles.get(`${p}@${v}`)!,
    };
    // Bundle images come after the operator images they name.
    for (const pkg of CATALOG_PACKAGES) {
      for (const v of bundleVersions(pkg, version)) {
        const repo = `ferry-bundles/${shortName(pkg.name)}-bundle`;
        const channels = Object.entries(pkg.channels).filter(([, es]) => es.some((e) => e.version === v)).map(([c]) => c);
        const annotations = {
          'operators.operatorframework.io.bundle.mediatype.v1': 'registry+v1',
          'operators.operatorframework.io.bundle.manifests.v1': 'manifests/',
          'operators.operatorframework.io.bundle.metadata.v1': 'metadata/',
          'operators.operatorframework.io.bundle.package.v1': pkg.name,
          'operators.operatorframework.io.bundle.channels.v1': channels.join(','),
          'operators.operatorframework.io.bundle.channel.default.v1': pkg.defaultChannel,
        };
        const layer = await addLayer(layout, [
          { path: `manifests/${bundleName(pkg.name, v)}.clusterserviceversion.yaml`, content: stringify(csvOf(pkg, v, images)) },
          ...pkg.provides.map((g) => ({ path: `manifests/${g.kind.toLowerCase()}s.${g.group}.crd.yaml`, content: stringify(crdOf(g)) })),
          { path: 'metadata/annotations.yaml', content: stringify({ annotations }) },
        ]);
        // FROM scratch: the bundle is its one layer.
        const d = await image([layer], 'amd64', annotations);
        layout.tag(`bundle-${pkg.name}-${v}`, d);
        pushes.push({ name: `bundle-${pkg.name}-${v}`, dest: `${host}/${repo}:v${v}` });
        bundles.set(`${pkg.name}@${v}`, refOf(repo, d));
      }
    }

    const configs = await addLayer(layout, [
      { path: 'configs/', type: 'directory' },
      // opm's loader skips what an .indexignore names (alpha/declcfg/load.go); this README is not FBC.
      { path: 'configs/.indexignore', content: '# not catalog content\nREADME.md\n' },
      { path: 'configs/README.md', content: '# Ferry test catalog\nBuilt by test/support/catalog.ts: four packages.\n' },
      ...CATALOG_PACKAGES.map((pkg) => packageFile(pkg, packageObjects(pkg, version, images))),
    ]);
    const cache = await addLayer(layout, [
      { path: 'tmp/cache/', type: 'directory' },
      { path: 'tmp/cache/digest', content: `${configs.diffId}\n` },
      { path: 'tmp/cache/cache/packages.json', content: JSON.stringify(CATALOG_PACKAGES.map((p) => p.name)) },
    ]);
    const children: Descriptor[] = [];
    for (const arch of ['amd64', 'arm64']) {
      const opm = await addLayer(layout, [
        { path: 'bin/opm', content: `#!/bin/sh\n# opm for linux/${arch} (fixture)\n`, mode: 0o755 },
        { path: 'bin/grpc_health_probe', content: `#!/bin/sh\n# grpc_health_probe ${arch}\n`, mode: 0o755 },
      ]);
      children.push(
        await addImage(layout, {
          layers: [base, opm, configs, cache],
          platform: { os: 'linux', architecture: arch },
          labels: { [CONFIGS_LABEL]: '/configs' },
          entrypoint: ['/bin/opm'],
          cmd: ['serve', '/configs', '--cache-dir=/tmp/cache'],
        }),
      );
    }
    const index = await addIndex(layout, children);
    layout.tag('catalog', index);
    await layout.save();
    await inBatches(
      3,
      pushes.map((p) => () => pushFromLayout(world, layout, p.name, p.dest, { all: p.all ?? false })),
    );
    const ref = `${host}/${CATALOG_REPOSITORY}:${version}`;
    const pushed = await pushFromLayout(world, layout, 'catalog', ref, { all: true });
    const dockerRef = `${ref}-docker`;
    const docker = await pushFromLayout(world, layout, 'catalog', dockerRef, { all: true, format: 'v2s2' });

    const out: PushedCatalog['bundles'] = {};
    for (const pkg of CATALOG_PACKAGES) {
      for (const v of bundleVersions(pkg, version)) {
        out[bundleName(pkg.name, v)] = {
          package: pkg.name,
          version: v,
          image: images.bundle(pkg.name, v),
          relatedImages: [...pkg.operands.map((k) => images.operand(k)), images.bundle(pkg.name, v), images.operator(pkg.name, v)],
        };
      }
    }
    return {
      ref,
      digest: pushed.digest,
      platforms: Object.fromEntries(children.map((c) => [`linux/${c.platform!.architecture}`, c.digest])),
      dockerRef,
      dockerDigest: docker.digest,
      configsLayer: configs.descriptor.digest,
      bundles: out,
    };
  } finally {
    await rm(layout.dir, { recursive: true, force: true });
  }
}

/** Made-up image names for unit tests of the pure catalog code (no registry involved). */
export const FAKE_IMAGES: CatalogImages = {
  bundle: (p, v) => `registry.example/bundles/${p}@sha256:${'b'.repeat(56)}${v.replace(/\D/g, '').padStart(8, '0')}`,
  operator: (p, v) => `registry.example/operators/${p}@sha256:${'a'.repeat(56)}${v.replace(/\D/g, '').padStart(8, '0')}`,
  operand: (k) => `registry.example/operands/${k}:latest`,
};

/** The declcfg objects of the whole catalog `version`, for unit tests. */
export function catalogObjects(version: CatalogVersion, images: CatalogImages = FAKE_IMAGES): unknown[] {
  return CATALOG_PACKAGES.flatMap((pkg) => packageObjects(pkg, version, images));
}

/**
 * One image's merged filesystem below `dir` (e.g. `configs`), as a container runtime would show it, read with
 * real skopeo and GNU tar: layers applied bottom-up, each layer's whiteouts (`.wh.NAME`, and `.wh..wh..opq`
 * for an opaque directory, OCI image-spec `layer.md`) removing what the layers below put there before its
 * own files are extracted. Returns the files (path → content) and the image config.
 */
export async function mergedFiles(world: TestWorld, ref: string, dir: string): Promise<{ files: Map<string, string>; config: { config: { Cmd?: string[]; Entrypoint?: string[]; Labels?: Record<string, string> } } }> {
  const tmp = await mkdtemp(join(world.dir, 'merged-'));
  try {
    await skopeo(world, ['copy', '--quiet', `docker://${ref}`, `dir:${tmp}/image`]);
    const manifest = JSON.parse(await readFile(join(tmp, 'image', 'manifest.json'), 'utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
    const root = join(tmp, 'root');
    await mkdir(root);
    for (const layer of manifest.layers) {
      const blob = join(tmp, 'image', layer.digest.slice(7));
      const names = (await run('tar', ['-tzf', blob])).stdout.split('\n').filter(Boolean);
      for (const name of names) {
        const clean = name.replace(/^\.?\//, '').replace(/\/$/, '');
        const base = clean.slice(clean.lastIndexOf('/') + 1);
        const parent = clean.slice(0, Math.max(0, clean.lastIndexOf('/')));
        if (base === '.wh..wh..opq') {
          for (const child of await readdir(join(root, parent)).catch(() => [])) await rm(join(root, parent, child), { recursive: true, force: true });
        } else if (base.startsWith('.wh.')) await rm(join(root, parent, base.slice(4)), { recursive: true, force: true });
      }
      await run('tar', ['-xzf', blob, '-C', root, '--no-same-owner', '--exclude=.wh.*']);
    }
    const files = new Map<string, string>();
    const walk = async (rel: string): Promise<void> => {
      for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
        const path = `${rel}/${entry.name}`;
        if (entry.isDirectory()) await walk(path);
        else files.set(path, await readFile(join(root, path), 'utf8'));
      }
    };
    if (await stat(join(root, dir)).catch(() => undefined)) await walk(dir);
    const config = JSON.parse(await readFile(join(tmp, 'image', manifest.config.digest.slice(7)), 'utf8')) as Awaited<ReturnType<typeof mergedFiles>>['config'];
    return { files, config };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The objects of a catalog.json as opm writes it: top-level objects start at column 0. */
export function jsonStream(text: string): Array<Record<string, unknown>> {
  return text
    .split(/\n(?=\{)/)
    .filter((s) => s.trim() !== '')
    .map((s) => JSON.parse(s) as Record<string, unknown>);
}
