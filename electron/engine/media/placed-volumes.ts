import { unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { TransferVolume } from '../../../shared/transfer/manifest';
import { openConfined } from './confined-file';
import { TAR_END, closedVolumeSize, volumeName, type AllocatorState, type Placement } from './layout';
import { writeTarEntry, type EntryHeader } from './tar-entry';
import { VolumeHasher } from './volume-hasher';
import { listVolumeFiles, writeFully } from './volumes';

/**
 * The volume files of a transfer whose entries are placed before they are written (all up front for a
 * planned mirror to disk, or each as it arrives): entries are written at their places in any order, several
 * volumes open at once. A volume is hashed as its contiguous prefix of complete entries grows (the
 * VolumeHasher reads back in file order), and closed (end-of-archive blocks, fsync, hash) once every entry
 * of it is complete. A failed entry is a hole the next run fills, or, when it was the last placed, cut off.
 */
const WRITE_BATCH = 1024 * 1024;

export class PlacedVolumes {
  private readonly files = new Map<number, Promise<FileHandle>>();
  /** Complete byte ranges of each volume, sorted and merged. */
  private readonly done = new Map<number, Array<[number, number]>>();
  private readonly closing = new Set<number>();
  readonly closed = new Map<number, TransferVolume>();
  private readonly hasher = new VolumeHasher();

  /**
   * `ends`: where the placed blob entries of each volume end (the writer's map, which grows as it places
   * more). The last volume of it takes the OCI tail and is closed by the writer's finish.
   */
  constructor(
    private readonly dir: string,
    private readonly ends: ReadonlyMap<number, number>,
    closed: readonly TransferVolume[] = [],
  ) {
    for (const v of closed) this.closed.set(volumeIndex(v.name), v);
  }

  /**
   * Writes one tar entry at its planned place, its chunks gathered up to WRITE_BATCH bytes per write (one
   * writev, not a copy into a buffer of its own: the chunks are a download's, handed over and not reused).
   */
  async writeEntry(p: Placement, header: EntryHeader, data: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
    const fh = await this.file(p.volume);
    let gathered: Uint8Array[] = [];
    let filled = 0;
    let position = p.headerOffset;
    const flush = async () => {
      await writevFully(fh, gathered, position);
      position += filled;
      gathered = [];
      filled = 0;
    };
    await writeTarEntry(header, data, async (chunk) => {
      gathered.push(chunk);
      filled += chunk.length;
      if (filled >= WRITE_BATCH) await flush();
    });
    if (filled > 0) await flush();
  }

  /** Every byte written to these volumes so far is on the disk. */
  async sync(volumes: Iterable<number>): Promise<void> {
    for (const v of new Set(volumes)) await (await this.file(v)).datasync();
  }

  /** Bytes [start, end) of the volume hold complete, durable entries: the hasher may read on to the new contiguous end. */
  complete(volume: number, start: number, end: number): void {
    const ranges = this.done.get(volume) ?? [];
    ranges.push([start, end]);
    ranges.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const r of ranges) {
      const prev = merged.at(-1);
      if (prev && r[0] <= prev[1]) prev[1] = Math.max(prev[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.done.set(volume, merged);
    const prefix = this.prefix(volume);
    if (prefix > 0) this.hasher.advance(this.path(volume), prefix);
  }

  /** Volumes other than the last that are complete and not yet closed, each claimed once. */
  claimFull(volumes: Iterable<number>): number[] {
    const out: number[] = [];
    for (const v of new Set(volumes)) {
      if (v === this.last() || this.closing.has(v) || this.closed.has(v)) continue;
      if (this.prefix(v) < (this.ends.get(v) ?? 0)) continue;
      this.closing.add(v);
      out.push(v);
    }
    return out;
  }

  /** Ends the volume whose entries end at `end`: end-of-archive blocks, fsync, hash. The volume is then final. */
  async close(volume: number, end = this.ends.get(volume) ?? 0): Promise<TransferVolume> {
    const fh = await this.file(volume);
    const size = closedVolumeSize(end);
    await writeFully(fh, Buffer.alloc(TAR_END), TAR_END, end);
    // A resumed volume may hold bytes past its end from a tail written before a crash.
    await fh.truncate(size);
    await fh.datasync();
    this.files.delete(volume);
    await fh.close();
    const closed = { name: volumeName(volume), size, sha256: await this.hasher.digest(this.path(volume), size) };
    this.closed.set(volume, closed);
    return closed;
  }

  /** Closed volumes in volume order. */
  get closedVolumes(): TransferVolume[] {
    return [...this.closed.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }

  async release(): Promise<void> {
    const open = [...this.files.values()];
    this.files.clear();
    await Promise.all(open.map((f) => f.then((fh) => fh.close()).catch(() => undefined)));
    await this.hasher.close();
  }

  /**
   * Cuts the files back to `state`: volumes after its volume deleted, that one truncated to its complete
   * entries. What a crashed run or a withdrawn last blob left past them goes.
   */
  async cut(state: AllocatorState): Promise<void> {
    for (const [v, fh] of [...this.files]) {
      if (v <= state.volume) continue;
      this.files.delete(v);
      await fh.then((f) => f.close()).catch(() => undefined);
    }
    for (const [index, name] of await listVolumeFiles(this.dir)) {
      if (index <= state.volume) continue;
      await unlink(join(this.dir, name));
      this.hasher.reset(join(this.dir, name), 0);
    }
    await (await this.file(state.volume)).truncate(state.used);
    this.hasher.reset(this.path(state.volume), state.used);
  }

  private last(): number {
    return Math.max(1, ...this.ends.keys());
  }

  private prefix(volume: number): number {
    const first = this.done.get(volume)?.[0];
    return first && first[0] === 0 ? first[1] : 0;
  }

  private path(volume: number): string {
    return join(this.dir, volumeName(volume));
  }

  private file(volume: number): Promise<FileHandle> {
    let fh = this.files.get(volume);
    if (!fh) {
      // 'update' creates the volume when absent and keeps what a resumed run's kept entries hold.
      fh = openConfined(this.path(volume), 'update');
      fh.catch(() => this.files.delete(volume));
      this.files.set(volume, fh);
    }
    return fh;
  }
}

/** Writes every byte of `chunks` at `position`, whatever a writev leaves unwritten. */
async function writevFully(fh: FileHandle, chunks: readonly Uint8Array[], position: number): Promise<void> {
  const left = chunks.slice();
  while (left.length > 0) {
    let { bytesWritten } = await fh.writev(left as NodeJS.ArrayBufferView[], position);
    position += bytesWritten;
    while (left.length > 0 && bytesWritten >= left[0]!.length) bytesWritten -= left.shift()!.length;
    if (bytesWritten > 0) left[0] = left[0]!.subarray(bytesWritten);
  }
}

function volumeIndex(name: string): number {
  return Number(/^ferry-(\d{6})\.tar$/.exec(name)?.[1] ?? Number.NaN);
}
