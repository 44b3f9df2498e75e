import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { FerryError } from '../../../shared/errors';
import { createEngineContext, engineOptionsFrom } from '../context';
import { copyImage } from '../copy/copy';
import { OciDestination } from '../copy/oci';
import { TransferReader } from '../media/reader';
import { OciLayout } from '../oci-layout/directory';
import { parseManifest } from '../registry/manifest';
import { MediaSource } from '../transfer/media-source';

/**
 * The registry image a transfer carries (`ferry mirror --with-registry`), written as an oci-archive
 * that `podman load -i` reads: the image is copied out of the volumes into an OCI layout (every blob
 * verified against its digest as it is read and again as it is written), which is then packed into
 * one tar. Its index names the image as the user did and keeps the manifest bytes, so the loaded
 * image has the manifest digest the transfer recorded.
 *
 * The node runs it by image ID, the sha256 of its config (which names every layer's content): that
 * is how podman finds a loaded image whatever name it gave it, and no other image has that ID.
 */
export interface CarriedRegistryImage {
  ref: string;
  platform: string;
  /** `REPO@sha256:…` of the manifest the transfer carries. */
  source: string;
  digest: string;
  /** The config digest's hex: podman's image ID once loaded. */
  imageId: string;
}

export async function carriedRegistryImage(fromDir: string): Promise<{ reader: TransferReader; image: CarriedRegistryImage }> {
  const reader = await TransferReader.open(fromDir);
  const registry = reader.manifest.requested.registry;
  const image = registry ? reader.manifest.images.find((i) => i.source === registry.source) : undefined;
  if (!registry || !image) {
    throw new FerryError('NOT_FOUND', `The transfer in ${fromDir} does not carry a registry image.`, {
      hint: 'On the connected side, mirror with --with-registry (the app: "carry the mirror registry") and bring that transfer.',
    });
  }
  const manifest = await new MediaSource(reader, image).getManifest();
  const parsed = parseManifest(manifest.bytes, manifest.mediaType, image.source);
  if (parsed.kind !== 'image') {
    throw new FerryError('MEDIA_CORRUPT', `The registry image ${image.source} in ${fromDir} is not a single-platform image.`, { hint: 'Mirror it again with --with-registry.' });
  }
  return { reader, image: { ...registry, digest: image.digest, imageId: parsed.config.digest.slice('sha256:'.length) } };
}

export async function writeRegistryArchive(reader: TransferReader, image: CarriedRegistryImage, archivePath: string, workDir: string): Promise<void> {
  const layoutDir = join(workDir, 'registry-oci');
  const ctx = await createEngineContext(engineOptionsFrom({}));
  try {
    const source = reader.manifest.images.find((i) => i.source === image.source)!;
    const result = await copyImage(ctx, new MediaSource(reader, source), new OciDestination(await OciLayout.open(layoutDir, { create: true }), image.ref));
    if (result.digest !== image.digest) {
      throw new FerryError('DIGEST_MISMATCH', `The registry image ${image.source} came out of the transfer as ${result.digest}.`, { hint: 'The transfer is damaged; verify it with ferry verify --dir.' });
    }
    await packDirectory(layoutDir, archivePath);
  } finally {
    await ctx.close();
    await rm(layoutDir, { recursive: true, force: true });
  }
}

/** `dir`'s files as a tar (relative names, sorted, fixed times): the same layout gives the same archive. */
async function packDirectory(dir: string, archivePath: string): Promise<void> {
  const pack = tar.pack();
  const written = pipeline(pack, createWriteStream(archivePath, { flags: 'wx', mode: 0o644 }));
  const mtime = new Date(0);
  const walk = async (rel: string): Promise<void> => {
    for (const entry of (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        pack.entry({ name: `${name}/`, type: 'directory', mode: 0o755, mtime });
        await walk(name);
      } else {
        const path = join(dir, name);
        const { size } = await stat(path);
        const sink = pack.entry({ name, size, mode: 0o644, mtime });
        await pipeline(createReadStream(path), sink);
      }
    }
  };
  try {
    await walk('');
    pack.finalize();
  } catch (e) {
    pack.destroy(e as Error);
  }
  await written;
}
