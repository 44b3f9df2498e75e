import tar from 'tar-stream';
import { TAR_BLOCK, tarEntrySize } from './layout';

/**
 * Writes one tar entry (ustar header, data, padding) into a positioned volume, handing its bytes to `out`
 * in order. Entries are written one at a time, not through one long-lived pack stream, so a failed entry
 * can be cut off by truncating the volume and the next one written in its place. tar-stream encodes the
 * header; the data goes straight to `out` (through a pack stream it cost a stream hop per chunk).
 */

/** Same content must give the same volume bytes: no clock, no owner. */
const FIXED_MTIME = new Date(0);
const ZEROS = Buffer.alloc(TAR_BLOCK);

export interface EntryHeader {
  name: string;
  size: number;
  mode: number;
}

/** The entry's header block, as tar-stream's pack encodes it. */
export async function tarHeader(header: EntryHeader): Promise<Buffer> {
  const pack = tar.pack();
  const sink = pack.entry(
    { name: header.name, size: header.size, mode: header.mode, mtime: FIXED_MTIME, uid: 0, gid: 0, uname: '', gname: '', type: 'file' },
    () => undefined,
  );
  // Only the header is read; the entry is then dropped, which must not surface as a stray 'error'.
  sink.on('error', () => undefined);
  pack.on('error', () => undefined);
  try {
    for await (const block of pack as AsyncIterable<Buffer>) {
      if (block.length !== TAR_BLOCK) break;
      return block;
    }
  } finally {
    pack.destroy();
  }
  throw new Error(`tar-stream produced no single header block for ${header.name} (its names must stay below 100 bytes)`);
}

export async function writeTarEntry(
  header: EntryHeader,
  data: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  out: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  await out(await tarHeader(header));
  let written = 0;
  for await (const chunk of data) {
    written += chunk.length;
    if (written > header.size) throw new Error(`tar entry ${header.name} was given more than its ${header.size} bytes`);
    await out(chunk);
  }
  if (written !== header.size) throw new Error(`tar entry ${header.name} was given ${written} of its ${header.size} bytes`);
  const padding = tarEntrySize(header.size) - TAR_BLOCK - header.size;
  if (padding > 0) await out(ZEROS.subarray(0, padding));
}
