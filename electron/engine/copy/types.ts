import type { Readable } from 'node:stream';
import type { FetchedManifest } from '../registry/client';
import type { Descriptor } from '../registry/manifest';

/**
 * The two ends of a copy, kept small so a new transport (the media volumes) is one more pair of
 * classes: read manifests and verified blobs; test and write blobs and manifests.
 */
export interface BlobLocation {
  registry: string;
  repository: string;
}

export interface BlobReadOptions {
  signal?: AbortSignal;
  /** Counts verified bytes as they pass, for progress. */
  onBytes?: (n: number) => void;
  /** The image the blob belongs to, named in errors. */
  image?: string;
}

export interface ImageSource {
  /** Shown in messages and progress, e.g. `docker://host/repo:tag` or `oci:/dir:ref`. */
  readonly name: string;
  /** Where blobs live when the source is a registry: a destination on the same registry can mount them. */
  readonly location?: BlobLocation;
  /** The manifest the reference names (no digest), or one by digest; exact bytes, digest checked. */
  getManifest(digest?: string, signal?: AbortSignal): Promise<FetchedManifest>;
  /** The blob's bytes through hashing/verified-stream.ts; the stream errors (SIZE_MISMATCH, DIGEST_MISMATCH) rather than end on bad data. */
  openBlob(blob: Descriptor, opts?: BlobReadOptions): Promise<Readable>;
}

export type ManifestRole = 'child' | 'root';

export interface ImageDestination {
  readonly name: string;
  /** Where blobs are stored when the destination is a registry: copies into one repository share their blob work. */
  readonly location?: BlobLocation;
  hasBlob(blob: Descriptor, signal?: AbortSignal): Promise<boolean>;
  /** Stores a blob; calls `open` only if bytes must travel (not when mounted). */
  putBlob(blob: Descriptor, open: () => Promise<Readable>, opts: { signal?: AbortSignal; image?: string; from?: BlobLocation }): Promise<'mounted' | 'uploaded'>;
  /**
   * Stores a manifest whose blobs (and children) are all stored. A `root` manifest gets the
   * destination's name (tag, ref name): the commit point of the copy.
   */
  putManifest(manifest: FetchedManifest, role: ManifestRole, signal?: AbortSignal): Promise<void>;
}
