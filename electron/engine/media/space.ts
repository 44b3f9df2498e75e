import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FerryError } from '../../../shared/errors';

/** Free space on the file system that will hold `dir`, against what a plan needs. */
export interface SpaceCheck {
  dir: string;
  needed: number;
  free: number;
  enough: boolean;
}

export async function checkSpace(dir: string, neededBytes: number): Promise<SpaceCheck> {
  // The directory may not exist yet: measure the nearest ancestor that does (same file system).
  let probe = dir;
  for (;;) {
    try {
      const fs = await statfs(probe);
      const free = fs.bavail * fs.bsize;
      return { dir, needed: neededBytes, free, enough: free >= neededBytes };
    } catch (e) {
      const parent = dirname(probe);
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || parent === probe) throw e;
      probe = parent;
    }
  }
}

/** Refuses before anything is written when the plan does not fit. */
export async function requireSpace(dir: string, neededBytes: number): Promise<SpaceCheck> {
  const check = await checkSpace(dir, neededBytes);
  if (!check.enough) {
    throw new FerryError('NO_SPACE', `Not enough space for the transfer in ${dir}: it needs ${check.needed} bytes but only ${check.free} are free.`, {
      hint: `Free ${check.needed - check.free} bytes on that disk or choose a larger one. Nothing was written.`,
      details: { dir, needed: check.needed, free: check.free },
    });
  }
  return check;
}
