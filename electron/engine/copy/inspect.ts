import { FerryError } from '../../../shared/errors';
import type { EngineContext } from '../context';
import { INSPECT_ACCEPT, formatPlatform, parseManifest, type Descriptor } from '../registry/manifest';
import { DockerSource } from './docker';
import { openSource, parseEndpoint } from './endpoints';
import type { ImageSource } from './types';

/**
 * What `ferry inspect` shows and the release and planning code reads: the manifest digest and type,
 * the platforms of an index, or the layers, config and labels of an image.
 */
export interface InspectResult {
  reference: string;
  digest: string;
  mediaType: string;
  kind: 'index' | 'image' | 'schema1';
  /** For an index. */
  platforms?: Array<{ platform?: string; digest: string; mediaType?: string; size: number }>;
  /** For an image. */
  config?: { digest: string; mediaType?: string; size: number };
  layers?: Array<{ digest: string; mediaType?: string; size: number }>;
  /** Sum of the layer sizes (compressed, as stored). */
  size?: number;
  os?: string;
  architecture?: string;
  variant?: string;
  created?: string;
  labels?: Record<string, string>;
}

/** A config blob is JSON of a few KiB; anything beyond this is not read into memory. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Reads a small blob (an image config) whole, verified. */
export async function readSmallBlob(src: ImageSource, blob: Descriptor, signal?: AbortSignal): Promise<Buffer> {
  if (blob.size > MAX_CONFIG_BYTES) {
    throw new FerryError('UNSUPPORTED', `The config blob ${blob.digest} of ${src.name} is ${blob.size} bytes; refusing to read it whole.`, {
      hint: 'This is not a normal image config.',
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of await src.openBlob(blob, { image: src.name, ...(signal ? { signal } : {}) })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function describe(d: Descriptor) {
  return { digest: d.digest, ...(d.mediaType ? { mediaType: d.mediaType } : {}), size: d.size };
}

async function inspectSource(src: ImageSource, signal?: AbortSignal): Promise<InspectResult> {
  const fetched = await src.getManifest(undefined, signal);
  const parsed = parseManifest(fetched.bytes, fetched.mediaType, src.name);
  const base = { reference: src.name, digest: fetched.digest, mediaType: parsed.mediaType, kind: parsed.kind };
  if (parsed.kind === 'index') {
    return { ...base, platforms: parsed.manifests.map((m) => ({ ...(m.platform ? { platform: formatPlatform(m.platform) } : {}), ...describe(m) })) };
  }
  if (parsed.kind === 'schema1') {
    return { ...base, layers: parsed.layers.map((digest) => ({ digest, size: -1 })), ...(parsed.architecture ? { architecture: parsed.architecture } : {}) };
  }
  const config = JSON.parse((await readSmallBlob(src, parsed.config, signal)).toString('utf8')) as {
    os?: string;
    architecture?: string;
    variant?: string;
    created?: string;
    config?: { Labels?: Record<string, string> | null };
  };
  return {
    ...base,
    config: describe(parsed.config),
    layers: parsed.layers.map(describe),
    size: parsed.layers.reduce((n, l) => n + l.size, 0),
    ...(config.os ? { os: config.os } : {}),
    ...(config.architecture ? { architecture: config.architecture } : {}),
    ...(config.variant ? { variant: config.variant } : {}),
    ...(config.created ? { created: config.created } : {}),
    ...(config.config?.Labels ? { labels: config.config.Labels } : {}),
  };
}

/** `inspect(ctx, "quay.io/x/y:1")`, `docker://...` or `oci:DIR[:REF]`. */
export async function inspect(ctx: EngineContext, spec: string): Promise<InspectResult> {
  const ep = parseEndpoint(spec, { bareIsDocker: true });
  const src = ep.transport === 'docker' ? new DockerSource(ctx, ep.ref, INSPECT_ACCEPT) : await openSource(ctx, ep);
  return inspectSource(src, ctx.signal);
}
