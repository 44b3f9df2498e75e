import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * Writes an OCI image layout (the input skopeo pushes from). Blobs land under a temp name and are
 * renamed once hashed, so a blob path always holds bytes matching its name.
 */
export class OciLayoutWriter {
  private readonly refs: Descriptor[] = [];

  constructor(readonly dir: string) {}

  private get blobDir(): string {
    return join(this.dir, 'blobs', 'sha256');
  }

  async init(): Promise<this> {
    await mkdir(this.blobDir, { recursive: true });
    await writeFile(join(this.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    return this;
  }

  async addBlob(data: Buffer | string, mediaType: string): Promise<Descriptor> {
    const bytes = Buffer.from(data);
    const digest = sha256(bytes);
    await writeFile(join(this.blobDir, digest.slice(7)), bytes);
    return { mediaType, digest, size: bytes.length };
  }

  /** Streams a blob of any size to disk while hashing it: memory stays bounded. */
  async addBlobStream(source: Readable, mediaType: string): Promise<Descriptor> {
    const hash = createHash('sha256');
    let size = 0;
    const tmp = join(this.blobDir, `.tmp-${randomBytes(6).toString('hex')}`);
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, tap, createWriteStream(tmp));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    const digest = `sha256:${hash.digest('hex')}`;
    await rename(tmp, join(this.blobDir, digest.slice(7)));
    return { mediaType, digest, size };
  }

  addJson(value: unknown, mediaType: string): Promise<Descriptor> {
    return this.addBlob(JSON.stringify(value), mediaType);
  }

  /** Names a manifest or index in index.json (`org.opencontainers.image.ref.name`), for `oci:DIR:name`. */
  tag(name: string, desc: Descriptor): void {
    const { annotations, ...rest } = desc;
    this.refs.push({ ...rest, annotations: { ...annotations, 'org.opencontainers.image.ref.name': name } });
  }

  /** The descriptor tagged `name`. */
  descriptor(name: string): Descriptor {
    const found = this.refs.find((d) => d.annotations?.['org.opencontainers.image.ref.name'] === name);
    if (!found) throw new Error(`no image named ${name} in layout ${this.dir}`);
    return found;
  }

  /** Every config and layer blob reachable from `desc` (through an index's children too), read from disk. */
  async blobsUnder(desc: Descriptor, into = new Map<string, number>()): Promise<Map<string, number>> {
    const doc = JSON.parse(await readFile(join(this.blobDir, desc.digest.slice(7)), 'utf8')) as {
      config?: Descriptor;
      layers?: Descriptor[];
      manifests?: Descriptor[];
    };
    for (const child of doc.manifests ?? []) await this.blobsUnder(child, into);
    for (const blob of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) into.set(blob.digest, blob.size);
    return into;
  }

  /** Writes index.json last: the layout is complete only once it exists. */
  async save(): Promise<void> {
    await writeFile(
      join(this.dir, 'index.json'),
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: this.refs }),
    );
  }
}
