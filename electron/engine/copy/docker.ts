import type { Readable } from 'node:stream';
import { FerryError } from '../../../shared/errors';
import { formatReference, manifestSelector, type ImageReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import type { FetchedManifest, RegistryClient } from '../registry/client';
import type { Descriptor } from '../registry/manifest';
import type { BlobLocation, BlobReadOptions, ImageDestination, ImageSource, ManifestRole } from './types';

/** A registry repository as the source of a copy (fetched through --source-mirror when one applies). */
export class DockerSource implements ImageSource {
  readonly name: string;
  readonly location: BlobLocation;
  private readonly client: RegistryClient;
  private readonly fetchRef: ImageReference;

  constructor(
    ctx: EngineContext,
    readonly ref: ImageReference,
    private readonly accept?: string[],
  ) {
    this.name = `docker://${formatReference(ref)}`;
    this.fetchRef = ctx.resolveSource(ref);
    this.client = ctx.registry(this.fetchRef.registry);
    this.location = { registry: this.fetchRef.registry, repository: this.fetchRef.repository };
  }

  getManifest(digest?: string, signal?: AbortSignal): Promise<FetchedManifest> {
    return this.client.getManifest(this.fetchRef.repository, digest ?? manifestSelector(this.fetchRef), {
      ...(this.accept ? { accept: this.accept } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  /** Whether the repository holds `tag` (HEAD: no body moves for the common answer, 404). */
  async hasTag(tag: string, signal?: AbortSignal): Promise<boolean> {
    return (await this.client.headManifest(this.fetchRef.repository, tag, signal ? { signal } : {})) !== undefined;
  }

  /** The referrers of `digest` in this repository through the OCI 1.1 API; undefined without the API. */
  referrers(digest: string, signal?: AbortSignal): Promise<FetchedManifest | undefined> {
    return this.client.getReferrers(this.fetchRef.repository, digest, signal ? { signal } : {});
  }

  async openBlob(blob: Descriptor, opts: BlobReadOptions = {}): Promise<Readable> {
    return this.client.openBlob(
      this.fetchRef.repository,
      { digest: blob.digest, size: blob.size, source: `${this.fetchRef.registry}/${this.fetchRef.repository}`, ...(opts.image ? { image: opts.image } : {}) },
      { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onBytes ? { onBytes: opts.onBytes } : {}) },
    );
  }
}

/**
 * A registry repository as the destination: HEAD before upload, cross-repository mount when a
 * repository of the same registry is known to hold the blob, the tag written last.
 */
export class DockerDestination implements ImageDestination {
  readonly name: string;
  readonly location: BlobLocation;
  private readonly client: RegistryClient;

  constructor(
    private readonly ctx: EngineContext,
    readonly ref: ImageReference,
  ) {
    this.name = `docker://${formatReference(ref)}`;
    this.location = { registry: ref.registry, repository: ref.repository };
    this.client = ctx.registry(ref.registry);
  }

  async hasBlob(blob: Descriptor, signal?: AbortSignal): Promise<boolean> {
    const size = await this.client.headBlob(this.ref.repository, blob.digest, { access: 'push', ...(signal ? { signal } : {}) });
    const present = size !== undefined && (size === -1 || size === blob.size);
    if (present) this.ctx.blobLocations.add(this.ref.registry, this.ref.repository, blob.digest);
    return present;
  }

  async putBlob(blob: Descriptor, open: () => Promise<Readable>, opts: { signal?: AbortSignal; image?: string; from?: BlobLocation }): Promise<'mounted' | 'uploaded'> {
    const sameRegistry = opts.from && opts.from.registry === this.ref.registry && opts.from.repository !== this.ref.repository;
    const mountFrom = sameRegistry ? opts.from!.repository : this.ctx.blobLocations.find(this.ref.registry, blob.digest, this.ref.repository);
    const how = await this.client.uploadBlob(
      this.ref.repository,
      { digest: blob.digest, size: blob.size, source: opts.from ? `${opts.from.registry}/${opts.from.repository}` : 'the source', ...(opts.image ? { image: opts.image } : {}) },
      open,
      { ...(mountFrom ? { mountFrom } : {}), ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    this.ctx.blobLocations.add(this.ref.registry, this.ref.repository, blob.digest);
    return how;
  }

  async putManifest(manifest: FetchedManifest, role: ManifestRole, signal?: AbortSignal): Promise<void> {
    if (role === 'root' && this.ref.digest && this.ref.digest !== manifest.digest) {
      throw new FerryError('DIGEST_MISMATCH', `The destination ${this.name} names digest ${this.ref.digest}, but the image copied is ${manifest.digest}.`, {
        hint: 'Give the destination a tag, or the digest of the image being copied.',
      });
    }
    // A destination without tag or digest gets "latest", as skopeo and docker do.
    const selector = role === 'root' ? (this.ref.digest ?? this.ref.tag ?? 'latest') : manifest.digest;
    await this.client.putManifest(this.ref.repository, selector, manifest, signal);
  }
}
