import { open, mkdtemp, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fbcJson, filteredObjects, keepsMeta, packageOfMeta, type FilteredPackage } from '../../../shared/catalog/filter';
import { formatReference, parseReference, type ImageReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import { DockerSource } from '../copy/docker';
import { buildLayer, writeLayerFile, type LayerEntry, type LayerFile } from '../image-files/build-layer';
import { deriveImage, readSourceImages } from '../image-files/derived-image';
import { walkFilesFromLayers } from '../image-files/layers';
import type { Descriptor } from '../registry/manifest';
import type { PlannedImage } from '../transfer/plan';
import { fbcObjects } from './fbc-stream';
import { IndexIgnore } from './index-ignore';
import type { CatalogImage } from './read';

/**
 * The catalog image rebuilt with only the selected packages, channels and bundles, as oc-mirror v2 rebuilds
 * catalogs without a container build (`v2/internal/pkg/imagebuilder/catalog_builder.go` GCRCatalogBuilder and
 * `builder.go` BuildAndPush): every image of the index keeps its layers, and gets two more on top, one of
 * whiteouts that remove the old `/configs` (the directory the configs label names) and the old pre-built cache,
 * then one with the filtered FBC under `/configs`; the config keeps its labels and entrypoint, and its command
 * loses the `--cache-dir`/`--cache-only`/`--cache-enforce-integrity` flags, as oc-mirror sets `serve /configs`:
 * `opm serve --cache-dir` enforces the integrity of a cache built from the old FBC and exits on a mismatch
 * (operator-registry `cmd/opm/serve`, `pkg/cache`), so without them opm builds its cache from the filtered FBC
 * when it starts. The FBC is written one `catalog.json` per package, as `opm render`/`WriteDir` write it.
 *
 * The result is deterministic (same source catalog and selection → same digest; see build-layer.ts).
 * Manifests, configs and the two new layers are Ferry's own blobs, every one hashed as it is made: the small ones
 * held in memory, the configs layer (which may be most of a catalog) in the context's scratch directory. The
 * original layers still come from the source registry.
 */
export interface FilteredCatalogImage {
  image: PlannedImage;
  /** The files of the new `/configs` layer (paths inside the image). */
  files: string[];
}

const CACHE_FLAGS = ['--cache-dir', '--cache-only', '--cache-enforce-integrity'];

/** The command without opm's cache flags (`--flag=value` or `--flag value`), and the cache directory it named. */
export function withoutCacheFlags(cmd: readonly string[]): { cmd: string[]; cacheDir?: string } {
  const out: string[] = [];
  let cacheDir: string | undefined;
  for (let i = 0; i < cmd.length; i++) {
    const arg = cmd[i]!;
    const flag = CACHE_FLAGS.find((f) => arg === f || arg.startsWith(`${f}=`));
    if (!flag) {
      out.push(arg);
      continue;
    }
    const inline = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : undefined;
    // --cache-only is boolean: it never takes the next argument; the others do when not written with `=`.
    const value = inline ?? (flag === '--cache-dir' ? cmd[++i] : undefined);
    if (flag === '--cache-dir' && value) cacheDir = value;
  }
  return { cmd: out, ...(cacheDir ? { cacheDir } : {}) };
}

function relative(dir: string): string {
  return dir.replace(/^\/+|\/+$/g, '');
}

/** A whiteout entry hiding `path` (absolute) in the layers below: `.wh.NAME` in its parent directory. */
function whiteout(path: string): LayerEntry {
  const rel = relative(path);
  const slash = rel.lastIndexOf('/');
  return { path: `${rel.slice(0, slash + 1)}.wh.${rel.slice(slash + 1)}`, type: 'file', mode: 0o600 };
}

/**
 * The declcfg objects the filtered catalog keeps (full, bundle manifests and icons included), written to a
 * scratch file as they stream out of the source layers and read back one package at a time: however much of
 * a catalog is kept, memory holds one package's objects, not the whole FBC.
 */
class KeptObjects {
  /** Per package, where each of its objects is in the file, with the catalog file it came from. */
  private readonly spans = new Map<string, Array<{ path: string; offset: number; length: number }>>();
  private size = 0;

  private constructor(private readonly file: FileHandle) {}

  static async create(path: string): Promise<KeptObjects> {
    return new KeptObjects(await open(path, 'wx+', 0o600));
  }

  async add(pkg: string, path: string, meta: unknown): Promise<void> {
    const bytes = Buffer.from(JSON.stringify(meta));
    await this.file.write(bytes, 0, bytes.length, this.size);
    const spans = this.spans.get(pkg) ?? [];
    spans.push({ path, offset: this.size, length: bytes.length });
    this.spans.set(pkg, spans);
    this.size += bytes.length;
  }

  /**
   * A package's objects, in the order operator-registry loads them (catalog files by path, objects in file
   * order), without those of ignored files. JSON carries them unchanged: written back, they give the same text.
   */
  async of(pkg: string, ignored: (path: string) => boolean): Promise<unknown[]> {
    const spans = (this.spans.get(pkg) ?? []).filter((s) => !ignored(s.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const out: unknown[] = [];
    for (const s of spans) {
      const bytes = Buffer.alloc(s.length);
      await this.file.read(bytes, 0, s.length, s.offset);
      out.push(JSON.parse(bytes.toString('utf8')));
    }
    return out;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** Streams the platform image's configs directory into `kept` (the objects of the kept packages) and reads its .indexignore files. */
async function keepObjects(src: DockerSource, layers: readonly Descriptor[], configsDir: string, filter: ReadonlyMap<string, FilteredPackage>, kept: KeptObjects, signal?: AbortSignal): Promise<IndexIgnore> {
  const ignore = new IndexIgnore();
  const sources = layers.map((layer) => ({ digest: layer.digest, open: () => src.openBlob(layer, { image: src.name, ...(signal ? { signal } : {}) }) }));
  await walkFilesFromLayers(sources, configsDir, async (path, content) => {
    if (path === '.indexignore' || path.endsWith('/.indexignore')) {
      const parts: Buffer[] = [];
      for await (const c of content) parts.push(c);
      ignore.add(path.slice(0, Math.max(0, path.length - '.indexignore'.length - 1)), Buffer.concat(parts).toString('utf8'));
      return;
    }
    for await (const meta of fbcObjects(content, `/${path}`)) if (keepsMeta(filter, meta)) await kept.add(packageOfMeta(meta)!, path, meta);
  });
  return ignore;
}

/**
 * Builds the filtered catalog of `catalog` (as read for resolution) keeping `packages`. It is named after the
 * catalog's repository and tag (a catalog given by digest only gets none: it is then pushed by digest).
 */
export async function buildFilteredCatalog(ctx: EngineContext, catalog: CatalogImage, packages: readonly FilteredPackage[]): Promise<FilteredCatalogImage> {
  const given = parseReference(catalog.reference);
  // Pinned: the FBC filtered must be the one resolved, whatever the tag names by now.
  const src = new DockerSource(ctx, { ...given, digest: catalog.digest });
  const signal = ctx.signal;
  const source = await readSourceImages(src, signal);
  const images = source.images;
  const read = images.find((i) => i.manifest.digest === catalog.imageDigest)!;

  const configs = relative(catalog.configsDir);
  const files = packages.map((p) => `${configs}/${p.name}/catalog.json`);
  const cacheDirs = [...new Set(images.flatMap((i) => withoutCacheFlags(i.config.config?.Cmd ?? []).cacheDir ?? []))];
  const hide = await buildLayer([catalog.configsDir, ...cacheDirs].map(whiteout));
  // The FBC layer goes to a file that lives as long as the context (the plan serves it from there); the kept
  // objects it is made of, only while it is made.
  const scratch = await mkdtemp(join(await ctx.scratchDir(), 'catalog-'));
  let fbc: LayerFile;
  const kept = await KeptObjects.create(join(scratch, 'kept.json'));
  try {
    const ignore = await keepObjects(src, read.parsed.layers, catalog.configsDir, new Map(packages.map((p) => [p.name, p])), kept, signal);
    const ignored = (path: string) => ignore.ignores(path);
    fbc = await writeLayerFile(
      [
        { path: `${configs}/`, type: 'directory' },
        ...packages.map((p): LayerEntry => ({ path: `${configs}/${p.name}/`, type: 'directory' })),
        ...packages.map((p, i): LayerEntry => ({ path: files[i]!, type: 'file', content: async () => Buffer.from(fbcJson(filteredObjects(p, await kept.of(p.name, ignored)))) })),
      ],
      join(scratch, 'configs-layer.tar.gz'),
    );
  } finally {
    await kept.close();
    await rm(join(scratch, 'kept.json'), { force: true });
  }

  const derived = deriveImage(source, {
    layers: [
      { layer: hide, createdBy: 'ferry: remove the source catalog configs and cache' },
      { layer: { digest: fbc.digest, diffId: fbc.diffId, size: fbc.size, blob: { file: fbc.path } }, createdBy: 'ferry: filtered catalog configs' },
    ],
    cmd: (old) => withoutCacheFlags(old).cmd,
  });
  const root = derived.root;

  // As the registry resolved it: a reference with neither tag nor digest names `latest`.
  const tag = given.tag ?? (given.digest ? undefined : 'latest');
  const ref: ImageReference = { registry: given.registry, repository: given.repository, ...(tag ? { tag } : {}), digest: root.digest };
  return {
    image: {
      source: formatReference(ref),
      ref,
      role: 'extra',
      digest: root.digest,
      mediaType: root.mediaType,
      root,
      images: derived.images,
      bytes: derived.bytes,
      generated: derived.generated,
    },
    files: files.map((f) => `/${f}`),
  };
}
