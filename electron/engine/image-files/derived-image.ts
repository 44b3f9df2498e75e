import { FerryError } from '../../../shared/errors';
import type { DockerSource } from '../copy/docker';
import { readSmallBlob } from '../copy/inspect';
import { digestOf } from '../hashing/verified-stream';
import type { FetchedManifest } from '../registry/client';
import { formatPlatform, MediaType, parseManifest, type Descriptor } from '../registry/manifest';
import type { GeneratedBlob, PlannedManifest } from '../transfer/plan';
import type { LayerDigests } from './build-layer';

/**
 * An image Ferry makes from another without a container build, as oc-mirror v2's image builder does
 * (`internal/pkg/imagebuilder/builder.go` BuildAndPush/ProcessImageIndex): every image of the source (each
 * platform of an index) keeps its layers and gets Ferry's layers on top, its config the new command, and the
 * index lists the rebuilt images in the same order. Layers go as Docker layers under a Docker manifest, OCI
 * layers otherwise. Manifests and configs are Ferry's own blobs, hashed as they are made; the source's layers
 * still come from its registry. The filtered operator catalog and the update-service graph image are made here.
 */
export interface ImageConfigFile {
  created?: string;
  config?: { Cmd?: string[] | null; Labels?: Record<string, string> | null; [k: string]: unknown };
  rootfs?: { type: string; diff_ids: string[] };
  history?: Array<Record<string, unknown>>;
  [k: string]: unknown;
}

export interface SourceImage {
  descriptor?: Descriptor;
  manifest: FetchedManifest;
  parsed: { mediaType: string; config: Descriptor; layers: Descriptor[] };
  config: ImageConfigFile;
}

/** The source as read: its top manifest and every image below it (the top itself for a single image). */
export interface SourceImages {
  top: FetchedManifest;
  index?: { mediaType: string };
  images: SourceImage[];
}

/** A layer Ferry made, in memory or (a big one) in a file of the context's scratch directory. */
export interface AddedLayer extends LayerDigests {
  blob: GeneratedBlob;
}

export interface Derivation {
  /** The layers added on top, bottom first, each with the `created_by` its history entry gets. */
  layers: ReadonlyArray<{ layer: AddedLayer; createdBy: string }>;
  /** The new command, from the source image's. */
  cmd: (old: readonly string[]) => string[];
}

export interface DerivedImage {
  root: FetchedManifest;
  images: PlannedManifest[];
  /** Every blob Ferry made (manifests excepted), by digest. */
  generated: Map<string, GeneratedBlob>;
  /** Sum of the image's blob sizes, each once. */
  bytes: number;
}

async function sourceImage(src: DockerSource, manifest: FetchedManifest, descriptor: Descriptor | undefined, signal?: AbortSignal): Promise<SourceImage> {
  const parsed = parseManifest(manifest.bytes, manifest.mediaType, `${src.name}@${manifest.digest}`);
  if (parsed.kind !== 'image') throw new FerryError('UNSUPPORTED', `${src.name}@${manifest.digest} is not an image manifest; Ferry builds only on indexes of images.`);
  const config = JSON.parse((await readSmallBlob(src, parsed.config, signal)).toString('utf8')) as ImageConfigFile;
  return { ...(descriptor ? { descriptor } : {}), manifest, parsed, config };
}

/** Reads the manifests and configs of `src` (pinned by digest by the caller). */
export async function readSourceImages(src: DockerSource, signal?: AbortSignal): Promise<SourceImages> {
  const top = await src.getManifest(undefined, signal);
  const parsedTop = parseManifest(top.bytes, top.mediaType, src.name);
  if (parsedTop.kind === 'schema1') throw new FerryError('UNSUPPORTED', `${src.name} is a Docker schema 1 image.`);
  if (parsedTop.kind === 'index') {
    const images = await Promise.all(parsedTop.manifests.map(async (d) => sourceImage(src, await src.getManifest(d.digest, signal), d, signal)));
    return { top, index: { mediaType: parsedTop.mediaType }, images };
  }
  return { top, images: [await sourceImage(src, top, undefined, signal)] };
}

function layerMediaType(manifestType: string): string {
  return manifestType === MediaType.dockerManifest ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip';
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function deriveOne(img: SourceImage, d: Derivation, generated: Map<string, GeneratedBlob>): PlannedManifest {
  const history = img.config.history;
  const at = img.config.created ? { created: img.config.created } : {};
  const config: ImageConfigFile = {
    ...img.config,
    config: { ...img.config.config, Cmd: d.cmd(img.config.config?.Cmd ?? []) },
    rootfs: { type: img.config.rootfs?.type ?? 'layers', diff_ids: [...(img.config.rootfs?.diff_ids ?? []), ...d.layers.map((l) => l.layer.diffId)] },
    ...(history ? { history: [...history, ...d.layers.map((l) => ({ ...at, created_by: l.createdBy }))] } : {}),
  };
  const configBytes = json(config);
  const configDesc: Descriptor = { mediaType: img.parsed.config.mediaType, digest: digestOf(configBytes), size: configBytes.length };
  generated.set(configDesc.digest, configBytes);
  const mediaType = layerMediaType(img.parsed.mediaType);
  const layers: Descriptor[] = [...img.parsed.layers, ...d.layers.map(({ layer }) => ({ mediaType, digest: layer.digest, size: layer.size }))];
  for (const { layer } of d.layers) generated.set(layer.digest, layer.blob);
  const original = JSON.parse(img.manifest.bytes.toString('utf8')) as Record<string, unknown>;
  const bytes = json({ ...original, config: configDesc, layers });
  const manifest: FetchedManifest = { bytes, mediaType: img.parsed.mediaType, digest: digestOf(bytes) };
  return { manifest, ...(img.descriptor?.platform ? { platform: formatPlatform(img.descriptor.platform) } : {}), blobs: [configDesc, ...layers] };
}

/** The derived image: deterministic, so the same source and layers always give the same digest. */
export function deriveImage(source: SourceImages, d: Derivation): DerivedImage {
  const generated = new Map<string, GeneratedBlob>();
  const rebuilt = source.images.map((img) => deriveOne(img, d, generated));
  let root: FetchedManifest;
  if (source.index) {
    const original = JSON.parse(source.top.bytes.toString('utf8')) as { manifests: Descriptor[] } & Record<string, unknown>;
    const bytes = json({ ...original, manifests: original.manifests.map((m, i) => ({ ...m, digest: rebuilt[i]!.manifest.digest, size: rebuilt[i]!.manifest.bytes.length })) });
    root = { bytes, mediaType: source.index.mediaType, digest: digestOf(bytes) };
  } else root = rebuilt[0]!.manifest;
  const unique = new Map<string, number>();
  for (const m of rebuilt) for (const b of m.blobs) unique.set(b.digest, b.size);
  return { root, images: rebuilt, generated, bytes: [...unique.values()].reduce((n, s) => n + s, 0) };
}
