import { closedVolumeSize, tarEntrySize, volumeName, VolumeAllocator, TAR_END } from './layout';
import { tailFiles, type IndexedImage } from './tail';

/**
 * The volumes a transfer will take, computed with the writer's own allocator so the numbers shown before
 * writing (and checked against free space) are the ones the writer produces, given the blobs in the order
 * they will be added.
 */
export interface PlannedBlob {
  digest: string;
  size: number;
  /** Whose bytes these are (e.g. the index of the image that first needs the blob), for `ownerBytes`. */
  owner?: number;
}

export interface VolumePlan {
  volumeSize: number;
  volumes: Array<{ name: string; size: number }>;
  /** Per volume (same order): blob bytes each owner puts there; the rest of the file is tar headers, padding and the index files. */
  ownerBytes: Array<Map<number, number>>;
  /** Sum of the volume sizes. */
  volumeBytes: number;
  /** Unique blob bytes (each blob once). */
  blobBytes: number;
  blobCount: number;
  /** Digests of blobs that will be split into parts. */
  splitBlobs: string[];
  /** Each blob's data, in order: the volume of each of its parts and how many bytes go there (for progress per volume). */
  parts: Map<string, Array<{ volume: string; size: number }>>;
  /** What to check free space against: volumes rounded to file-system blocks, plus transfer.json and the journal. */
  diskBytes: number;
}

/** Generous per-blob and per-image room for transfer.json and the journal lines. */
const METADATA_PER_BLOB = 1024;
const METADATA_PER_IMAGE = 1024;
const METADATA_BASE = 64 * 1024;
const FS_BLOCK = 4096;

/** `images`: those the OCI index names; `recordedImages`: how many transfer.json lists (a delta's parent images too). */
export function planVolumes(blobs: ReadonlyArray<PlannedBlob>, images: ReadonlyArray<IndexedImage>, volumeSize: number, recordedImages = images.length): VolumePlan {
  const allocator = new VolumeAllocator(volumeSize);
  const ends = new Map<number, number>();
  const seen = new Set<string>();
  const splitBlobs: string[] = [];
  const parts = new Map<string, Array<{ volume: string; size: number }>>();
  const owned = new Map<number, Map<number, number>>();
  let blobBytes = 0;
  const record = (volume: number, headerOffset: number, size: number): void => {
    ends.set(volume, Math.max(ends.get(volume) ?? 0, headerOffset + tarEntrySize(size)));
  };
  for (const b of blobs) {
    if (seen.has(b.digest)) continue;
    seen.add(b.digest);
    blobBytes += b.size;
    const placements = allocator.place(b.size, `Blob ${b.digest}`);
    if (placements.length > 1) splitBlobs.push(b.digest);
    parts.set(b.digest, placements.map((p) => ({ volume: volumeName(p.volume), size: p.size })));
    for (const p of placements) {
      record(p.volume, p.headerOffset, p.size);
      if (b.owner !== undefined) {
        const perOwner = owned.get(p.volume) ?? new Map<number, number>();
        owned.set(p.volume, perOwner.set(b.owner, (perOwner.get(b.owner) ?? 0) + p.size));
      }
    }
  }
  for (const p of allocator.placeTogether(tailFiles(images).map((f) => f.data.length), 'The OCI index files')) record(p.volume, p.headerOffset, p.size);
  const volumes = [];
  const ownerBytes = [];
  for (let i = 1; i <= allocator.state.volume; i++) {
    volumes.push({ name: volumeName(i), size: closedVolumeSize(ends.get(i) ?? 0) });
    ownerBytes.push(owned.get(i) ?? new Map<number, number>());
  }
  const volumeBytes = volumes.reduce((n, v) => n + v.size, 0);
  const rounded = volumes.reduce((n, v) => n + Math.ceil(v.size / FS_BLOCK) * FS_BLOCK, 0);
  return {
    volumeSize,
    volumes,
    ownerBytes,
    volumeBytes,
    blobBytes,
    blobCount: seen.size,
    splitBlobs,
    parts,
    diskBytes: rounded + METADATA_BASE + seen.size * METADATA_PER_BLOB + recordedImages * METADATA_PER_IMAGE + TAR_END,
  };
}
