import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';

/**
 * An image layer Ferry makes itself (the filtered catalog's), built so that the same entries always give the
 * same bytes: entries sorted by path, mtime 0, owner root with no names, and gzip with no name, no time and an
 * "unknown" OS byte (as Go's compress/gzip writes it), so the digest does not depend on the host. The tar and
 * its gzip stream: a layer is held one file's content at a time, and hashed as it is made. `buildLayer` keeps
 * the compressed blob in memory (small layers); `writeLayerFile` writes it to a file.
 */
export interface LayerEntry {
  path: string;
  type: 'file' | 'directory';
  /** File content, or what makes it when the entry is written (so only one file's bytes are held); directories have none. */
  content?: Buffer | (() => Promise<Buffer>);
  mode?: number;
}

export interface LayerDigests {
  /** sha256 of the compressed blob. */
  digest: string;
  /** sha256 of the uncompressed tar: the image config's `rootfs.diff_ids` entry. */
  diffId: string;
  /** Bytes of the compressed blob. */
  size: number;
}

export interface BuiltLayer extends LayerDigests {
  blob: Buffer;
}

export interface LayerFile extends LayerDigests {
  path: string;
}

const EPOCH = new Date(0);
/** RFC 1952: OS byte offset in the gzip header; 255 is "unknown". */
const GZIP_OS_BYTE = 9;

const byPath = (a: LayerEntry, b: LayerEntry): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Adds the entries to `pack` in path order, each once the one before it has been read out (tar-stream's entry callback). */
async function fill(pack: tar.Pack, entries: readonly LayerEntry[]): Promise<void> {
  for (const e of [...entries].sort(byPath)) {
    const header = { name: e.path, mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '' };
    const content = e.type === 'directory' ? undefined : typeof e.content === 'function' ? await e.content() : (e.content ?? Buffer.alloc(0));
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (content === undefined) pack.entry({ ...header, type: 'directory', mode: e.mode ?? 0o755 }, done);
      else pack.entry({ ...header, type: 'file', mode: e.mode ?? 0o644, size: content.length }, content, done);
    });
  }
  pack.finalize();
}

/** Streams the layer of `entries` into `sink` (tar, gzip level 9), hashing the tar and the blob on the way. */
async function makeLayer(entries: readonly LayerEntry[], sink: Writable): Promise<LayerDigests> {
  const pack = tar.pack();
  const tarHash = createHash('sha256');
  const blobHash = createHash('sha256');
  let size = 0;
  const filled = fill(pack, entries).catch((e: unknown) => {
    pack.destroy(e as Error);
    throw e;
  });
  await Promise.all([
    filled,
    pipeline(
      async function* () {
        for await (const chunk of pack as AsyncIterable<Buffer>) {
          tarHash.update(chunk);
          yield chunk;
        }
      },
      createGzip({ level: 9 }),
      async function* (gzipped: AsyncIterable<Buffer>) {
        for await (const chunk of gzipped) {
          if (size <= GZIP_OS_BYTE && GZIP_OS_BYTE < size + chunk.length) chunk[GZIP_OS_BYTE - size] = 0xff;
          size += chunk.length;
          blobHash.update(chunk);
          yield chunk;
        }
      },
      sink,
    ),
  ]);
  return { digest: `sha256:${blobHash.digest('hex')}`, diffId: `sha256:${tarHash.digest('hex')}`, size };
}

/** A small layer, its blob in memory. */
export async function buildLayer(entries: readonly LayerEntry[]): Promise<BuiltLayer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  const digests = await makeLayer(entries, sink);
  return { ...digests, blob: Buffer.concat(chunks) };
}

/** A layer of any size, its blob written to `path` (a new file, mode 0600). */
export async function writeLayerFile(entries: readonly LayerEntry[], path: string): Promise<LayerFile> {
  return { ...(await makeLayer(entries, createWriteStream(path, { flags: 'wx', mode: 0o600 }))), path };
}
