import { z } from 'zod';
import { FerryError } from '../../../shared/errors';

/** Manifest media types and parsing. Bytes are never re-serialised: parsing only reads descriptors. */
export const MediaType = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** Accept header for copies: the four current types. Inspect also accepts schema 1. */
export const COPY_ACCEPT = [MediaType.ociIndex, MediaType.dockerList, MediaType.ociManifest, MediaType.dockerManifest];
export const INSPECT_ACCEPT = [...COPY_ACCEPT, MediaType.dockerSchema1Signed, MediaType.dockerSchema1];

function isIndexType(mediaType: string): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerList;
}

const platformSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  'os.version': z.string().optional(),
});

const descriptorSchema = z.object({
  mediaType: z.string().optional(),
  digest: z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/),
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: platformSchema.optional(),
});

export type Platform = z.infer<typeof platformSchema>;
export type Descriptor = z.infer<typeof descriptorSchema>;

const indexSchema = z.object({ schemaVersion: z.literal(2), mediaType: z.string().optional(), manifests: z.array(descriptorSchema) });
const imageSchema = z.object({ schemaVersion: z.literal(2), mediaType: z.string().optional(), config: descriptorSchema, layers: z.array(descriptorSchema) });
const schema1Schema = z.object({ schemaVersion: z.literal(1), fsLayers: z.array(z.object({ blobSum: z.string() })), architecture: z.string().optional() });

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[] }
  | { kind: 'schema1'; mediaType: string; layers: string[]; architecture?: string };

function malformed(where: string, why: string): FerryError {
  return new FerryError('REGISTRY_ERROR', `The manifest of ${where} is not a valid image manifest: ${why}.`, {
    hint: 'The source holds a damaged or unsupported manifest; check it with skopeo inspect --raw.',
  });
}

/**
 * Reads a manifest. The media type comes from the document when it declares one (that is what the
 * digest covers), else from the Content-Type it was served with.
 */
export function parseManifest(bytes: Buffer, contentType: string | undefined, where: string): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw malformed(where, (e as Error).message);
  }
  const declared = (json as { mediaType?: unknown })?.mediaType;
  const served = contentType?.split(';')[0]?.trim();
  const sv = (json as { schemaVersion?: unknown })?.schemaVersion;
  if (sv === 1) {
    const r = schema1Schema.safeParse(json);
    if (!r.success) throw malformed(where, r.error.issues[0]?.message ?? 'schema 1 fields missing');
    return {
      kind: 'schema1',
      mediaType: served && served.includes('v1+') ? served : MediaType.dockerSchema1Signed,
      layers: r.data.fsLayers.map((l) => l.blobSum),
      ...(r.data.architecture ? { architecture: r.data.architecture } : {}),
    };
  }
  const isIndex = typeof json === 'object' && json !== null && 'manifests' in json;
  if (isIndex) {
    const r = indexSchema.safeParse(json);
    if (!r.success) throw malformed(where, `${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
    const mediaType = typeof declared === 'string' ? declared : served && isIndexType(served) ? served : MediaType.ociIndex;
    return { kind: 'index', mediaType, manifests: r.data.manifests };
  }
  const r = imageSchema.safeParse(json);
  if (!r.success) throw malformed(where, `${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
  const mediaType = typeof declared === 'string' ? declared : served && !isIndexType(served) && served.includes('json') ? served : MediaType.ociManifest;
  return { kind: 'image', mediaType, config: r.data.config, layers: r.data.layers };
}

/** `os/arch[/variant]` → Platform. */
export function parsePlatform(input: string): Platform {
  const parts = input.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new FerryError('USAGE', `"${input}" is not a platform.`, { hint: 'Use OS/ARCH or OS/ARCH/VARIANT, e.g. linux/amd64 or linux/arm64/v8.' });
  }
  return { os: parts[0]!, architecture: parts[1]!, ...(parts[2] ? { variant: parts[2] } : {}) };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** arm64's only variant is v8; containerd and containers/image treat them as equal. */
function normalVariant(p: Platform): string | undefined {
  return p.architecture === 'arm64' && p.variant === 'v8' ? undefined : p.variant;
}

export function platformMatches(want: Platform, have: Platform | undefined): boolean {
  if (!have || want.os !== have.os || want.architecture !== have.architecture) return false;
  const wv = normalVariant(want);
  return wv === undefined || wv === normalVariant(have);
}
