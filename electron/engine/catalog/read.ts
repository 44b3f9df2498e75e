import { CatalogBuilder, type Catalog } from '../../../shared/catalog/model';
import { FerryError } from '../../../shared/errors';
import { parseReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import { DockerSource } from '../copy/docker';
import { readSmallBlob } from '../copy/inspect';
import type { ImageSource } from '../copy/types';
import { walkFilesFromLayers } from '../image-files/layers';
import type { FetchedManifest } from '../registry/client';
import { formatPlatform, parseManifest, parsePlatform, platformMatches, type Descriptor, type ParsedManifest, type Platform } from '../registry/manifest';
import { fbcObjects } from './fbc-stream';
import { IndexIgnore } from './index-ignore';

/** Where an index image keeps its FBC (operator-registry `pkg/containertools/dockerfilegenerator.go`). */
export const CONFIGS_LABEL = 'operators.operatorframework.io.index.configs.v1';
/** The label of the old SQLite index images, which Ferry does not read. */
export const DATABASE_LABEL = 'operators.operatorframework.io.index.database.v1';
/** operator-registry's loader skips these files (`alpha/declcfg/load.go`). */
const INDEX_IGNORE = '.indexignore';

export interface CatalogImage {
  /** The pullspec as given. */
  reference: string;
  /** Digest of what the reference names: the index of a multi-arch catalog, else the image. */
  digest: string;
  mediaType: string;
  /** Every platform of a multi-arch catalog; the one platform otherwise. */
  platforms: string[];
  /** The platform whose image was read, and that image's manifest digest. */
  platform: string;
  imageDigest: string;
  /** The directory the label names, e.g. `/configs`. */
  configsDir: string;
  files: number;
  catalog: Catalog;
}

interface PlatformImage {
  top: FetchedManifest;
  topMediaType: string;
  platforms: string[];
  platform: Platform;
  image: FetchedManifest;
  config: ImageConfig;
  layers: Descriptor[];
}

interface ImageConfig {
  os?: string;
  architecture?: string;
  variant?: string;
  config?: { Labels?: Record<string, string> | null };
}

/**
 * The image of one platform behind `src`: a single image as it is, or the child of an index that matches
 * `want` (linux/amd64 unless asked), as a cluster of that platform would pull it.
 */
export async function platformImage(src: ImageSource, want: Platform | undefined, signal?: AbortSignal): Promise<PlatformImage> {
  const top = await src.getManifest(undefined, signal);
  const parsedTop = parseManifest(top.bytes, top.mediaType, src.name);
  if (parsedTop.kind === 'schema1') throw new FerryError('UNSUPPORTED', `${src.name} is a Docker schema 1 image; Ferry reads schema 2 and OCI images.`);
  let image = top;
  let parsed: ParsedManifest = parsedTop;
  let platforms: string[] = [];
  if (parsedTop.kind === 'index') {
    const target = want ?? { os: 'linux', architecture: 'amd64' };
    platforms = parsedTop.manifests.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : []));
    const child = parsedTop.manifests.find((m) => platformMatches(target, m.platform));
    if (!child) {
      throw new FerryError('NOT_FOUND', `${src.name} has no ${formatPlatform(target)} image.`, { hint: `It has: ${platforms.join(', ') || 'no platforms listed'}. Pass --platform.` });
    }
    image = await src.getManifest(child.digest, signal);
    parsed = parseManifest(image.bytes, image.mediaType, `${src.name}@${child.digest}`);
  }
  if (parsed.kind !== 'image') throw new FerryError('UNSUPPORTED', `${src.name} does not resolve to an image manifest.`);
  const config = JSON.parse((await readSmallBlob(src, parsed.config, signal)).toString('utf8')) as ImageConfig;
  const platform: Platform = { os: config.os ?? 'linux', architecture: config.architecture ?? 'amd64', ...(config.variant ? { variant: config.variant } : {}) };
  if (parsedTop.kind !== 'index') {
    platforms = [formatPlatform(platform)];
    if (want && !platformMatches(want, platform)) {
      throw new FerryError('NOT_FOUND', `${src.name} is a ${formatPlatform(platform)} image, not ${formatPlatform(want)}.`, { hint: 'Drop --platform, or give a catalog built for that platform.' });
    }
  }
  return { top, topMediaType: parsedTop.mediaType, platforms, platform, image, config, layers: parsed.layers };
}

/**
 * A declcfg object without what the model never reads (bundle manifests, CSV metadata, package icons), copied
 * through JSON so that it is all its own: a YAML parser's strings are slices of the document's text, and one
 * kept image reference would keep its whole bundle document (tens of KiB of manifests) in memory.
 */
function slim(meta: unknown): unknown {
  return JSON.parse(JSON.stringify(withoutHeavyParts(meta))) as unknown;
}

function withoutHeavyParts(meta: unknown): unknown {
  if (typeof meta !== 'object' || meta === null) return meta;
  const m = meta as Record<string, unknown>;
  if (m.schema === 'olm.package' && 'icon' in m) {
    const { icon: _icon, ...rest } = m;
    return rest;
  }
  if (m.schema === 'olm.bundle' && Array.isArray(m.properties)) {
    const heavy = new Set(['olm.bundle.object', 'olm.csv.metadata']);
    return { ...m, properties: m.properties.filter((p: unknown) => !(typeof p === 'object' && p !== null && heavy.has((p as { type?: unknown }).type as string))) };
  }
  return meta;
}

/**
 * Reads a catalog image's FBC: the platform's image is fetched, its config's label names the configs
 * directory, and every file below it is streamed out of the layers (whiteouts honoured, every layer
 * verified against its digest) and parsed one object at a time into the catalog model.
 */
export async function readCatalogImage(ctx: EngineContext, pullspec: string, opts: { platform?: string } = {}): Promise<CatalogImage> {
  const src = new DockerSource(ctx, parseReference(pullspec));
  const signal = ctx.signal;
  const img = await platformImage(src, opts.platform !== undefined ? parsePlatform(opts.platform) : undefined, signal);
  const labels = img.config.config?.Labels ?? {};
  const configsDir = labels[CONFIGS_LABEL];
  if (!configsDir) {
    const sqlite = labels[DATABASE_LABEL] !== undefined;
    throw new FerryError('INVALID_INPUT', `${pullspec} is not a file-based catalog: it has no ${CONFIGS_LABEL} label${sqlite ? ' (it is a SQLite index image)' : ''}.`, {
      hint: sqlite ? 'SQLite catalogs are deprecated upstream; use the file-based catalog of the same content (OpenShift 4.11 and later).' : 'Give an operator catalog (index) image.',
    });
  }
  // Files are parsed as they stream, but added only once every .indexignore is known (they may come later in
  // the tar). What is kept meanwhile is the objects without the bulky bundle manifests and icons.
  const parsed: Array<{ path: string; metas: unknown[] }> = [];
  const ignore = new IndexIgnore();
  const layers = img.layers.map((layer) => ({ digest: layer.digest, open: () => src.openBlob(layer, { image: src.name, ...(signal ? { signal } : {}) }) }));
  await walkFilesFromLayers(layers, configsDir, async (path, content) => {
    if (path === INDEX_IGNORE || path.endsWith(`/${INDEX_IGNORE}`)) {
      const parts: Buffer[] = [];
      for await (const c of content) parts.push(c);
      ignore.add(path.slice(0, Math.max(0, path.length - INDEX_IGNORE.length - 1)), Buffer.concat(parts).toString('utf8'));
      return;
    }
    const metas: unknown[] = [];
    for await (const meta of fbcObjects(content, `/${path}`)) metas.push(slim(meta));
    parsed.push({ path, metas });
  });
  const builder = new CatalogBuilder();
  let files = 0;
  for (const { path, metas } of parsed.sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (ignore.ignores(path)) continue;
    files++;
    for (const meta of metas) builder.add(meta, `/${path}`);
  }
  if (files === 0) {
    throw new FerryError('INVALID_INPUT', `${pullspec} has no files under ${configsDir}, the directory its ${CONFIGS_LABEL} label names.`);
  }
  return {
    reference: pullspec,
    digest: img.top.digest,
    mediaType: img.topMediaType,
    platforms: img.platforms,
    platform: formatPlatform(img.platform),
    imageDigest: img.image.digest,
    configsDir,
    files,
    catalog: builder.finish(),
  };
}
