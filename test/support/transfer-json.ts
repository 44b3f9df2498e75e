import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A transfer directory whose transfer.json (format 1, shared/transfer/manifest.ts) lists images and nothing
 * else: no volumes, no blobs. What the config commands read of a transfer is its image list, so their tests
 * need no media behind it. Each image is its own one manifest, by `digest`.
 */
export async function writeImageListTransfer(dir: string, images: ReadonlyArray<{ source: string; role: string }>, digest: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'transfer.json'),
    JSON.stringify({
      formatVersion: 1,
      id: randomUUID(),
      createdAt: new Date().toISOString(),
      tool: { name: 'ferry', version: '0.1.0' },
      requested: { images: [] },
      images: images.map(({ source, role }) => ({ source, role, digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', manifests: [digest] })),
      blobs: [],
      volumes: [],
      volumeSize: 4000 * 1024 * 1024,
      mirror: { sources: [] },
    }),
  );
}
