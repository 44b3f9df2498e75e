import tar from 'tar-stream';
import { tarEntrySize } from './layout';

/**
 * Writes one tar entry (ustar header, data, padding) produced by tar-stream, handing its bytes to `out`
 * in order. Entries are written one at a time into a positioned file, not through one long-lived pack
 * stream, so a failed entry can be cut off by truncating the volume and the next one written in its place.
 */

/** Same content must give the same volume bytes: no clock, no owner. */
const FIXED_MTIME = new Date(0);

export interface EntryHeader {
  name: string;
  size: number;
  mode: number;
}

interface StreamxWritable {
  write(chunk: Uint8Array): boolean;
  end(): void;
  destroy(err?: Error): void;
  readonly destroying: boolean;
  on(event: string, fn: (...args: unknown[]) => void): void;
  once(event: string, fn: (...args: unknown[]) => void): void;
  off(event: string, fn: (...args: unknown[]) => void): void;
}

function drained(sink: StreamxWritable): Promise<void> {
  if (sink.destroying) return Promise.reject(new Error('tar entry closed'));
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      sink.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      sink.off('drain', onDrain);
      reject(new Error('tar entry closed'));
    };
    sink.once('drain', onDrain);
    sink.once('close', onClose);
  });
}

export async function writeTarEntry(
  header: EntryHeader,
  data: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  out: (chunk: Buffer) => Promise<void>,
): Promise<void> {
  const pack = tar.pack();
  const entryBytes = tarEntrySize(header.size);
  const sink = pack.entry(
    { name: header.name, size: header.size, mode: header.mode, mtime: FIXED_MTIME, uid: 0, gid: 0, uname: '', gname: '', type: 'file' },
    (err) => {
      if (!err) pack.finalize();
    },
  ) as unknown as StreamxWritable;
  // Failures surface through the feeding loop and the pack iteration below, never as stray 'error' events.
  sink.on('error', () => {});

  let feedError: unknown;
  const feeding = (async () => {
    try {
      for await (const chunk of data) {
        if (!sink.write(chunk)) await drained(sink);
      }
      sink.end();
    } catch (e) {
      feedError = e;
      sink.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  })();

  let emitted = 0;
  let writeError: unknown;
  try {
    for await (const chunk of pack as AsyncIterable<Buffer>) {
      // finalize() appends the end-of-archive blocks; the volume writes its own at close.
      const take = Math.min(chunk.length, entryBytes - emitted);
      if (take > 0) {
        try {
          await out(take === chunk.length ? chunk : chunk.subarray(0, take));
        } catch (e) {
          writeError = e;
          throw e;
        }
      }
      emitted += take;
    }
  } catch (e) {
    sink.destroy(e instanceof Error ? e : new Error(String(e)));
    await feeding;
    // A failed write (e.g. ENOSPC) is the cause even though it also stops the feeding side.
    throw writeError ?? feedError ?? e;
  }
  await feeding;
  if (feedError !== undefined) throw feedError;
  if (emitted !== entryBytes) throw new Error(`tar entry ${header.name} produced ${emitted} bytes, expected ${entryBytes}`);
}
