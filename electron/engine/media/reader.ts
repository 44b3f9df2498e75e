import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FerryError } from '../../../shared/errors';
import { TRANSFER_FILE, isParentLocation, isPartsLocation, type TransferBlob, type TransferImage, type TransferManifest } from '../../../shared/transfer/manifest';
import { parseTransferManifest } from '../../../shared/transfer/parse';
import { verifiedChunks } from '../hashing/verified-stream';
import { manifestRefs } from './manifest-refs';
import { readConfined, regularFileAt } from './confined-file';
import { openVolume, readVolume } from './volumes';

/**
 * Reads a finished transfer: the manifest, and any blob as a stream that is verified while it flows
 * (positioned reads from the volumes, split parts joined, every part and the whole digest checked). A
 * stream that fails verification errors instead of ending, naming blob, volume and the images using it.
 */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Where a blob's bytes (or one part of them) are in the volumes; `sha256` only for a part of a split blob. */
interface PartPlace {
  volume: string;
  offset: number;
  size: number;
  sha256: string | undefined;
}

const MEDIA_HINT = 'The media is damaged: run `ferry verify --dir` for the full list, then copy the transfer again from the original.';

export async function readTransferManifest(dir: string): Promise<TransferManifest> {
  const path = join(dir, TRANSFER_FILE);
  let text: string;
  try {
    text = (await readConfined(path)).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FerryError('INVALID_INPUT', `${dir} holds no ${TRANSFER_FILE}: it is not a transfer, or its writing never finished.`, {
        hint: 'Point --dir at the folder holding transfer.json and the ferry-*.tar volumes; an interrupted transfer must be resumed first.',
      });
    }
    throw e;
  }
  return parseTransferManifest(text, path);
}

export class TransferReader {
  private readonly byDigest: Map<string, TransferBlob>;
  /** Volume sizes transfer.json records: no read goes past them, whatever the file holds. */
  private readonly volumeSizes: Map<string, number>;
  private users: Promise<Map<string, string[]>> | undefined;

  private constructor(
    readonly dir: string,
    readonly manifest: TransferManifest,
  ) {
    this.byDigest = new Map(manifest.blobs.map((b) => [b.digest, b]));
    this.volumeSizes = new Map(manifest.volumes.map((v) => [v.name, v.size]));
  }

  static async open(dir: string): Promise<TransferReader> {
    return TransferReader.of(dir, await readTransferManifest(dir));
  }

  /** A reader over a manifest already read and checked (the push reads transfer.json once, for its signature). */
  static async of(dir: string, manifest: TransferManifest): Promise<TransferReader> {
    // A volume that is a link or a device is refused before anything is read or sent.
    for (const v of manifest.volumes) await regularFileAt(join(dir, v.name));
    return new TransferReader(dir, manifest);
  }

  images(): readonly TransferImage[] {
    return this.manifest.images;
  }

  blob(digest: string): TransferBlob | undefined {
    return this.byDigest.get(digest);
  }

  /** The blob's bytes, verified as they stream; the stream errors (SIZE_MISMATCH, DIGEST_MISMATCH, MEDIA_CORRUPT) rather than end on bad data. */
  openBlob(digest: string): Readable {
    return Readable.from(this.verifiedBytes(digest, true), { objectMode: false });
  }

  async manifestBytes(digest: string): Promise<Buffer> {
    return this.collect(digest, true);
  }

  /** Source references of the images that use a blob (as manifest, config or layer). */
  async imagesUsing(digest: string): Promise<string[]> {
    this.users ??= this.buildUsers();
    return (await this.users).get(digest) ?? [];
  }

  private async collect(digest: string, nameImages: boolean): Promise<Buffer> {
    const blob = this.require(digest);
    if (blob.size > MAX_MANIFEST_BYTES) {
      throw new FerryError('MEDIA_CORRUPT', `Manifest ${digest} is ${blob.size} bytes, more than a manifest can be (${MAX_MANIFEST_BYTES}).`, {
        hint: 'The transfer is damaged or not a Ferry transfer; write it again.',
      });
    }
    const chunks: Uint8Array[] = [];
    for await (const c of this.verifiedBytes(digest, nameImages)) chunks.push(c);
    return Buffer.concat(chunks);
  }

  private require(digest: string): TransferBlob {
    const blob = this.byDigest.get(digest);
    if (!blob) {
      throw new FerryError('NOT_FOUND', `Blob ${digest} is not in the transfer in ${this.dir}.`, {
        hint: 'The transfer does not hold this content; check that you chose the right transfer directory.',
      });
    }
    return blob;
  }

  private async *verifiedBytes(digest: string, nameImages: boolean): AsyncGenerator<Uint8Array> {
    const blob = this.require(digest);
    const loc = blob.location;
    if (isParentLocation(loc)) {
      throw new FerryError('NOT_FOUND', `Blob ${digest} is not on this media: the transfer is a delta and the blob is in its parent.`, {
        hint: 'Push the parent transfer first; the mirror then already holds this blob.',
      });
    }
    const images = nameImages ? () => this.imagesUsing(digest) : undefined;
    const parts = isPartsLocation(loc) ? loc.parts : [{ volume: loc.volume, offset: loc.offset, size: blob.size, sha256: undefined }];
    const volume = [...new Set(parts.map((p) => p.volume))].join(', ');
    yield* verifiedChunks({ digest, size: blob.size, volume, ...(images ? { images } : {}), hint: MEDIA_HINT }, this.joinedParts(digest, parts, images, nameImages));
  }

  /** A blob's parts, one after another, each checked by its own hash when it has one (the parts of a split blob). */
  private async *joinedParts(digest: string, parts: ReadonlyArray<PartPlace>, images: (() => Promise<string[]>) | undefined, nameImages: boolean): AsyncGenerator<Uint8Array> {
    for (const [i, part] of parts.entries()) {
      const bytes = this.partBytes(digest, part, nameImages);
      // A whole blob is checked by its digest alone; only the parts of a split one carry a hash each.
      yield* part.sha256 === undefined
        ? bytes
        : verifiedChunks({ digest: `sha256:${part.sha256}`, size: part.size, part: { blob: digest, number: i + 1 }, volume: part.volume, ...(images ? { images } : {}), hint: MEDIA_HINT }, bytes);
    }
  }

  /** The bytes transfer.json places in a volume, never read past the volume's recorded size; unchecked (the caller verifies). */
  private async *partBytes(digest: string, part: PartPlace, nameImages: boolean): AsyncGenerator<Buffer> {
    const recorded = this.volumeSizes.get(part.volume);
    if (recorded === undefined || part.offset + part.size > recorded) {
      throw await this.corrupt(digest, part.volume, `transfer.json places it past the end of volume ${part.volume}`, nameImages);
    }
    let fh;
    try {
      fh = await openVolume(join(this.dir, part.volume));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw await this.corrupt(digest, part.volume, `volume ${part.volume} is missing`, nameImages);
      throw e;
    }
    try {
      if (part.size > 0) yield* readVolume(fh, { start: part.offset, end: part.offset + part.size - 1 });
    } finally {
      await fh.close();
    }
  }

  private async corrupt(digest: string, volume: string, why: string, nameImages: boolean): Promise<FerryError> {
    const images = nameImages ? await this.imagesUsing(digest) : [];
    const used = images.length ? ` (used by ${images.join(', ')})` : '';
    return new FerryError('MEDIA_CORRUPT', `Blob ${digest}${used} cannot be read from the transfer: ${why}.`, {
      hint: MEDIA_HINT,
      details: { blob: digest, volume, images },
    });
  }

  /** blob digest → images, read from the manifests on the media; manifests that cannot be read are skipped. */
  private async buildUsers(): Promise<Map<string, string[]>> {
    const users = new Map<string, string[]>();
    const add = (digest: string, image: string): void => {
      const list = users.get(digest) ?? [];
      if (!list.includes(image)) list.push(image);
      users.set(digest, list);
    };
    for (const img of this.manifest.images) {
      for (const m of img.manifests) {
        add(m, img.source);
        const blob = this.byDigest.get(m);
        if (!blob || isParentLocation(blob.location)) continue;
        try {
          for (const d of manifestRefs(await this.collect(m, false)).blobs) add(d, img.source);
        } catch {
          // a damaged manifest names no blobs; the damage itself is reported where it is read
        }
      }
    }
    return users;
  }
}
