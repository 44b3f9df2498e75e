import { PassThrough, Readable, Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { pipeline as pipelineCb } from 'node:stream';
import tar from 'tar-stream';
import { FerryError } from '../../../shared/errors';
import { openReplacement, type Replacement } from '../media/confined-file';

/**
 * Reading files out of an image's layers, honouring layer order and whiteouts, for the two places
 * Ferry needs it: the release payload's `release-manifests/*` and the installer binary.
 *
 * Layers are scanned top-down: the first layer that holds the path (or a whiteout of it or of one of
 * its directories) decides. Every scanned layer is read to its end, because the layer stream is
 * digest-verified only when it ends: nothing read from a layer is handed out before that.
 */
export interface LayerSource {
  digest: string;
  /** A verified stream of the (possibly compressed) layer blob. */
  open(): Promise<Readable>;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** Uncompressed tar bytes of a layer, whatever its compression; decided by magic bytes, not media type. */
async function decompressLayer(layer: Readable, digest: string): Promise<Readable> {
  const chunks = layer[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headLength = 0;
  while (headLength < ZSTD_MAGIC.length) {
    const next = await chunks.next();
    if (next.done) break;
    head.push(next.value);
    headLength += next.value.length;
  }
  const first = Buffer.concat(head);
  const startsWith = (magic: number[]): boolean => magic.every((b, i) => first[i] === b);
  if (startsWith(ZSTD_MAGIC)) {
    layer.destroy();
    throw new FerryError('UNSUPPORTED', `Layer ${digest} is zstd-compressed, which this Ferry build cannot read.`, {
      hint: 'Extract the file with skopeo or podman on a host with zstd support.',
    });
  }
  const body = Readable.from(
    (async function* () {
      yield first;
      for (;;) {
        const next = await chunks.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  );
  if (!startsWith(GZIP_MAGIC)) return body;
  const gunzip = createGunzip();
  // pipeline() destroys gunzip with the error if the verified layer stream fails.
  pipelineCb(body, gunzip, () => {});
  return gunzip;
}

/** Tar names may be `./usr/bin/x`, `/usr/bin/x` or `usr/bin/x`; compare them in one form. */
function normalizeEntryPath(name: string): string {
  return name.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
}

function parentsOf(path: string): string[] {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

/** True when this layer entry hides `path` in every lower layer. */
function hides(entryPath: string, path: string): boolean {
  const slash = entryPath.lastIndexOf('/');
  const dir = slash < 0 ? '' : entryPath.slice(0, slash);
  const base = slash < 0 ? entryPath : entryPath.slice(slash + 1);
  if (!base.startsWith('.wh.')) return false;
  const prefix = dir === '' ? '' : `${dir}/`;
  if (base === '.wh..wh..opq') return path.startsWith(prefix) && path !== dir;
  const removed = `${prefix}${base.slice(4)}`;
  return path === removed || path.startsWith(`${removed}/`);
}

type Verdict = { kind: 'found' } | { kind: 'deleted' };

/**
 * Scans one layer to its end. `sinkFor(path)` gives where a wanted regular file's bytes go.
 * Returns what this layer decided for each wanted path (absent paths are left out).
 */
async function scanLayer(layer: LayerSource, wanted: ReadonlySet<string>, sinkFor: (path: string) => Writable): Promise<Map<string, Verdict>> {
  const verdicts = new Map<string, Verdict>();
  const extract = tar.extract();
  const source = await decompressLayer(await layer.open(), layer.digest);
  const consume = (async () => {
    for await (const entry of extract) {
      const path = normalizeEntryPath(entry.header.name);
      if (wanted.has(path)) {
        if (entry.header.type === 'file' || entry.header.type === 'contiguous-file') {
          await pipeline(entry, sinkFor(path));
          verdicts.set(path, { kind: 'found' });
          continue;
        }
        if (entry.header.type === 'symlink' || entry.header.type === 'link') {
          entry.resume();
          throw new FerryError('UNSUPPORTED', `In layer ${layer.digest}, ${path} is a link to ${entry.header.linkname ?? '?'}; Ferry extracts regular files only.`);
        }
      } else {
        for (const w of wanted) {
          if (!verdicts.has(w) && hides(path, w)) verdicts.set(w, { kind: 'deleted' });
        }
      }
      entry.resume();
    }
  })().catch((e: unknown) => {
    extract.destroy(e as Error);
    throw e;
  });
  await Promise.all([pipeline(source, extract), consume]);
  return verdicts;
}

/** Topmost-first resolution of `paths` across layers given bottom-up (manifest order). */
async function resolve(layersBottomUp: readonly LayerSource[], paths: readonly string[], sinkFor: (path: string, layer: LayerSource) => Writable): Promise<Map<string, LayerSource>> {
  const pending = new Set(paths.map(normalizeEntryPath));
  const foundIn = new Map<string, LayerSource>();
  for (let i = layersBottomUp.length - 1; i >= 0 && pending.size > 0; i--) {
    const layer = layersBottomUp[i]!;
    const verdicts = await scanLayer(layer, pending, (p) => sinkFor(p, layer));
    for (const [p, v] of verdicts) {
      pending.delete(p);
      if (v.kind === 'found') foundIn.set(p, layer);
    }
    // A directory whiteout hides every wanted path below it: also settle those by parent.
    for (const p of [...pending]) if (parentsOf(p).some((d) => verdicts.get(d)?.kind === 'deleted')) pending.delete(p);
  }
  return foundIn;
}

/** Small files (metadata, manifests) read into memory, each capped at `maxBytes`. Missing paths are absent from the map. */
export async function readFilesFromLayers(layersBottomUp: readonly LayerSource[], paths: readonly string[], maxBytes = 16 * 1024 * 1024): Promise<Map<string, Buffer>> {
  // A lower layer's copy of a path is collected while scanning but only kept when that layer decides.
  const buffers = new Map<string, Buffer>();
  const found = await resolve(layersBottomUp, paths, (path, layer) => {
    const chunks: Buffer[] = [];
    let size = 0;
    return new Writable({
      write(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > maxBytes) return cb(new FerryError('UNSUPPORTED', `${path} in layer ${layer.digest} is larger than ${maxBytes} bytes.`));
        chunks.push(chunk);
        cb();
      },
      final(cb) {
        buffers.set(path, Buffer.concat(chunks));
        cb();
      },
    });
  });
  return new Map([...found.keys()].map((p) => [p, buffers.get(p)!]));
}

/** Rewrites a file's bytes as they stream; `accept` runs once the file is whole and verified, and may refuse it by throwing. */
export interface FileFilter {
  stream: Transform;
  accept(): void;
}

/**
 * Streams one file to `destPath` (mode `mode`), through `filter` if given, by the one atomic writer
 * (confined-file.ts): the bytes go to a temp file beside it that takes the name only after the layer that
 * holds the file was read to its end and verified.
 */
export async function extractFileFromLayers(
  layersBottomUp: readonly LayerSource[],
  path: string,
  destPath: string,
  mode = 0o755,
  filter?: () => FileFilter,
): Promise<{ layer: string; bytes: number }> {
  let bytes = 0;
  let used: FileFilter | undefined;
  let target: Promise<Replacement> | undefined;
  try {
    const found = await resolve(layersBottomUp, [path], () => {
      bytes = 0;
      used = filter?.();
      // The path met again (twice in one layer) starts over in a new temp file.
      const previous = target;
      const replacement = (target = (async () => {
        await (await previous)?.abort();
        return openReplacement(destPath, mode);
      })());
      // Awaited by the writes and the commit; a refused target is not unhandled meanwhile.
      replacement.catch(() => undefined);
      const file = new Writable({
        write(chunk: Buffer, _enc, cb) {
          replacement.then((r) => r.write(chunk)).then(() => cb(), cb);
        },
      });
      const counter = new PassThrough();
      counter.on('data', (c: Buffer) => (bytes += c.length));
      counter.pipe(file);
      const head: Writable = used ? used.stream : counter;
      if (used) used.stream.pipe(counter);
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          head.write(chunk, cb);
        },
        final(cb) {
          file.once('close', () => cb());
          head.end();
        },
      });
      // pipe() carries no error downstream: a refused target, a full disk or a filter's refusal fails the sink.
      for (const stream of [file, ...(used ? [used.stream] : [])]) stream.on('error', (e) => sink.destroy(e));
      return sink;
    });
    const layer = found.get(normalizeEntryPath(path));
    if (!layer) {
      throw new FerryError('NOT_FOUND', `The image has no file ${path} (it is absent or deleted by a later layer).`);
    }
    used?.accept();
    await (await target!).commit();
    return { layer: layer.digest, bytes };
  } catch (e) {
    await (await target?.catch(() => undefined))?.abort();
    throw e;
  }
}

/**
 * Streams every regular file under `dir` as the image's merged filesystem shows it: layers are scanned
 * top-down, so the first copy of a path met is the one that counts; whiteouts and opaque directories hide
 * paths in the layers below them, not in their own. `onFile` must consume the stream. Memory stays bounded
 * by what `onFile` keeps; the caller must not trust what it kept until this resolves (each layer is verified
 * against its digest only when read to its end).
 */
export async function walkFilesFromLayers(
  layersBottomUp: readonly LayerSource[],
  dir: string,
  onFile: (path: string, content: AsyncIterable<Buffer>, layer: LayerSource) => Promise<void>,
): Promise<void> {
  const root = normalizeEntryPath(dir);
  const under = (p: string): boolean => root === '' || p.startsWith(`${root}/`);
  const decided = new Set<string>();
  const whiteoutsAbove: string[] = [];
  for (let i = layersBottomUp.length - 1; i >= 0; i--) {
    const layer = layersBottomUp[i]!;
    const seenHere: string[] = [];
    const whiteoutsHere: string[] = [];
    const extract = tar.extract();
    const source = await decompressLayer(await layer.open(), layer.digest);
    const consume = (async () => {
      for await (const entry of extract) {
        const path = normalizeEntryPath(entry.header.name);
        const base = path.slice(path.lastIndexOf('/') + 1);
        if (base.startsWith('.wh.')) whiteoutsHere.push(path);
        else if (
          under(path) &&
          (entry.header.type === 'file' || entry.header.type === 'contiguous-file') &&
          !decided.has(path) &&
          !whiteoutsAbove.some((w) => hides(w, path))
        ) {
          seenHere.push(path);
          await onFile(path, entry as AsyncIterable<Buffer>, layer);
          continue;
        }
        entry.resume();
      }
    })().catch((e: unknown) => {
      extract.destroy(e as Error);
      throw e;
    });
    await Promise.all([pipeline(source, extract), consume]);
    for (const p of seenHere) decided.add(p);
    whiteoutsAbove.push(...whiteoutsHere);
  }
}
