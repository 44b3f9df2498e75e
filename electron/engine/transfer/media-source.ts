import { Transform, pipeline, type Readable } from 'node:stream';
import { FerryError } from '../../../shared/errors';
import type { TransferImage } from '../../../shared/transfer/manifest';
import type { BlobReadOptions, ImageSource } from '../copy/types';
import type { TransferReader } from '../media/reader';
import type { FetchedManifest } from '../registry/client';
import { parseManifest, type Descriptor } from '../registry/manifest';

/**
 * One image of a transfer on media as the source of a copy: manifests and blobs come from the volumes,
 * verified as they stream, so push and the registry destination never see an unverified byte.
 */
export class MediaSource implements ImageSource {
  readonly name: string;

  constructor(
    private readonly reader: TransferReader,
    private readonly image: TransferImage,
  ) {
    this.name = image.source;
  }

  async getManifest(digest?: string): Promise<FetchedManifest> {
    const want = digest ?? this.image.digest;
    if (!this.image.manifests.includes(want)) {
      throw new FerryError('MEDIA_CORRUPT', `The transfer does not list manifest ${want} as part of ${this.image.source}.`, {
        hint: 'transfer.json and the manifests on the media disagree; write the transfer again.',
      });
    }
    const bytes = await this.reader.manifestBytes(want);
    const recorded = this.reader.blob(want)?.mediaType;
    const mediaType = parseManifest(bytes, recorded, `${this.image.source}@${want}`).mediaType;
    return { bytes, mediaType, digest: want };
  }

  async openBlob(blob: Descriptor, opts: BlobReadOptions = {}): Promise<Readable> {
    const recorded = this.reader.blob(blob.digest);
    if (recorded && recorded.size !== blob.size) {
      throw new FerryError('MEDIA_CORRUPT', `Blob ${blob.digest} of ${this.image.source} is ${blob.size} bytes in its manifest but ${recorded.size} in transfer.json.`, {
        hint: 'The transfer is damaged; write it again.',
      });
    }
    const stream = this.reader.openBlob(blob.digest);
    const onBytes = opts.onBytes;
    if (!onBytes) return stream;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        onBytes(chunk.length);
        cb(null, chunk);
      },
    });
    return pipeline(stream, counter, () => undefined);
  }
}
