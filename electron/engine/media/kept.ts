import { createHash, type Hash } from 'node:crypto';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { isParentLocation, isPartsLocation, type TransferVolume } from '../../../shared/transfer/manifest';
import { BlobVerifier, mismatchOf } from '../hashing/verified-stream';
import { ByteCursor } from './byte-cursor';
import { regularFileAt } from './confined-file';
import { JOURNAL_FILE, type JournalBlob } from './journal';
import { BLOB_MODE, TAR_BLOCK, TAR_END, closedVolumeSize, tarEntrySize, volumeName, type AllocatorState } from './layout';
import { tarHeader } from './tar-entry';
import { listVolumeFiles, openVolume, readVolume } from './volumes';

/**
 * What a resume keeps is checked before anything is added to it: every entry the journal lists is read
 * back (one sequential pass per volume, bounded memory) and must have the header the writer makes, bytes
 * that hash to its digest (or part sha256) and zero padding; a closed volume must also end in the
 * end-of-archive blocks and hash to what the journal recorded. The journal is trusted for nothing else.
 *
 * A transfer written blob after blob (checkKept) is repaired by cutting: the journal's blobs are kept up to the
 * first one that failed (or that closed a volume that failed), and everything written after that point is
 * written again. Every entry is checked whatever order the journal lists them in; only the cut uses the
 * journal's order, which is the order that writer commits blobs in. A planned transfer, written in
 * parallel at places fixed up front (checkPlanned), drops each damaged blob alone instead.
 */
export interface KeptProblem {
  /** Journal index of the blob the cut must start at (planned: the line dropped). */
  index: number;
  volume: string;
  /** The blob whose bytes failed, when it is one. */
  blob?: string;
  why: string;
}

export interface KeptCheck {
  /** Journal blobs kept: the first `kept` lines. */
  kept: number;
  state: AllocatorState;
  closed: TransferVolume[];
  problems: KeptProblem[];
}

interface KeptEntry {
  index: number;
  digest: string;
  name: string;
  headerOffset: number;
  size: number;
  /** Expected sha256 (hex) of the entry's data. */
  sha256: string;
}

const START: AllocatorState = { volume: 1, used: 0 };

/** The entries of the journal's blobs by volume, and the volumes each line closed. */
function journaledEntries(blobs: readonly JournalBlob[]): { entries: Map<string, KeptEntry[]>; closedBy: Map<string, { index: number; volume: TransferVolume }> } {
  const entries = new Map<string, KeptEntry[]>();
  const closedBy = new Map<string, { index: number; volume: TransferVolume }>();
  blobs.forEach((record, index) => {
    const { blob } = record;
    const loc = blob.location;
    const add = (volume: string, e: Omit<KeptEntry, 'index' | 'digest'>) => entries.set(volume, [...(entries.get(volume) ?? []), { index, digest: blob.digest, ...e }]);
    if (isParentLocation(loc)) {
      // recorded, not written: nothing on disk to check
    } else if (isPartsLocation(loc)) {
      for (const p of loc.parts) add(p.volume, { name: p.path, headerOffset: p.offset - TAR_BLOCK, size: p.size, sha256: p.sha256 });
    } else {
      add(loc.volume, { name: loc.path, headerOffset: loc.offset - TAR_BLOCK, size: blob.size, sha256: blob.digest.slice('sha256:'.length) });
    }
    for (const v of record.closed) closedBy.set(v.name, { index, volume: v });
  });
  return { entries, closedBy };
}

export async function checkKept(dir: string, blobs: readonly JournalBlob[]): Promise<KeptCheck> {
  // Nothing is read or cut before every volume file is known to be a plain file of this directory.
  for (const name of (await listVolumeFiles(dir)).values()) await regularFileAt(join(dir, name));
  const { entries, closedBy } = journaledEntries(blobs);

  const problems: KeptProblem[] = [];
  const state = blobs.at(-1)?.state ?? START;
  const open = volumeName(state.volume);
  for (const [name, c] of closedBy) await checkVolume(dir, name, entries.get(name) ?? [], c.volume.size, problems, c);
  await checkVolume(dir, open, entries.get(open) ?? [], state.used, problems);
  for (const name of entries.keys()) {
    if (name !== open && !closedBy.has(name)) throw inconsistent(dir, `it places blobs in ${name}, which is neither closed nor the open volume`);
  }

  const kept = Math.min(blobs.length, ...problems.map((p) => p.index));
  const keptBlobs = blobs.slice(0, kept);
  return { kept, state: keptBlobs.at(-1)?.state ?? START, closed: keptBlobs.flatMap((r) => r.closed), problems };
}

export interface PlannedCheck {
  /** The journal's lines kept, in journal order. */
  kept: JournalBlob[];
  closed: TransferVolume[];
  problems: KeptProblem[];
}

/**
 * The resume check of a planned transfer, whose blobs are written at places fixed before writing and
 * journaled in the order they complete: the journal's order says nothing about the file's, so nothing is
 * cut. Every journaled entry must sit where the plan places it (`placed(digest)`: its entries as volume
 * name, header offset and size) and is read back on its own; a closed volume is read back whole. What
 * fails is dropped alone: a damaged blob becomes a hole the rerun fills, and a closed volume that no
 * longer checks is reopened by dropping the line that closed it (its blob is written again, then the
 * volume closed again).
 */
export async function checkPlanned(
  dir: string,
  blobs: readonly JournalBlob[],
  placed: (digest: string) => ReadonlyArray<{ volume: string; headerOffset: number; size: number }> | undefined,
): Promise<PlannedCheck> {
  for (const name of (await listVolumeFiles(dir)).values()) await regularFileAt(join(dir, name));
  const { entries, closedBy } = journaledEntries(blobs);
  const planned = new Map<string, string>();
  for (const [volume, list] of entries) {
    for (const e of list) {
      const want = placed(e.digest);
      if (!want) throw inconsistent(dir, `it lists blob ${e.digest}, which this transfer's plan does not hold`);
      if (!want.some((w) => w.volume === volume && w.headerOffset === e.headerOffset && w.size === e.size)) {
        throw inconsistent(dir, `it places blob ${e.digest} at byte ${e.headerOffset} of ${volume}, not where the plan places it`);
      }
      planned.set(e.digest, volume);
    }
  }
  const problems: KeptProblem[] = [];
  for (const [name, c] of closedBy) await checkVolume(dir, name, entries.get(name) ?? [], c.volume.size, problems, c);
  for (const [name, list] of entries) {
    if (!closedBy.has(name)) await checkEntriesAt(dir, name, list, problems);
  }
  const dropped = new Set(problems.map((p) => p.index));
  return {
    kept: blobs.filter((_, i) => !dropped.has(i)),
    closed: [...closedBy.values()].filter((c) => !dropped.has(c.index)).map((c) => c.volume),
    problems,
  };
}

/** Reads each entry of a volume that is still open on its own: between them may lie holes. */
async function checkEntriesAt(dir: string, name: string, list: readonly KeptEntry[], problems: KeptProblem[]): Promise<void> {
  let fh;
  try {
    fh = await openVolume(join(dir, name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    for (const entry of list) problems.push({ index: entry.index, volume: name, blob: entry.digest, why: 'its volume is missing' });
    return;
  }
  try {
    const size = (await fh.stat()).size;
    for (const entry of list) {
      const end = Math.min(size, entry.headerOffset + tarEntrySize(entry.size));
      const cursor = new ByteCursor(end > entry.headerOffset ? readVolume(fh, { start: entry.headerOffset, end: end - 1 })[Symbol.asyncIterator]() : emptyIterator());
      const why = await checkEntry(cursor, entry, undefined);
      if (why) problems.push({ index: entry.index, volume: name, blob: entry.digest, why: why === 'short' ? `the volume ends at byte ${size}, inside it` : why });
    }
  } finally {
    await fh.close();
  }
}

/**
 * Reads the volume from byte 0 to `end`, never further, checking each entry and, for a volume `closed` by
 * the journal's blob `closed.index`, its end-of-archive and hash.
 */
async function checkVolume(
  dir: string,
  name: string,
  unsorted: readonly KeptEntry[],
  end: number,
  problems: KeptProblem[],
  closed?: { index: number; volume: TransferVolume },
): Promise<void> {
  const list = [...unsorted].sort((a, b) => a.headerOffset - b.headerOffset);
  const volumeProblem = (why: string) => {
    if (closed) problems.push({ index: closed.index, volume: name, why });
  };
  const entryProblem = (e: KeptEntry, why: string) => problems.push({ index: e.index, volume: name, blob: e.digest, why });
  let fh;
  try {
    fh = await openVolume(join(dir, name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    for (const entry of list) entryProblem(entry, 'its volume is missing');
    volumeProblem('the volume is missing');
    return;
  }
  try {
    const size = (await fh.stat()).size;
    const readable = Math.min(size, end);
    const whole = closed ? createHash('sha256') : undefined;
    const cursor = new ByteCursor(readable > 0 ? readVolume(fh, { start: 0, end: readable - 1 })[Symbol.asyncIterator]() : emptyIterator());
    let position = 0;
    for (const entry of list) {
      if (entry.headerOffset !== position) throw inconsistent(dir, `its entries in ${name} overlap or leave a gap at byte ${position}`);
      const why = await checkEntry(cursor, entry, whole);
      position += tarEntrySize(entry.size);
      if (why) entryProblem(entry, why === 'short' ? `the volume ends at byte ${size}, inside it` : why);
    }
    if (!closed) {
      // The open volume: its complete entries must end exactly where the journal says they do.
      if (position !== end) throw inconsistent(dir, `its entries in ${name} end at byte ${position}, not at ${end}`);
    } else {
      const trailer = await collect(cursor.take(end - position, whole));
      if (size !== end) volumeProblem(`the volume is ${size} bytes, not the ${end} it had when it was closed`);
      else if (end !== closedVolumeSize(position) || trailer.length !== TAR_END || trailer.some((b) => b !== 0)) volumeProblem('its end-of-archive blocks changed');
      else if (whole!.digest('hex') !== closed.volume.sha256) volumeProblem('its sha256 is no longer the one recorded when it was closed');
    }
  } finally {
    await fh.close();
  }
}

/** Why the entry at the cursor is not what the writer wrote ('short': the volume ended inside it), or undefined. */
async function checkEntry(cursor: ByteCursor, entry: KeptEntry, whole: Hash | undefined): Promise<string | undefined> {
  const header = await collect(cursor.take(TAR_BLOCK, whole));
  const verifier = new BlobVerifier({ digest: `sha256:${entry.sha256}`, size: entry.size });
  // take() stops at the entry's size: the verifier can only find it short or of the wrong content.
  for await (const chunk of cursor.take(entry.size, whole)) await verifier.update(chunk);
  const failure = await mismatchOf(verifier.end());
  const padSize = tarEntrySize(entry.size) - TAR_BLOCK - entry.size;
  const padding = await collect(cursor.take(padSize, whole));
  if (header.length < TAR_BLOCK || failure?.code === 'SIZE_MISMATCH' || padding.length < padSize) return 'short';
  if (!header.equals(await tarHeader({ name: entry.name, size: entry.size, mode: BLOB_MODE }))) return 'its tar header changed';
  if (failure) return `its bytes hash to ${String(failure.details?.actual)}, not what was written`;
  if (padding.some((b) => b !== 0)) return 'the padding after it changed';
  return undefined;
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for await (const c of chunks) out.push(c);
  return Buffer.concat(out);
}

function emptyIterator(): AsyncIterator<Uint8Array> {
  return { next: async () => ({ done: true, value: undefined }) };
}

function inconsistent(dir: string, why: string): FerryError {
  return new FerryError('MEDIA_CORRUPT', `Cannot resume: the resume journal ${join(dir, JOURNAL_FILE)} does not describe a transfer Ferry wrote: ${why}.`, {
    hint: 'Delete the transfer directory (or its ferry-*.tar files and .ferry-journal.jsonl) and write the transfer again.',
  });
}
