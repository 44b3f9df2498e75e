import { createHash, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { repositoryName, parseReference } from '../../../shared/reference';
import {
  TRANSFER_FILE,
  transferFormatFor,
  digestSchema,
  transferManifestSchema,
  type BlobKind,
  type BlobLocation,
  type ParentRef,
  type FailedImage,
  type ReleaseSignatures,
  type CarriedReleaseEntry,
  type TransferCatalog,
  type TransferGraph,
  type ReleaseInfo,
  type RequestedContent,
  type TransferBlob,
  type TransferImage,
  type TransferVolume,
  type TransferManifest,
} from '../../../shared/transfer/manifest';
import { verifiedChunks } from '../hashing/verified-stream';
import { ByteCursor } from './byte-cursor';
import { regularFileAt, replaceConfined } from './confined-file';
import { Journal, planDifferences, type JournalBegin, type JournalBlob, type PlanIdentity } from './journal';
import { checkKept, checkPlanned, type KeptProblem } from './kept';
import { TransferLock, type LockHolder } from './lock';
import { BLOB_MODE, VolumeAllocator, blobPath, partPath, tarEntrySize, validateVolumeSize, volumeName, DEFAULT_VOLUME_SIZE, TAR_END, type AllocatorState, type Placement } from './layout';
import { PlacedVolumes } from './placed-volumes';
import { readTransferManifest } from './reader';
import { reopenFinished } from './reopen';
import { README_FILE, README_TEXT, tailFiles, type IndexedImage } from './tail';
import { writeTarEntry } from './tar-entry';
import { VolumeSet, listVolumeFiles } from './volumes';
import { checkSpace } from './space';

/**
 * Writes a transfer directory (DESIGN §3): blobs into tar volumes, each once, verified while written;
 * then the OCI layout tail and transfer.json, the commit point. Safe to call addBlob concurrently: writes
 * are queued and done one at a time in call order, so the same calls give the same volumes. A blob is
 * committed (fsync, then its journal line) while the next one streams; commits keep the call order.
 * One writer per directory (lock.ts); every file is opened through confined-file.ts; a resume keeps only
 * the journaled blobs it has read back intact (kept.ts) and only for the plan the journal was started with.
 *
 * A planned writer (options.planned, what mirror to disk uses) places every blob before writing: addBlob
 * may then run for many blobs at once, each written at its place (placed-volumes.ts), journaled as it
 * completes; a failure leaves a hole, not a rollback, and a resume fills the holes.
 */
export interface BlobDescriptor {
  digest: string;
  size: number;
  mediaType?: string;
  kind: BlobKind;
}

type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
/** A blob's bytes: chunks, or a function that opens them when the writer reaches the blob, so no connection idles in the queue. */
export type BlobSource = Chunks | (() => Promise<Chunks>);

export interface WriterOptions {
  volumeSize?: number;
  /** Continue a transfer whose writing was interrupted (no-op start when there is nothing to resume). */
  resume?: boolean;
  /** What this run was asked to write (release, images…), journaled: a resume asked for anything else is refused. */
  plan?: PlanIdentity;
  /** Who holds the directory's lock while writing, as a second run is told: "ferry mirror". */
  holder?: string;
  /**
   * Every blob of the transfer, in the order a serial run would add them (parent blobs flagged): each is
   * placed now, so addBlob may be called for any of them at once and each is written at its place. The
   * volumes are then the same bytes whatever order blobs complete in, and a resume fills the holes.
   */
  planned?: ReadonlyArray<BlobDescriptor & { parent?: boolean }>;
  /**
   * For a planned writer: whether a finished transfer already in the directory is one this run completes
   * (a rerun retrying the images it lists as failed). It is then reopened (reopen.ts) and resumed.
   */
  reopen?: (finished: TransferManifest) => boolean;
}

/** Where every planned blob goes, fixed before a byte is written. */
interface PlannedLayout {
  /** Index of each blob (parent ones too) in the planned order: the order of transfer.json's blobs. */
  order: Map<string, number>;
  placements: Map<string, Placement[]>;
  /** Where the blob entries of each volume end. */
  ends: Map<number, number>;
  /** The allocator past every planned blob: where the OCI tail goes. */
  end: AllocatorState;
}

function planLayout(volumeSize: number, planned: NonNullable<WriterOptions['planned']>): PlannedLayout {
  const allocator = new VolumeAllocator(volumeSize);
  const layout: PlannedLayout = { order: new Map(), placements: new Map(), ends: new Map(), end: allocator.state };
  for (const b of planned) {
    if (layout.order.has(b.digest)) continue;
    layout.order.set(b.digest, layout.order.size);
    if (b.parent) continue;
    checkDescriptor(b);
    const placements = allocator.place(b.size, `Blob ${b.digest}`);
    layout.placements.set(b.digest, placements);
    for (const p of placements) layout.ends.set(p.volume, p.headerOffset + tarEntrySize(p.size));
  }
  layout.end = allocator.state;
  return layout;
}

/** Held while a transfer is written: one writer per directory. */
const WRITER_LOCK_FILE = '.ferry-writer.lock';

export interface FinishMeta {
  toolVersion: string;
  requested: RequestedContent;
  release?: ReleaseInfo;
  parent?: ParentRef;
  releaseSignatures?: ReleaseSignatures;
  /** The other releases of an upgrade path (transfer.json `releases`). */
  releases?: CarriedReleaseEntry[];
  catalogs?: TransferCatalog[];
  graph?: TransferGraph;
  /** Images asked for that the run could not carry (keep going). */
  failed?: FailedImage[];
}

export type ImageInput = Omit<TransferImage, 'manifests'> & { manifests?: string[] };

export class TransferWriter {
  private readonly blobs = new Map<string, TransferBlob>();
  private readonly images = new Map<string, TransferImage>();
  private queue: Promise<unknown> = Promise.resolve();
  /** The journal lines still being committed, in order; a failure here breaks the writer. */
  private commits: Promise<void> = Promise.resolve();
  /** Records whose commit has been asked for and not yet written, in the order asked. */
  private readonly uncommitted: Uncommitted[] = [];
  private broken: unknown;
  private committed: number;
  private finished = false;
  /** Set for a planned writer. */
  private layout: PlannedLayout | undefined;
  /** Planned blobs being written. */
  private readonly inFlight = new Map<string, Promise<boolean>>();

  private constructor(
    readonly dir: string,
    readonly id: string,
    readonly createdAt: string,
    readonly volumeSize: number,
    private allocator: VolumeAllocator,
    private readonly volumes: VolumeSet | PlacedVolumes,
    private readonly journal: Journal,
    private readonly options: WriterOptions,
    private readonly lock: TransferLock,
    /** Blobs found complete in the journal, and intact on disk, when resuming. */
    readonly resumedBlobs: number,
    /** What the resume check found damaged: everything from the first of them on is written again. */
    readonly repaired: readonly KeptProblem[] = [],
  ) {
    this.committed = resumedBlobs;
  }

  /** The stale lock of a run that died, taken over by this one. */
  get tookOverLock(): LockHolder | undefined {
    return this.lock.tookOver;
  }

  static async open(dir: string, options: WriterOptions = {}): Promise<TransferWriter> {
    const volumeSize = options.volumeSize ?? DEFAULT_VOLUME_SIZE;
    validateVolumeSize(volumeSize);
    await mkdir(dir, { recursive: true });
    const lock = await TransferLock.acquire(join(dir, WRITER_LOCK_FILE), options.holder ?? 'a Ferry transfer writer');
    try {
      return await TransferWriter.openLocked(dir, volumeSize, options, lock);
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  private static async openLocked(dir: string, volumeSize: number, options: WriterOptions, lock: TransferLock): Promise<TransferWriter> {
    const plan: PlanIdentity = { 'volume size': volumeSize, ...options.plan };
    const layout = options.planned ? planLayout(volumeSize, options.planned) : undefined;
    if (await regularFileAt(join(dir, TRANSFER_FILE))) {
      const finished = layout && options.reopen && options.resume ? await readTransferManifest(dir) : undefined;
      if (!finished || finished.volumeSize !== volumeSize || !options.reopen!(finished)) {
        const partial = finished?.failed?.length ? `, partial (${finished.failed.length} image(s) failed), and written for another request or volume size` : '';
        throw new FerryError('USAGE', `${dir} already holds a finished transfer (${TRANSFER_FILE} exists${partial}).`, {
          hint: partial
            ? 'Only the command that wrote it (same release, images, --since and volume size) completes it; or write this transfer to an empty directory.'
            : 'Write to an empty directory, or verify and use the transfer that is there.',
        });
      }
      await reopenFinished(dir, finished, { t: 'begin', id: randomUUID(), createdAt: new Date().toISOString(), volumeSize, plan }, layout!);
    }
    const journaled = await Journal.read(dir);
    if (journaled && !options.resume) {
      throw new FerryError('USAGE', `${dir} holds an unfinished transfer.`, {
        hint: 'Resume it (same command with resume), or write to an empty directory.',
      });
    }
    if (journaled) {
      const { begin } = journaled;
      const differences = planDifferences({ 'volume size': begin.volumeSize, ...(begin.plan ?? {}) }, begin.plan ? plan : { 'volume size': volumeSize });
      if (differences.length > 0) {
        throw new FerryError('USAGE', `The unfinished transfer in ${dir} was started with a different plan; resuming it with this one would mix two transfers:\n${differences.map((d) => `  ${d}`).join('\n')}`, {
          hint: 'Run the command it was started with to finish it, or write this transfer to another (empty) directory.',
          details: { dir, differences },
        });
      }
      if (layout) return TransferWriter.resumePlanned(dir, volumeSize, options, lock, layout, begin, journaled.blobs);
      const check = await checkKept(dir, journaled.blobs);
      const kept = journaled.blobs.slice(0, check.kept);
      // The journal first: a crash between the two leaves lines the next check cuts off again.
      if (kept.length < journaled.blobs.length) await Journal.rewrite(dir, begin, kept);
      const volumes = await VolumeSet.resume(dir, check.closed, check.state);
      const writer = new TransferWriter(
        dir,
        begin.id,
        begin.createdAt,
        volumeSize,
        new VolumeAllocator(volumeSize, check.state),
        volumes,
        await Journal.reopen(dir),
        options,
        lock,
        kept.length,
        check.problems,
      );
      for (const r of kept) writer.blobs.set(r.blob.digest, r.blob);
      return writer;
    }
    if ((await listVolumeFiles(dir)).size > 0) {
      throw new FerryError('USAGE', `${dir} already holds volume files (ferry-*.tar) but no transfer.json or journal.`, {
        hint: 'Write to an empty directory; Ferry does not overwrite volumes it cannot account for.',
      });
    }
    const begin: JournalBegin = { t: 'begin', id: randomUUID(), createdAt: new Date().toISOString(), volumeSize, ...(options.plan ? { plan } : {}) };
    const journal = await Journal.create(dir, begin);
    if (layout) {
      const writer = new TransferWriter(dir, begin.id, begin.createdAt, volumeSize, new VolumeAllocator(volumeSize, layout.end), new PlacedVolumes(dir, layout.ends, layout.end.volume), journal, options, lock, 0);
      writer.layout = layout;
      return writer;
    }
    return new TransferWriter(dir, begin.id, begin.createdAt, volumeSize, new VolumeAllocator(volumeSize), await VolumeSet.create(dir), journal, options, lock, 0);
  }

  /** A planned transfer resumed: every journaled blob that reads back intact is kept where it is; the rest are holes. */
  private static async resumePlanned(dir: string, volumeSize: number, options: WriterOptions, lock: TransferLock, layout: PlannedLayout, begin: JournalBegin, journaled: JournalBlob[]): Promise<TransferWriter> {
    const check = await checkPlanned(dir, journaled, (digest) => layout.placements.get(digest)?.map((p) => ({ volume: volumeName(p.volume), headerOffset: p.headerOffset, size: p.size })));
    if (check.kept.length < journaled.length) await Journal.rewrite(dir, begin, check.kept);
    const volumes = new PlacedVolumes(dir, layout.ends, layout.end.volume, check.closed);
    const writer = new TransferWriter(dir, begin.id, begin.createdAt, volumeSize, new VolumeAllocator(volumeSize, layout.end), volumes, await Journal.reopen(dir), options, lock, check.kept.length, check.problems);
    writer.layout = layout;
    for (const r of check.kept) {
      writer.blobs.set(r.blob.digest, r.blob);
      const placements = layout.placements.get(r.blob.digest) ?? [];
      for (const p of placements) if (!volumes.closed.has(p.volume)) volumes.complete(p.volume, p.headerOffset, p.headerOffset + tarEntrySize(p.size));
    }
    return writer;
  }

  has(digest: string): boolean {
    return this.blobs.has(digest);
  }

  /** Blobs committed so far (journaled, including those recovered by resume): what a resume would keep. */
  get committedBlobs(): number {
    return this.committed;
  }

  /**
   * Streams one blob into the volumes, hashing as it goes. Resolves true once the blob is on disk and
   * journaled, false (without reading `source`) if it is already there. On a digest or size mismatch, a
   * failing source or a full disk, everything written for it is removed and the error names the blob.
   */
  async addBlob(desc: BlobDescriptor, source: BlobSource): Promise<boolean> {
    checkDescriptor(desc);
    if (this.layout) return this.addPlanned(this.layout, desc, source);
    const written = await this.serially(async () => {
      this.assertOpen();
      if (this.blobs.has(desc.digest)) return undefined;
      return this.writeBlob(desc, source);
    });
    if (!written) return false;
    await written.committed;
    return true;
  }

  /** Records a blob that the parent transfer (or the mirror it was pushed to) already holds: a delta. */
  addParentBlob(desc: BlobDescriptor): Promise<boolean> {
    checkDescriptor(desc);
    return this.serially(async () => {
      this.assertOpen();
      if (this.blobs.has(desc.digest)) return false;
      const blob = toBlob(desc, { parent: true });
      const committed = this.commit(Promise.resolve(), { t: 'blob', blob, state: this.allocator.state, closed: [] }, desc, volumeName(this.allocator.state.volume));
      this.blobs.set(desc.digest, blob);
      await committed;
      return true;
    });
  }

  /** Records an image (its manifests must be written before finish). The same source twice replaces the entry. */
  addImage(image: ImageInput): void {
    this.assertOpen();
    parseReference(image.source);
    const manifests = [...new Set([image.digest, ...(image.manifests ?? [])])];
    this.images.set(image.source, { ...image, manifests });
  }

  /**
   * Writes the OCI layout tail (oci-layout, JOIN-PARTS.sh, index.json) into the last volume, closes it,
   * and commits transfer.json (temp file, fsync, rename). Returns the manifest written.
   */
  finish(meta: FinishMeta): Promise<TransferManifest> {
    if (this.volumes instanceof PlacedVolumes) return this.finishPlanned(this.volumes, meta);
    const volumes = this.volumes;
    return this.serially(async () => {
      this.assertOpen();
      await this.commits;
      const { images, indexed } = this.finishedImages();
      const snap = volumes.snapshot();
      const allocState = this.allocator.state;
      let tailBytes = 0;
      try {
        const tail = tailFiles(indexed);
        tailBytes = tail.reduce((n, f) => n + tarEntrySize(f.data.length), TAR_END);
        const placements = this.allocator.placeTogether(tail.map((f) => f.data.length), 'The OCI index files');
        for (const [i, file] of tail.entries()) await this.writeEntry(placements[i]!, file.name, file.mode, [file.data]);
        await volumes.closeCurrent();
        return await this.commitManifest(meta, images, [...this.blobs.values()], volumes.closed);
      } catch (e) {
        await volumes.rollback(snap);
        this.allocator = new VolumeAllocator(this.volumeSize, allocState);
        throw await noSpaceError(e, volumes.current, this.dir, 'the OCI index files', tailBytes);
      }
    });
  }

  /** The images recorded, by source, each with every manifest it names written; and those the OCI index names. */
  private finishedImages(): { images: TransferImage[]; indexed: IndexedImage[] } {
    const images = [...this.images.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    for (const img of images) {
      for (const m of img.manifests) {
        if (!this.blobs.has(m)) {
          throw new FerryError('INTERNAL', `Image ${img.source} names manifest ${m}, which was never written to the transfer.`, {
            hint: 'This is a bug in the caller of the media writer; please report it.',
          });
        }
      }
    }
    const indexed = images.flatMap((img) => {
      const top = this.blobs.get(img.digest)!;
      // An image whose manifest lives in the parent cannot be named by this layout alone.
      return 'parent' in top.location ? [] : [{ source: img.source, digest: img.digest, mediaType: img.mediaType, size: top.size }];
    });
    return { images, indexed };
  }

  /** Every volume is final: transfer.json is committed (temp file, fsync, rename), the journal and lock go. */
  private async commitManifest(meta: FinishMeta, images: TransferImage[], blobs: TransferBlob[], volumes: TransferVolume[]): Promise<TransferManifest> {
    const manifest = transferManifestSchema.parse({
      formatVersion: transferFormatFor(meta.releases),
      id: this.id,
      createdAt: this.createdAt,
      tool: { name: 'ferry', version: meta.toolVersion },
      ...(meta.release ? { release: meta.release } : {}),
      requested: meta.requested,
      images,
      blobs,
      volumes,
      volumeSize: this.volumeSize,
      ...(meta.parent ? { parent: meta.parent } : {}),
      mirror: { sources: mirrorSources(images) },
      ...(meta.releaseSignatures ? { releaseSignatures: meta.releaseSignatures } : {}),
      ...(meta.releases?.length ? { releases: meta.releases } : {}),
      ...(meta.catalogs?.length ? { catalogs: meta.catalogs } : {}),
      ...(meta.graph ? { graph: meta.graph } : {}),
      ...(meta.failed?.length ? { failed: meta.failed } : {}),
    } satisfies TransferManifest);
    await replaceConfined(join(this.dir, README_FILE), README_TEXT);
    await replaceConfined(join(this.dir, TRANSFER_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await this.volumes.release();
    this.finished = true;
    await this.journal.close();
    await Journal.remove(this.dir);
    await this.lock.release();
    return manifest;
  }

  /** finish() of a planned writer: every planned blob must be complete; the tail goes after the last. */
  private finishPlanned(volumes: PlacedVolumes, meta: FinishMeta): Promise<TransferManifest> {
    const layout = this.layout!;
    return this.serially(async () => {
      this.assertOpen();
      await Promise.allSettled(this.inFlight.values());
      await this.commits;
      const { images, indexed } = this.finishedImages();
      const missing = [...layout.placements.keys()].filter((d) => !this.blobs.has(d));
      if (missing.length > 0) {
        throw new FerryError('INTERNAL', `${missing.length} planned blob(s) were never written to the transfer, ${missing[0]} first.`, {
          hint: 'This is a bug in the caller of the media writer; please report it.',
        });
      }
      const allocState = this.allocator.state;
      let tailBytes = 0;
      try {
        const tail = tailFiles(indexed);
        tailBytes = tail.reduce((n, f) => n + tarEntrySize(f.data.length), TAR_END);
        const placements = this.allocator.placeTogether(tail.map((f) => f.data.length), 'The OCI index files');
        for (const [i, file] of tail.entries()) await volumes.writeEntry(placements[i]!, { name: file.name, size: file.data.length, mode: file.mode }, [file.data]);
        for (const p of placements) volumes.complete(p.volume, p.headerOffset, p.headerOffset + tarEntrySize(p.size));
        const last = this.allocator.state;
        for (let v = 1; v <= last.volume; v++) {
          if (!volumes.closed.has(v)) await volumes.close(v, v === last.volume ? last.used : (layout.ends.get(v) ?? 0));
        }
        const blobs = [...this.blobs.values()].sort((a, b) => layout.order.get(a.digest)! - layout.order.get(b.digest)!);
        return await this.commitManifest(meta, images, blobs, volumes.closedVolumes);
      } catch (e) {
        this.allocator = new VolumeAllocator(this.volumeSize, allocState);
        throw await noSpaceError(e, volumeName(allocState.volume), this.dir, 'the OCI index files', tailBytes);
      }
    });
  }

  /**
   * A planned blob, written at its place while others are: resolves true once it is on disk and journaled
   * (journal lines come in the order blobs complete), false if it is there already. A failure leaves its
   * place a hole that nothing records: a resume writes it again.
   */
  private addPlanned(layout: PlannedLayout, desc: BlobDescriptor, source: BlobSource): Promise<boolean> {
    this.assertOpen();
    const placements = layout.placements.get(desc.digest);
    if (!placements) {
      throw new FerryError('INTERNAL', `Blob ${desc.digest} is not one this transfer's plan places.`, { hint: 'This is a bug in the caller of the media writer; please report it.' });
    }
    if (this.blobs.has(desc.digest)) return Promise.resolve(false);
    const running = this.inFlight.get(desc.digest);
    if (running) return running.then(() => false);
    const run = this.writePlanned(desc, placements, source).finally(() => this.inFlight.delete(desc.digest));
    this.inFlight.set(desc.digest, run);
    return run;
  }

  private async writePlanned(desc: BlobDescriptor, placements: Placement[], source: BlobSource): Promise<boolean> {
    const volumes = this.volumes as PlacedVolumes;
    const split = placements.length > 1;
    let cursor: ByteCursor | undefined;
    try {
      cursor = new ByteCursor(verifiedChunks(desc, typeof source === 'function' ? await source() : source)[Symbol.asyncIterator]());
      const parts = [];
      for (const [i, p] of placements.entries()) {
        const path = split ? partPath(desc.digest, i + 1) : blobPath(desc.digest);
        const partHash = split ? createHash('sha256') : undefined;
        const volume = volumeName(p.volume);
        await volumes.writeEntry(p, { name: path, size: p.size, mode: BLOB_MODE }, cursor.take(p.size, partHash));
        parts.push({ volume, path, offset: p.dataOffset, size: p.size, sha256: partHash?.digest('hex') ?? '' });
      }
      await cursor.end();
      const first = parts[0]!;
      const blob = toBlob(desc, split ? { parts } : { volume: first.volume, path: first.path, offset: first.offset });
      const touched = placements.map((p) => p.volume);
      await volumes.sync(touched);
      for (const p of placements) volumes.complete(p.volume, p.headerOffset, p.headerOffset + tarEntrySize(p.size));
      const closed = [];
      for (const v of volumes.claimFull(touched)) closed.push(await volumes.close(v));
      await this.commit(Promise.resolve(), { t: 'blob', blob, state: this.allocator.state, closed }, desc, first.volume);
      this.blobs.set(desc.digest, blob);
      return true;
    } catch (e) {
      await cursor?.cancel();
      throw await noSpaceError(e, volumeName(placements[0]!.volume), this.dir, `blob ${desc.digest}`, desc.size);
    }
  }

  /** Releases open files without finishing; the journal keeps what was written for a later resume. */
  async close(): Promise<void> {
    await Promise.allSettled(this.inFlight.values());
    await this.queue.catch(() => undefined);
    await this.commits.catch(() => undefined);
    await this.volumes.release();
    await this.journal.close().catch(() => undefined);
    await this.lock.release();
  }

  /** Writes the blob's bytes; resolves, with its commit still running, once the next blob may be written. */
  private async writeBlob(desc: BlobDescriptor, source: BlobSource): Promise<{ committed: Promise<void> }> {
    const volumes = this.volumes as VolumeSet;
    const snap = volumes.snapshot();
    const allocState = this.allocator.state;
    const placements = this.allocator.place(desc.size, `Blob ${desc.digest}`);
    const split = placements.length > 1;
    let cursor: ByteCursor | undefined;
    try {
      cursor = new ByteCursor(verifiedChunks(desc, typeof source === 'function' ? await source() : source)[Symbol.asyncIterator]());
      const parts = [];
      for (const [i, p] of placements.entries()) {
        const path = split ? partPath(desc.digest, i + 1) : blobPath(desc.digest);
        // Only the parts of a split blob need a hash of their own (a whole blob has its digest): one
        // sha256 pass fewer over every byte of the transfer.
        const partHash = split ? createHash('sha256') : undefined;
        await this.writeEntry(p, path, BLOB_MODE, cursor.take(p.size, partHash));
        parts.push({ volume: volumeName(p.volume), path, offset: p.dataOffset, size: p.size, sha256: partHash?.digest('hex') ?? '' });
      }
      await cursor.end();
      const first = parts[0]!;
      const location: BlobLocation = split ? { parts } : { volume: first.volume, path: first.path, offset: first.offset };
      const blob = toBlob(desc, location);
      const committed = this.commit(volumes.durable(), { t: 'blob', blob, state: this.allocator.state, closed: volumes.closed.slice(snap.closedCount) }, desc, volumes.current);
      this.blobs.set(desc.digest, blob);
      return { committed };
    } catch (e) {
      await cursor?.cancel();
      await volumes.rollback(snap);
      this.allocator = new VolumeAllocator(this.volumeSize, allocState);
      throw await noSpaceError(e, volumes.current, this.dir, `blob ${desc.digest}`, desc.size);
    }
  }

  private async writeEntry(p: Placement, name: string, mode: number, data: Chunks): Promise<void> {
    const volumes = this.volumes as VolumeSet;
    await volumes.ensure(p.volume);
    let position = p.headerOffset;
    await writeTarEntry({ name, size: p.size, mode }, data, async (chunk) => {
      await volumes.write(position, chunk);
      position += chunk.length;
    });
  }

  /**
   * Appends the blob's journal line once its bytes are `durable` and every earlier line is written. A
   * failed commit breaks the writer: what follows it on disk is not accounted for (resume cuts it off).
   */
  private commit(durable: Promise<void>, record: JournalBlob, desc: BlobDescriptor, volume: string): Promise<void> {
    const previous = this.commits;
    const entry: Uncommitted = { record, ready: false };
    this.uncommitted.push(entry);
    void durable.then(
      () => (entry.ready = true),
      () => undefined,
    );
    const committed = (async () => {
      try {
        await Promise.all([previous, durable]);
        // Group commit: this record and every ready one queued behind it, in order, with one fsync. On
        // ext4 each journal fsync also flushes the volumes' fresh data, so fsyncs in a row, one per blob,
        // kept written blobs (and their --parallel slots) waiting 2-3 s each on the bench. A record
        // already written by an earlier group has nothing left to do once the chain reaches it.
        if (this.uncommitted[0] !== entry) return;
        let n = 1;
        while (n < this.uncommitted.length && this.uncommitted[n]!.ready) n++;
        const group = this.uncommitted.slice(0, n);
        await this.journal.appendAll(group.map((u) => u.record));
        this.uncommitted.splice(0, n);
        this.committed += n;
      } catch (e) {
        this.broken ??= await noSpaceError(e, volume, this.dir, `blob ${desc.digest}`, desc.size);
        throw this.broken;
      }
    })();
    this.commits = committed;
    // Awaited by addBlob, finish and close; a failure is not unhandled meanwhile.
    committed.catch(() => undefined);
    return committed;
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private assertOpen(): void {
    if (this.broken !== undefined) throw this.broken;
    if (this.finished) throw new FerryError('INTERNAL', `The transfer in ${this.dir} is already finished.`, { hint: 'This is a bug; please report it.' });
  }
}

/** A journal record waiting for its turn; `ready` once the bytes it records are durable. */
interface Uncommitted {
  record: JournalBlob;
  ready: boolean;
}

function checkDescriptor(desc: BlobDescriptor): void {
  if (!digestSchema.safeParse(desc.digest).success || !Number.isSafeInteger(desc.size) || desc.size < 0) {
    throw new FerryError('INVALID_INPUT', `Blob descriptor ${JSON.stringify(desc.digest)} (size ${desc.size}) is not a valid sha256 descriptor.`, {
      hint: 'Only sha256 digests and non-negative sizes can be written to a transfer.',
    });
  }
}

function toBlob(desc: BlobDescriptor, location: BlobLocation): TransferBlob {
  return { digest: desc.digest, size: desc.size, ...(desc.mediaType ? { mediaType: desc.mediaType } : {}), kind: desc.kind, location };
}

function mirrorSources(images: TransferImage[]): TransferManifest['mirror']['sources'] {
  const seen = new Map<string, TransferManifest['mirror']['sources'][number]>();
  for (const img of images) {
    const repository = repositoryName(parseReference(img.source));
    if (!seen.has(repository)) seen.set(repository, { repository, role: img.role });
  }
  return [...seen.values()];
}

/** ENOSPC and friends become NO_SPACE naming the volume, what did not fit and the space left; other errors pass through. */
async function noSpaceError(e: unknown, volume: string, dir: string, what: string, bytes: number): Promise<unknown> {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const { free } = await checkSpace(dir, bytes).catch(() => ({ free: undefined }));
    const left = free === undefined ? '' : `; ${free} bytes are free`;
    return new FerryError('NO_SPACE', `The disk holding ${dir} is full: volume ${volume} could not take ${what} (${bytes} bytes needed${left}).`, {
      hint: 'Free space on the disk or use a larger one, then resume: every blob completed so far is kept.',
      details: { volume, dir, needed: bytes, ...(free === undefined ? {} : { free }) },
      cause: e,
    });
  }
  if (code === 'EFBIG') {
    return new FerryError('NO_SPACE', `The file system holding ${dir} refused to grow volume ${volume} while writing ${what}: the file is too large for it.`, {
      hint: 'FAT32 keeps files below 4 GiB: use a volume size of at most 4000M.',
      details: { volume, dir },
      cause: e,
    });
  }
  return e;
}
