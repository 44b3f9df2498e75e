import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format';

/** Free space on the file system that will hold `dir`, against what a plan needs. */
export interface SpaceCheck {
  dir: string;
  needed: number;
  free: number;
  enough: boolean;
  /** The largest file that file system can hold, when it has a limit a volume could reach. */
  fileLimit?: FileLimit;
}

export interface FileLimit {
  fileSystem: string;
  maxBytes: number;
}

/** Linux's statfs magic for FAT12/16/32 (vfat and msdos mounts): other systems number file systems their own way. */
const MSDOS_SUPER_MAGIC = 0x4d44;

/**
 * FAT32, what most USB sticks come formatted with, cannot hold a file of 4 GiB or more: a bigger volume
 * would fail with EFBIG after gigabytes of writing. exFAT, NTFS, ext4 and the rest have no limit in reach.
 */
export function fileLimitOf(statfsType: number, platform: NodeJS.Platform = process.platform): FileLimit | undefined {
  return platform === 'linux' && statfsType === MSDOS_SUPER_MAGIC ? { fileSystem: 'FAT (vfat)', maxBytes: 2 ** 32 - 1 } : undefined;
}

/** Refuses, before anything is written, volumes the target file system cannot hold. */
export function requireVolumesFit(space: SpaceCheck, volumes: ReadonlyArray<{ name: string; size: number }>): void {
  const limit = space.fileLimit;
  const tooBig = limit && volumes.find((v) => v.size > limit.maxBytes);
  if (!limit || !tooBig) return;
  throw new FerryError('INVALID_INPUT', `The disk holding ${space.dir} is formatted ${limit.fileSystem}, which cannot hold a file of ${formatBytes(limit.maxBytes + 1)} or more, but volume ${tooBig.name} would be ${formatBytes(tooBig.size)}.`, {
    hint: 'Use a volume size of at most 4000M (the default), or a disk formatted exFAT, NTFS or ext4. Nothing was written.',
    details: { dir: space.dir, fileSystem: limit.fileSystem, maxBytes: limit.maxBytes, volume: tooBig.name, size: tooBig.size },
  });
}

export async function checkSpace(dir: string, neededBytes: number): Promise<SpaceCheck> {
  // The directory may not exist yet: measure the nearest ancestor that does (same file system).
  let probe = dir;
  for (;;) {
    try {
      const fs = await statfs(probe);
      const free = fs.bavail * fs.bsize;
      const fileLimit = fileLimitOf(fs.type);
      return { dir, needed: neededBytes, free, enough: free >= neededBytes, ...(fileLimit ? { fileLimit } : {}) };
    } catch (e) {
      const parent = dirname(probe);
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || parent === probe) throw e;
      probe = parent;
    }
  }
}

/** The refusal of a transfer that does not fit, said before anything is written. */
export function notEnoughSpace(dir: string, needed: number, free: number, details: Record<string, unknown> = {}): FerryError {
  return new FerryError('NO_SPACE', `Not enough space for the transfer in ${dir}: it needs ${needed} bytes but only ${free} are free.`, {
    hint: `Free ${needed - free} bytes on that disk or choose a larger one. Nothing was written.`,
    details: { dir, needed, free, ...details },
  });
}

/** Refuses before anything is written when the plan does not fit. */
export async function requireSpace(dir: string, neededBytes: number): Promise<SpaceCheck> {
  const check = await checkSpace(dir, neededBytes);
  if (!check.enough) throw notEnoughSpace(dir, check.needed, check.free);
  return check;
}
