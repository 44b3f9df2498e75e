import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack, type Header, type Pack } from 'tar-stream';
import { MEDIA, type Descriptor, type OciLayoutWriter } from './oci-layout';

/** A tar entry. `content` as bytes for small files, or a stream factory with its size for big ones. */
export interface LayerEntry {
  path: string;
  type?: 'file' | 'directory' | 'symlink';
  content?: Buffer | string | { size: number; stream: () => Readable };
  linkname?: string;
  mode?: number;
}

export interface BuiltLayer {
  descriptor: Descriptor;
  /** sha256 of the uncompressed tar, for the config's rootfs.diff_ids. */
  diffId: string;
}

/** Fixed metadata so that the same entries always give the same layer digest. */
const MTIME = new Date('2024-01-01T00:00:00Z');

/** Name of the whiteout entry that deletes `path` in layers below (OCI image spec). */
export function whiteout(path: string): string {
  const slash = path.lastIndexOf('/');
  return `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`;
}

async function writeEntries(pack: Pack, entries: LayerEntry[]): Promise<void> {
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const header: Partial<Header> & { name: string } = {
      name: entry.path,
      type,
      mode: entry.mode ?? (type === 'directory' ? 0o755 : 0o644),
      mtime: MTIME,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      ...(entry.linkname ? { linkname: entry.linkname } : {}),
    };
    const content = entry.content;
    const streamed = content !== undefined && typeof content === 'object' && !Buffer.isBuffer(content) ? content : undefined;
    const bytes = streamed ? undefined : Buffer.from((content as Buffer | string | undefined) ?? '');
    const size = type === 'file' ? (streamed?.size ?? bytes!.length) : 0;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (!streamed) {
        pack.entry({ ...header, size }, bytes!, done);
        return;
      }
      // tar-stream's sinks are streamx streams: feed them by hand, honouring backpressure.
      const sink = pack.entry({ ...header, size }, done);
      (async () => {
        for await (const chunk of streamed.stream()) {
          if (!sink.write(chunk)) await once(sink, 'drain');
        }
        sink.end(undefined);
      })().catch(reject);
    });
  }
  pack.finalize();
}

/**
 * Streams a tar of `entries` (gzip-compressed unless `gzip: false`) into the layout while hashing both
 * the tar (diff ID) and the blob (digest). Memory stays bounded whatever the entry sizes.
 */
export async function addLayer(
  layout: OciLayoutWriter,
  entries: LayerEntry[],
  opts: { gzip?: boolean; level?: number } = {},
): Promise<BuiltLayer> {
  const gzip = opts.gzip ?? true;
  const pack = tarPack();
  const diff = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      diff.update(chunk);
      done(null, chunk);
    },
  });
  const out = new PassThrough();
  const produced = writeEntries(pack, entries);
  const piped = gzip ? pipeline(Readable.from(pack), tap, createGzip({ level: opts.level ?? 6 }), out) : pipeline(Readable.from(pack), tap, out);
  const [descriptor] = await Promise.all([
    layout.addBlobStream(out, gzip ? MEDIA.ociLayerGzip : MEDIA.ociLayerTar),
    produced,
    piped,
  ]);
  return { descriptor, diffId: `sha256:${diff.digest('hex')}` };
}

export interface ImageSpec {
  layers: BuiltLayer[];
  platform?: { os: string; architecture: string; variant?: string };
  labels?: Record<string, string>;
  cmd?: string[];
  entrypoint?: string[];
}

/** Writes the config and an OCI manifest for `spec`; returns the manifest's descriptor (with platform). */
export async function addImage(layout: OciLayoutWriter, spec: ImageSpec): Promise<Descriptor> {
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const config = await layout.addJson(
    {
      created: MTIME.toISOString(),
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        Cmd: spec.cmd ?? ['/bin/sh'],
        Labels: spec.labels ?? {},
      },
      rootfs: { type: 'layers', diff_ids: spec.layers.map((l) => l.diffId) },
      history: spec.layers.map(() => ({ created: MTIME.toISOString(), created_by: 'ferry test fixture' })),
    },
    MEDIA.ociConfig,
  );
  const manifest = await layout.addJson(
    {
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config,
      layers: spec.layers.map((l) => l.descriptor),
    },
    MEDIA.ociManifest,
  );
  return { ...manifest, platform };
}

/** Writes an OCI index over `children` (each with its platform). */
export function addIndex(layout: OciLayoutWriter, children: Descriptor[]): Promise<Descriptor> {
  return layout.addJson({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: children }, MEDIA.ociIndex);
}
