import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { FerryError } from '../../../shared/errors';
import { MAX_MANIFEST_BYTES } from '../registry/client';
import { MediaType, type Descriptor } from '../registry/manifest';
import { digestAlgorithm, verifiedChunks, VerifyingStream, type BlobIdentity } from '../hashing/verified-stream';
import { replaceConfined } from '../media/confined-file';

/**
 * An OCI image layout directory that skopeo, podman and oc read. Written safely (regclient's
 * ocidir is the model): each blob to a temp file, verified, fsynced, renamed; `index.json` written
 * last through temp + rename, so it is the commit point and never names a missing blob. Reading
 * refuses links and verifies every byte.
 */
export const REF_NAME = 'org.opencontainers.image.ref.name';
const LAYOUT_VERSION = '1.0.0';

const indexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  manifests: z.array(
    z.looseObject({
      mediaType: z.string().optional(),
      digest: z.string(),
      size: z.number().int().nonnegative(),
      annotations: z.record(z.string(), z.string()).optional(),
      platform: z.looseObject({ architecture: z.string(), os: z.string(), variant: z.string().optional() }).optional(),
    }),
  ),
});
type IndexJson = z.infer<typeof indexSchema>;

function corrupt(dir: string, what: string, hint = 'The directory is not an intact OCI image layout; copy it again from its source.'): FerryError {
  return new FerryError('MEDIA_CORRUPT', `The OCI layout ${dir}: ${what}.`, { hint, details: { dir } });
}

/** Serialises index.json updates per directory within this process. */
const indexLocks = new Map<string, Promise<unknown>>();

export class OciLayout {
  private constructor(readonly dir: string) {}

  /** Opens a layout; with `create`, makes the directory and its `oci-layout` file when missing. */
  static async open(dir: string, opts: { create?: boolean } = {}): Promise<OciLayout> {
    const layout = new OciLayout(dir);
    const marker = join(dir, 'oci-layout');
    let text: string | undefined;
    try {
      text = await readFile(marker, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (text === undefined) {
      if (!opts.create) {
        throw new FerryError('NOT_FOUND', `${dir} is not an OCI image layout (no oci-layout file).`, {
          hint: 'Give the directory that holds oci-layout, index.json and blobs/ (as oci:DIR[:REF]).',
        });
      }
      await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
      await layout.atomicWrite('oci-layout', Buffer.from(`${JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION })}\n`));
      return layout;
    }
    let version: unknown;
    try {
      version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch {
      throw corrupt(dir, 'oci-layout is not JSON');
    }
    if (version !== LAYOUT_VERSION) throw corrupt(dir, `imageLayoutVersion ${String(version)} is not ${LAYOUT_VERSION}`, 'Use a layout written by current tools.');
    if (opts.create) await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
    return layout;
  }

  blobPath(digest: string): string {
    const algo = digestAlgorithm(digest);
    const hex = digest.slice(algo.length + 1);
    if (!/^[a-f0-9]{64,128}$/.test(hex)) throw corrupt(this.dir, `the digest ${digest} is malformed`);
    return join(this.dir, 'blobs', algo, hex);
  }

  /** A regular file of the right size (not a link) at the blob's path. Content is checked when read. */
  async hasBlob(desc: Pick<Descriptor, 'digest' | 'size'>): Promise<boolean> {
    const st = await lstat(this.blobPath(desc.digest)).catch(() => undefined);
    return st !== undefined && st.isFile() && st.size === desc.size;
  }

  /** The blob's bytes through the verifier. Links are refused (O_NOFOLLOW closes the race too). */
  async openBlob(blob: BlobIdentity, onBytes?: (n: number) => void): Promise<Readable> {
    const path = this.blobPath(blob.digest);
    const st = await lstat(path).catch(() => undefined);
    if (!st) throw new FerryError('NOT_FOUND', `The OCI layout ${this.dir} has no blob ${blob.digest}${blob.image ? ` (needed by ${blob.image})` : ''}.`, { hint: 'The layout is incomplete; copy the image into it again.' });
    if (!st.isFile()) throw corrupt(this.dir, `blob ${blob.digest} is not a regular file (links are refused)`);
    const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const verifier = new VerifyingStream(blob, onBytes);
    // The file stream owns the handle from here and closes it on end, error or destroy.
    const file = fh.createReadStream({ highWaterMark: 256 * 1024 });
    verifier.once('close', () => file.destroy());
    file.on('error', (e) => verifier.destroy(e));
    return file.pipe(verifier);
  }

  /** Small blobs (manifests, configs) read whole, verified. */
  async readBlob(blob: BlobIdentity): Promise<Buffer> {
    if (blob.size > MAX_MANIFEST_BYTES) throw corrupt(this.dir, `blob ${blob.digest} is too large to be a manifest`);
    const chunks: Buffer[] = [];
    for await (const chunk of await this.openBlob(blob)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * Streams into a temp file through a verifier (the source's own, when it already verifies this very
   * descriptor, as a registry or layout source does); only verified, fsynced bytes get the blob's name
   * (confined-file.ts: the same atomic write as every file Ferry commits).
   */
  async writeBlob(blob: BlobIdentity, source: Readable): Promise<void> {
    await replaceConfined(this.blobPath(blob.digest), verifiedChunks(blob, source));
  }

  async writeBytes(blob: BlobIdentity, bytes: Buffer): Promise<void> {
    await this.writeBlob(blob, Readable.from([bytes]));
  }

  async readIndex(): Promise<IndexJson> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'index.json'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] };
      throw e;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw corrupt(this.dir, 'index.json is not JSON');
    }
    const r = indexSchema.safeParse(json);
    if (!r.success) throw corrupt(this.dir, `index.json is not an OCI index (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message})`);
    return r.data;
  }

  /**
   * Names `desc` in index.json: replaces any entry with the same ref name (or, unnamed, the same
   * digest) and writes the index atomically. This is the commit point of a copy into the layout.
   */
  async addToIndex(desc: Descriptor, refName: string | undefined): Promise<void> {
    const previous = indexLocks.get(this.dir) ?? Promise.resolve();
    const task = previous.catch(() => undefined).then(async () => {
      const index = await this.readIndex();
      const entry: IndexJson['manifests'][number] = {
        mediaType: desc.mediaType ?? MediaType.ociManifest,
        digest: desc.digest,
        size: desc.size,
        ...(desc.platform ? { platform: desc.platform } : {}),
        ...(refName !== undefined ? { annotations: { ...desc.annotations, [REF_NAME]: refName } } : desc.annotations ? { annotations: desc.annotations } : {}),
      };
      index.manifests = index.manifests.filter((m) => (refName !== undefined ? m.annotations?.[REF_NAME] !== refName : m.digest !== desc.digest || m.annotations?.[REF_NAME] !== undefined));
      index.manifests.push(entry);
      await this.atomicWrite('index.json', Buffer.from(`${JSON.stringify({ ...index, mediaType: index.mediaType ?? MediaType.ociIndex })}\n`));
    });
    indexLocks.set(this.dir, task);
    try {
      await task;
    } finally {
      if (indexLocks.get(this.dir) === task) indexLocks.delete(this.dir);
    }
  }

  /** The descriptor for REF (by ref name), or the only image when REF is omitted. */
  async resolve(ref: string | undefined): Promise<Descriptor> {
    const index = await this.readIndex();
    const matches = ref === undefined ? index.manifests : index.manifests.filter((m) => m.annotations?.[REF_NAME] === ref || m.digest === ref);
    if (matches.length === 1) return matches[0] as Descriptor;
    if (matches.length === 0) {
      throw new FerryError('NOT_FOUND', ref === undefined ? `The OCI layout ${this.dir} holds no image.` : `The OCI layout ${this.dir} has no image named "${ref}".`, {
        hint: `Images in it: ${index.manifests.map((m) => m.annotations?.[REF_NAME] ?? m.digest).join(', ') || 'none'}.`,
      });
    }
    throw new FerryError('USAGE', `The OCI layout ${this.dir} holds ${matches.length} images; say which one.`, {
      hint: `Use oci:${this.dir}:REF with one of: ${index.manifests.map((m) => m.annotations?.[REF_NAME] ?? m.digest).join(', ')}.`,
    });
  }

  private async atomicWrite(name: string, bytes: Buffer): Promise<void> {
    await replaceConfined(join(this.dir, name), bytes);
  }
}

/** `oci:DIR[:REF]` split like containers/image: the first ':' after the transport ends DIR. */
export function parseOciSpec(spec: string): { dir: string; ref?: string } {
  const body = spec.startsWith('oci:') ? spec.slice(4) : spec;
  const colon = body.indexOf(':');
  const dir = colon < 0 ? body : body.slice(0, colon);
  const ref = colon < 0 ? undefined : body.slice(colon + 1);
  if (dir === '') throw new FerryError('USAGE', `"${spec}" names no directory.`, { hint: 'Use oci:DIR[:REF], e.g. oci:/mnt/usb/images:ubi9.' });
  if (ref !== undefined && !/^[A-Za-z0-9](?:[A-Za-z0-9._:@/+-]*[A-Za-z0-9])?$/.test(ref)) {
    throw new FerryError('USAGE', `"${ref}" is not a valid OCI reference name in "${spec}".`, { hint: 'Use letters, digits and . _ - : @ / + (starting and ending with a letter or digit).' });
  }
  return ref === undefined ? { dir } : { dir, ref };
}
