import { FerryError } from '../../../shared/errors';

/**
 * How blobs are laid out in tar volumes. One allocator decides every placement, used both by the writer
 * and by the planner, so the plan shown before writing is exactly what gets written. Pure arithmetic.
 */
export const TAR_BLOCK = 512;
/** Two zero blocks end every tar archive. */
export const TAR_END = 2 * TAR_BLOCK;
/** FAT32 keeps files below 4 GiB; 4000 MiB leaves room. */
export const DEFAULT_VOLUME_SIZE = 4000 * 1024 * 1024;
/** Smallest volume that still holds a header, some data and the index of a modest transfer. */
const MIN_VOLUME_SIZE = 64 * 1024;
/** Parts are named `.001`…`.999` so a shell glob lists them in order. */
const MAX_PARTS = 999;

/** Mode of every blob and part entry: resume regenerates their headers to check them. */
export const BLOB_MODE = 0o644;

export function volumeName(index: number): string {
  return `ferry-${String(index).padStart(6, '0')}.tar`;
}

export function blobPath(digest: string): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

export function partPath(digest: string, part: number): string {
  return `ferry-parts/${digest.slice('sha256:'.length)}.${String(part).padStart(3, '0')}`;
}

function padded(size: number): number {
  return Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
}

/** Bytes one entry takes in a volume: a ustar header block plus data padded to whole blocks (names are short, so no PAX header). */
export function tarEntrySize(dataSize: number): number {
  return TAR_BLOCK + padded(dataSize);
}

/** One tar entry to write: in volume `volume` (1-based), header at `headerOffset`, data right after it. */
export interface Placement {
  volume: number;
  headerOffset: number;
  dataOffset: number;
  size: number;
}

/** Where the allocator stands: the open volume and the bytes of complete entries in it. */
export interface AllocatorState {
  volume: number;
  used: number;
}

export function validateVolumeSize(volumeSize: number): void {
  if (!Number.isSafeInteger(volumeSize) || volumeSize < MIN_VOLUME_SIZE) {
    throw new FerryError('USAGE', `The volume size ${volumeSize} is too small: a volume must hold at least ${MIN_VOLUME_SIZE} bytes.`, {
      hint: 'Use a volume size like 4000M (the default, safe for FAT32) or 1G.',
    });
  }
}

export class VolumeAllocator {
  private volume: number;
  private used: number;
  /** Bytes entries may use in one volume; the end-of-archive blocks are always reserved. */
  private readonly capacity: number;

  constructor(
    readonly volumeSize: number,
    state: AllocatorState = { volume: 1, used: 0 },
  ) {
    validateVolumeSize(volumeSize);
    this.capacity = volumeSize - TAR_END;
    this.volume = state.volume;
    this.used = state.used;
  }

  get state(): AllocatorState {
    return { volume: this.volume, used: this.used };
  }

  /**
   * Places a blob of `size` bytes: in the open volume if it fits, else at the start of a new volume if it
   * fits in one, else split into parts that fill the open volume and as many new ones as needed.
   */
  place(size: number, what: string): Placement[] {
    const entry = tarEntrySize(size);
    if (this.used + entry <= this.capacity) return [this.take(size)];
    if (entry <= this.capacity) {
      this.next();
      return [this.take(size)];
    }
    const parts: Placement[] = [];
    let left = size;
    while (left > 0) {
      let room = Math.floor((this.capacity - this.used - TAR_BLOCK) / TAR_BLOCK) * TAR_BLOCK;
      if (room < TAR_BLOCK) {
        this.next();
        room = Math.floor((this.capacity - TAR_BLOCK) / TAR_BLOCK) * TAR_BLOCK;
      }
      const partSize = Math.min(room, left);
      parts.push(this.take(partSize));
      left -= partSize;
    }
    if (parts.length > MAX_PARTS) {
      throw new FerryError('USAGE', `${what} (${size} bytes) would need ${parts.length} parts at a volume size of ${this.volumeSize} bytes; at most ${MAX_PARTS} are allowed.`, {
        hint: 'Use a larger volume size.',
      });
    }
    return parts;
  }

  /**
   * Places small files that stay unsplit and together in one volume: the OCI layout tail, which readers
   * and verify expect whole at the end of the last volume.
   */
  placeTogether(sizes: readonly number[], what: string): Placement[] {
    const entries = sizes.reduce((n, size) => n + tarEntrySize(size), 0);
    if (entries > this.capacity) {
      throw new FerryError('USAGE', `${what} (${entries} bytes in the archive) does not fit in a volume of ${this.volumeSize} bytes.`, { hint: 'Use a larger volume size.' });
    }
    if (this.used + entries > this.capacity) this.next();
    return sizes.map((size) => this.take(size));
  }

  private next(): void {
    this.volume += 1;
    this.used = 0;
  }

  private take(size: number): Placement {
    const p = { volume: this.volume, headerOffset: this.used, dataOffset: this.used + TAR_BLOCK, size };
    this.used += tarEntrySize(size);
    return p;
  }
}

/** Size of a finished volume whose entries end at `used`. */
export function closedVolumeSize(used: number): number {
  return used + TAR_END;
}
