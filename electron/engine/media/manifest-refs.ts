/**
 * What a manifest points at: an index's child manifests, an image manifest's config and layers. Covers
 * OCI and Docker schema2 media types; used to check completeness and to name the images a blob belongs to.
 */
export interface ManifestRefs {
  children: string[];
  blobs: string[];
}

interface Descriptor {
  digest?: unknown;
  mediaType?: unknown;
  urls?: unknown;
}

/** Layers that registries never serve (Windows base layers): not expected in a transfer. */
function isForeign(d: Descriptor): boolean {
  return typeof d.mediaType === 'string' && (d.mediaType.includes('foreign') || d.mediaType.includes('nondistributable'));
}

function digestsOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return (list as Descriptor[]).filter((d) => typeof d?.digest === 'string' && !isForeign(d)).map((d) => d.digest as string);
}

/** Throws if the bytes are not a JSON object; unknown shapes yield no references. */
export function manifestRefs(bytes: Buffer): ManifestRefs {
  const doc = JSON.parse(bytes.toString('utf8')) as { manifests?: unknown; config?: Descriptor; layers?: unknown };
  if (typeof doc !== 'object' || doc === null) throw new Error('a manifest must be a JSON object');
  const children = digestsOf(doc.manifests);
  const blobs = [...(typeof doc.config?.digest === 'string' ? [doc.config.digest] : []), ...digestsOf(doc.layers)];
  return { children, blobs };
}
