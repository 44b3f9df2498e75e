import { digestOf } from '../hashing/verified-stream';
import { parseImageSetConfig } from '../../../shared/imageset/config';
import type { ImageSetRecord } from '../../../shared/transfer/manifest';

/**
 * What transfer.json records of the ImageSetConfiguration a transfer was made from (`requested.imageSet`): the
 * sha256 of the file's bytes and what Ferry's reader made of them. `ferry mirror --config` and the app's mirror
 * job both record it here, so one file gives one record whichever side made the transfer.
 */
export function imageSetRecord(bytes: Buffer, name: string): ImageSetRecord {
  return { digest: digestOf(bytes), config: parseImageSetConfig(bytes.toString('utf8'), name) };
}
