import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { digestOf } from '../hashing/verified-stream';

/**
 * A small image layer Ferry makes itself (the filtered catalog's), built so that the same entries always
 * give the same bytes: entries sorted by path, mtime 0, owner root with no names, and gzip with no name,
 * no time and an "unknown" OS byte (as Go's compress/gzip writes it), so the digest does not depend on the
 * host. Held in memory: these layers are catalog text, not operand images.
 */
export interface LayerEntry {
  path: string;
  type: 'file' | 'directory';
  /** File content; directories have none. */
  content?: Buffer;
  mode?: number;
}

export interface BuiltLayer {
  blob: Buffer;
  /** sha256 of the compressed blob. */
  digest: string;
  /** sha256 of the uncompressed tar: the image config's `rootfs.diff_ids` entry. */
  diffId: string;
}

const EPOCH = new Date(0);
/** RFC 1952: OS byte offset in the gzip header; 255 is "unknown". */
const GZIP_OS_BYTE = 9;

async function tarOf(entries: readonly LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const header = { name: e.path, mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '' };
    if (e.type === 'directory') pack.entry({ ...header, type: 'directory', mode: e.mode ?? 0o755 });
    else pack.entry({ ...header, type: 'file', mode: e.mode ?? 0o644, size: e.content?.length ?? 0 }, e.content ?? Buffer.alloc(0));
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export async function buildLayer(entries: readonly LayerEntry[]): Promise<BuiltLayer> {
  const raw = await tarOf(entries);
  const blob = gzipSync(raw, { level: 9 });
  blob[GZIP_OS_BYTE] = 0xff;
  return { blob, digest: digestOf(blob), diffId: digestOf(raw) };
}
