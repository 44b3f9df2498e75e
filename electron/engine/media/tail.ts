import { createHash } from 'node:crypto';

/**
 * The files written after every blob, at the end of the last volume, that make the extracted volumes a
 * valid OCI image layout (`oci-layout`, `index.json`) usable without Ferry, plus the script that joins
 * split blobs after a plain `tar -x`. The README at the transfer root says how.
 */
const OCI_LAYOUT_FILE = 'oci-layout';
const OCI_INDEX_FILE = 'index.json';
const JOIN_SCRIPT_FILE = 'JOIN-PARTS.sh';
export const README_FILE = 'README.txt';
const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export interface TailFile {
  name: string;
  mode: number;
  data: Buffer;
}

export interface IndexedImage {
  source: string;
  digest: string;
  mediaType: string;
  /** Size of the image's top manifest. */
  size: number;
}

const JOIN_SCRIPT = `#!/bin/sh
# Written by Ferry. Blobs larger than one volume are stored as parts in ferry-parts/.
# After extracting every volume into one directory, run this script there to join the
# parts into blobs/sha256/ (each result is checked with sha256sum) so the directory is a
# complete OCI image layout. Ferry itself reads the parts directly and never needs this.
set -eu
cd "$(dirname "$0")"
for first in ferry-parts/*.001; do
  [ -e "$first" ] || continue
  hex=$(basename "$first" .001)
  cat "ferry-parts/$hex".[0-9][0-9][0-9] > "blobs/sha256/$hex.joining"
  echo "$hex  blobs/sha256/$hex.joining" | sha256sum -c -
  mv "blobs/sha256/$hex.joining" "blobs/sha256/$hex"
  rm -f "ferry-parts/$hex".[0-9][0-9][0-9]
done
rmdir ferry-parts 2>/dev/null || true
`;

export const README_TEXT = `This directory is a Ferry transfer: container images on removable media.

  transfer.json        what the transfer holds (images, blobs, volumes, sha256 of each), and the
                       release's signatures (releaseSignatures: the signature files, base64)
  ferry-NNNNNN.tar     the volumes

With Ferry:   ferry verify --dir THIS_DIR
              ferry push --from-dir THIS_DIR --to HOST:PORT/NAMESPACE
              ferry config signature-configmap --from-dir THIS_DIR   (for oc apply -f)

Without Ferry: extract every volume into one directory, then join split blobs:
              mkdir layout && for v in ferry-*.tar; do tar -xf "$v" -C layout; done
              sh layout/${JOIN_SCRIPT_FILE}
The result is an OCI image layout; each image is named by its source reference:
              skopeo copy oci:layout:SOURCE_REFERENCE docker://HOST:PORT/REPOSITORY:TAG
(index.json in the layout lists every SOURCE_REFERENCE.)
`;

const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';

function bySource(a: IndexedImage, b: IndexedImage): number {
  return a.source < b.source ? -1 : a.source > b.source ? 1 : 0;
}

/**
 * skopeo/containers-image look up `oci:DIR:REF` only among OCI manifest and index descriptors, so a Docker
 * schema2 image is named through a one-entry OCI index wrapping it; copying the reference then yields the
 * original Docker manifest, digest unchanged.
 */
function dockerWrapper(img: IndexedImage): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: [{ mediaType: img.mediaType, digest: img.digest, size: img.size }] }));
}

function sha256Of(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The tail entries in the order they are written, index.json last as in an OCI layout written safely.
 * Sorted by source, so the same images always give the same bytes (verify recomputes and compares them).
 */
export function tailFiles(images: ReadonlyArray<IndexedImage>): TailFile[] {
  const wrappers: TailFile[] = [];
  const manifests = [...images].sort(bySource).map((img) => {
    let desc = { mediaType: img.mediaType, digest: img.digest, size: img.size };
    if (img.mediaType === DOCKER_MANIFEST_MEDIA_TYPE) {
      const data = dockerWrapper(img);
      const hex = sha256Of(data);
      if (!wrappers.some((w) => w.name.endsWith(hex))) wrappers.push({ name: `blobs/sha256/${hex}`, mode: 0o644, data });
      desc = { mediaType: OCI_INDEX_MEDIA_TYPE, digest: `sha256:${hex}`, size: data.length };
    }
    return { ...desc, annotations: { [REF_NAME_ANNOTATION]: img.source } };
  });
  const index = Buffer.from(`${JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests }, null, 2)}\n`);
  return [
    { name: OCI_LAYOUT_FILE, mode: 0o644, data: Buffer.from('{"imageLayoutVersion":"1.0.0"}\n') },
    { name: JOIN_SCRIPT_FILE, mode: 0o755, data: Buffer.from(JOIN_SCRIPT) },
    ...wrappers,
    { name: OCI_INDEX_FILE, mode: 0o644, data: index },
  ];
}
