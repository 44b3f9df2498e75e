import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { FerryError } from '../../../shared/errors';
import type { FetchedManifest } from '../registry/client';
import { parseManifest, type Descriptor } from '../registry/manifest';
import type { OciLayout } from '../oci-layout/directory';
import type { BlobReadOptions, ImageDestination, ImageSource, ManifestRole } from './types';

/** An image in an OCI layout (`oci:DIR[:REF]`) as the source of a copy. */
export class OciSource implements ImageSource {
  readonly name: string;

  constructor(
    private readonly layout: OciLayout,
    private readonly ref: string | undefined,
  ) {
    this.name = `oci:${layout.dir}${ref !== undefined ? `:${ref}` : ''}`;
  }

  async getManifest(digest?: string): Promise<FetchedManifest> {
    const desc: Descriptor = digest ? { digest, size: -1 } : await this.layout.resolve(this.ref);
    const size = desc.size >= 0 ? desc.size : await this.sizeOf(desc.digest);
    const bytes = await this.layout.readBlob({ digest: desc.digest, size, source: this.name });
    const mediaType = parseManifest(bytes, desc.mediaType, `${this.name}@${desc.digest}`).mediaType;
    return { bytes, mediaType, digest: desc.digest };
  }

  /** Children are found by digest: their size is the file's (the bytes are still verified by digest). */
  private async sizeOf(digest: string): Promise<number> {
    const st = await stat(this.layout.blobPath(digest)).catch(() => undefined);
    if (!st) throw new FerryError('NOT_FOUND', `The OCI layout ${this.layout.dir} has no manifest ${digest}.`, { hint: 'The layout is incomplete; copy the image into it again.' });
    return st.size;
  }

  openBlob(blob: Descriptor, opts: BlobReadOptions = {}): Promise<Readable> {
    return this.layout.openBlob({ digest: blob.digest, size: blob.size, source: this.name, ...(opts.image ? { image: opts.image } : {}) }, opts.onBytes);
  }
}

/** An OCI layout as the destination; the image is named in index.json (ref name REF) last. */
export class OciDestination implements ImageDestination {
  readonly name: string;

  constructor(
    private readonly layout: OciLayout,
    private readonly ref: string | undefined,
  ) {
    this.name = `oci:${layout.dir}${ref !== undefined ? `:${ref}` : ''}`;
  }

  hasBlob(blob: Descriptor): Promise<boolean> {
    return this.layout.hasBlob(blob);
  }

  async putBlob(blob: Descriptor, open: () => Promise<Readable>, opts: { image?: string }): Promise<'uploaded'> {
    await this.layout.writeBlob({ digest: blob.digest, size: blob.size, source: this.name, ...(opts.image ? { image: opts.image } : {}) }, await open());
    return 'uploaded';
  }

  async putManifest(manifest: FetchedManifest, role: ManifestRole): Promise<void> {
    // writeBytes verifies the bytes against the digest like any blob.
    const desc = { digest: manifest.digest, size: manifest.bytes.length, mediaType: manifest.mediaType };
    if (!(await this.layout.hasBlob(desc))) await this.layout.writeBytes({ ...desc, source: this.name }, manifest.bytes);
    if (role === 'root') await this.layout.addToIndex(desc, this.ref);
  }
}
