import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TRANSFER_FILE, isParentLocation, isPartsLocation, type TransferBlob, type TransferManifest } from '../../../shared/transfer/manifest';
import { SIGNATURE_FILE } from '../../../shared/transfer/signature';
import { Journal, type JournalBegin, type JournalBlob } from './journal';
import { tarEntrySize, volumeName, type Placement } from './layout';
import { listVolumeFiles } from './volumes';

/**
 * A finished transfer that lists failed images is reopened by the rerun that retries them (keep going):
 * its transfer.json becomes a resume journal of every blob it lists that sits where the new plan places it,
 * and the planned resume then reads each back (kept.ts) and writes only what is missing: the failed images,
 * then the OCI tail and transfer.json again. No volume is recorded as closed, so each is hashed again once
 * complete. The journal is written before transfer.json goes, so a crash in between leaves the finished
 * transfer, reopened again by the next run; its signature goes with it, as it signs a list that no longer holds.
 */
export interface PlannedPlaces {
  /** Digests in the new plan, parent blobs too. */
  order: ReadonlyMap<string, number>;
  /** Where the new plan writes each blob it does not take from the parent. */
  placements: ReadonlyMap<string, Placement[]>;
}

export async function reopenFinished(dir: string, finished: TransferManifest, begin: JournalBegin, plan: PlannedPlaces): Promise<void> {
  const kept = finished.blobs.flatMap((blob) => {
    const record = keptRecord(blob, plan);
    return record ? [record] : [];
  });
  await Journal.rewrite(dir, begin, kept);
  await rm(join(dir, SIGNATURE_FILE), { force: true });
  await rm(join(dir, TRANSFER_FILE), { force: true });
  // Volumes past the last kept blob hold nothing kept: the new plan writes those it needs afresh, and one it
  // no longer needs (an image carried before failed this time) must not stay beside the transfer unlisted.
  const lastKept = Math.max(0, ...kept.map((r) => (isParentLocation(r.blob.location) ? 0 : r.state.volume)));
  for (const [index, name] of await listVolumeFiles(dir)) if (index > lastKept) await rm(join(dir, name), { force: true });
}

/** The journal line of a carried blob the new plan keeps at the same place; undefined when it moved or left. */
function keptRecord(blob: TransferBlob, plan: PlannedPlaces): JournalBlob | undefined {
  if (!plan.order.has(blob.digest)) return undefined;
  const want = plan.placements.get(blob.digest);
  const loc = blob.location;
  if (isParentLocation(loc)) return want ? undefined : { t: 'blob', blob, state: { volume: 1, used: 0 }, closed: [] };
  if (!want) return undefined;
  const have = isPartsLocation(loc) ? loc.parts.map((p) => ({ volume: p.volume, offset: p.offset, size: p.size })) : [{ volume: loc.volume, offset: loc.offset, size: blob.size }];
  const same = have.length === want.length && have.every((h, i) => h.volume === volumeName(want[i]!.volume) && h.offset === want[i]!.dataOffset && h.size === want[i]!.size);
  if (!same) return undefined;
  const last = want.at(-1)!;
  return { t: 'blob', blob, state: { volume: last.volume, used: last.headerOffset + tarEntrySize(last.size) }, closed: [] };
}
