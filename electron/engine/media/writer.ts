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
import { listVolumeFiles } from './volumes';
import { checkSpace } from './space';

/**
 * Writes a transfer directory (DESIGN §3): blobs into tar volumes, each once, verified while written;
 * then the OCI layout tail and transfer.json, the commit point. Every blob is placed before a byte of it
 * is written and then written at its place (placed-volumes.ts), made durable and journaled (fsync, then
 * its journal line). One writer per directory (lock.ts); every file is opened through confined-file.ts; a
 * resume keeps only the journaled blobs it has read back intact (kept.ts) and only for the plan the journal
 * was started with.
 *
 * Mirror to disk gives the whole plan up front (options.planned): addBlob may then run for many blobs at
 * once, a failure leaves a hole and a resume fills the holes. Without a plan each blob is placed as it
 * arrives, in call order, one at a time: the same path at parallel 1.
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

/** Where every blob goes, fixed before a byte of it is written. */
interface PlannedLayout {
  /** Index of each blob (parent ones too) in the planned order: the order of transfer.json's blobs. */
  order: Map<string, number>;
  placements: Map<string, Placement[]>;
  /** Where the blob entries of each volume end. */
  ends: Map<number, number>;
  /** Where the allocator starts: past every blob placed when the writer opens. */
  end: AllocatorState;
}

/** Nothing placed yet past `end` (the start, or the last blob a resume kept, whose volume ends there). */
function emptyLayout(end: AllocatorState): PlannedLayout {
  return { order: new Map(), placements: new Map(), ends: new Map([[end.volume, end.used]]), end };
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
  private readonly uncommitted: JournalBlob[] = [];
  private broken: unknown;
  private committed: number;
  private finished = false;
  /** Blobs being written. */
  private readonly inFlight = new Map<string, Promise<boolean>>();

  private constructor(
    readonly dir: string,
    readonly id: string,
    readonly createdAt: string,
    readonly volumeSize: number,
    /** Where every blob goes: fixed before writing (options.planned), or extended as each blob arrives. */
    private readonly layout: PlannedLayout,
    /** Past every blob placed: it places the blobs that arrive unplanned, then the OCI tail. */
    private allocator: VolumeAllocator,
    private readonly volumes: PlacedVolumes,
    private readonly journal: Journal,
    private readonly options: WriterOptions,
    private readonly lock: TransferLock,
    /** Blobs found complete in the journal, and intact on disk, when resuming. */
    readonly resumedBlobs: number,
    /** What the resume check found damaged: those blobs are written again (without a plan, everything from the first of them on). */
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
      if (layout) return TransferWriter.resumePlanned(dir, volumeSize, options, lock, begin, journaled.blobs, layout);
      return TransferWriter.resumeUnplanned(dir, volumeSize, options, lock, begin, journaled.blobs);
    }
    if ((await listVolumeFiles(dir)).size > 0) {
      throw new FerryError('USAGE', `${dir} already holds volume files (ferry-*.tar) but no transfer.json or journal.`, {
        hint: 'Write to an empty directory; Ferry does not overwrite volumes it cannot account for.',
      });
    }
    const begin: JournalBegin = { t: 'begin', id: randomUUID(), createdAt: new Date().toISOString(), volumeSize, ...(options.plan ? { plan } : {}) };
    const journal = await Journal.create(dir, begin);
    const start = layout ?? emptyLayout({ volume: 1, used: 0 });
    return new TransferWriter(dir, begin.id, begin.createdAt, volumeSize, start, new VolumeAllocator(volumeSize, start.end), new PlacedVolumes(dir, start.ends), journal, options, lock, 0);
  }

  /** A planned transfer resumed: every journaled blob that reads back intact is kept where it is; the rest are holes. */
  private static async resumePlanned(dir: string, volumeSize: number, options: WriterOptions, lock: TransferLock, begin: JournalBegin, journaled: JournalBlob[], layout: PlannedLayout): Promise<TransferWriter> {
    const check = await checkPlanned(dir, journaled, (digest) => layout.placements.get(digest)?.map((p) => ({ volume: volumeName(p.volume), headerOffset: p.headerOffset, size: p.size })));
    if (check.kept.length < journaled.length) await Journal.rewrite(dir, begin, check.kept);
    const volumes = new PlacedVolumes(dir, layout.ends, check.closed);
    const writer = new TransferWriter(dir, begin.id, begin.createdAt, volumeSize, layout, new VolumeAllocator(volumeSize, layout.end), volumes, await Journal.reopen(dir), options, lock, check.kept.length, check.problems);
    for (const r of check.kept) {
      writer.blobs.set(r.blob.digest, r.blob);
      const placements = layout.placements.get(r.blob.digest) ?? [];
      for (const p of placements) if (!volumes.closed.has(p.volume)) volumes.complete(p.volume, p.headerOffset, p.headerOffset + tarEntrySize(p.size));
    }
    return writer;
  }

  /**
   * A transfer written without a plan resumed: its blobs sit one after another in journal order, so the
   * journal is kept up to the first blob that no longer reads back intact, and everything past the last one
   * kept is cut off; blobs added from there go where they went the first time.
   */
  private static async resumeUnplanned(dir: string, volumeSize: number, options: WriterOptions, lock: TransferLock, begin: JournalBegin, journaled: JournalBlob[]): Promise<TransferWriter> {
    const check = await checkKept(dir, journaled);
    const kept = journaled.slice(0, check.kept);
    // The journal first: a crash between the two leaves lines the next check cuts off again.
    if (kept.length < journaled.length) await Journal.rewrite(dir, begin, kept);
    const layout = emptyLayout(check.state);
    for (const r of kept) layout.order.set(r.blob.digest, layout.order.size);
    const volumes = new PlacedVolumes(dir, layout.ends, check.closed);
    await volumes.cut(check.state);
    volumes.complete(check.state.volume, 0, check.state.used);
    const writer = new TransferWriter(dir, begin.id, begin.createdAt, volumeSize, layout, new VolumeAllocator(volumeSize, check.state), volumes, await Journal.reopen(dir), options, lock, kept.length, check.problems);
    for (const r of kept) writer.blobs.set(r.blob.digest, r.blob);
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
   * Streams one blob into the volumes at its place, hashing as it goes. Resolves true once the blob is on
   * disk and journaled, false (without reading `source`) if it is already there. On a digest or size
   * mismatch, a failing source or a full disk the blob is not recorded and the error names it; a full disk
   * also stops the writer (every later blob would fail too, or squeeze in out of order).
   *
   * A planned blob may be added while others are: each is written at its place and journaled as it
   * completes (journal lines in completion order); a failure leaves a hole a rerun fills. Without a plan,
   * blobs are placed as they arrive and written one at a time in call order (a plan of parallel 1), so the
   * same calls give the same volumes; a failed blob is then the last one placed and is withdrawn: its bytes
   * are cut off and the next blob takes its place.
   */
  addBlob(desc: BlobDescriptor, source: BlobSource): Promise<boolean> {
    checkDescriptor(desc);
    if (!this.options.planned) {
      return this.serially(async () => {
        this.assertOpen();
        if (this.blobs.has(desc.digest)) return false;
        const placed = this.placeNext(desc);
        return this.writePlaced(desc, placed.placements, source, placed);
      });
    }
    this.assertOpen();
    const placements = this.layout.placements.get(desc.digest);
    if (!placements) {
      throw new FerryError('INTERNAL', `Blob ${desc.digest} is not one this transfer's plan places.`, { hint: 'This is a bug in the caller of the media writer; please report it.' });
    }
    if (this.blobs.has(desc.digest)) return Promise.resolve(false);
    const running = this.inFlight.get(desc.digest);
    if (running) return running.then(() => false);
    const run = this.writePlaced(desc, placements, source).finally(() => this.inFlight.delete(desc.digest));
    this.inFlight.set(desc.digest, run);
    return run;
  }

  /** Records a blob that the parent transfer (or the mirror it was pushed to) already holds: a delta. */
  addParentBlob(desc: BlobDescriptor): Promise<boolean> {
    checkDescriptor(desc);
    return this.serially(async () => {
      this.assertOpen();
      if (this.blobs.has(desc.digest)) return false;
      if (!this.layout.order.has(desc.digest)) this.layout.order.set(desc.digest, this.layout.order.size);
      const blob = toBlob(desc, { parent: true });
      const committed = this.commit({ t: 'blob', blob, state: this.allocator.state, closed: [] }, desc, volumeName(this.allocator.state.volume));
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
   * Writes the OCI layout tail (oci-layout, JOIN-PARTS.sh, index.json) after the last blob, closes every
   * volume still open, and commits transfer.json (temp file, fsync, rename). Every placed blob must be
   * complete. Returns the manifest written.
   */
  finish(meta: FinishMeta): Promise<TransferManifest> {
    const { layout, volumes } = this;
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

  /**
   * Without a plan: places the blob after every blob placed so far. `finished` are the volumes this placement
   * moved past (closed once the blob is committed); `withdraw` undoes the placement and cuts its bytes off.
   */
  private placeNext(desc: BlobDescriptor): Withdrawable {
    const { layout } = this;
    const before = this.allocator.state;
    const ends = new Map(layout.ends);
    const withdraw = async () => {
      this.allocator = new VolumeAllocator(this.volumeSize, before);
      layout.order.delete(desc.digest);
      layout.placements.delete(desc.digest);
      layout.ends.clear();
      for (const [v, end] of ends) layout.ends.set(v, end);
      await this.volumes.cut(before);
    };
    let placements: Placement[];
    try {
      placements = this.allocator.place(desc.size, `Blob ${desc.digest}`);
    } catch (e) {
      this.allocator = new VolumeAllocator(this.volumeSize, before);
      throw e;
    }
    layout.order.set(desc.digest, layout.order.size);
    layout.placements.set(desc.digest, placements);
    for (const p of placements) layout.ends.set(p.volume, p.headerOffset + tarEntrySize(p.size));
    const finished = [];
    for (let v = before.volume; v < placements.at(-1)!.volume; v++) finished.push(v);
    return { placements, finished, withdraw };
  }

  /**
   * Writes a placed blob's entries, makes them durable, closes the volumes it completes and journals it.
   * A failure before its bytes are durable leaves its place a hole nothing records (withdrawn when `placed`
   * says how); one after breaks the writer, as what is on disk is then no longer what the journal says.
   */
  private async writePlaced(desc: BlobDescriptor, placements: Placement[], source: BlobSource, placed?: Withdrawable): Promise<boolean> {
    const volumes = this.volumes;
    const split = placements.length > 1;
    const touched = placements.map((p) => p.volume);
    let cursor: ByteCursor | undefined;
    let blob: TransferBlob;
    try {
      cursor = new ByteCursor(verifiedChunks(desc, typeof source === 'function' ? await source() : source)[Symbol.asyncIterator]());
      const parts = [];
      for (const [i, p] of placements.entries()) {
        const path = split ? partPath(desc.digest, i + 1) : blobPath(desc.digest);
        // Only the parts of a split blob need a hash of their own (a whole blob has its digest): one
        // sha256 pass fewer over every byte of the transfer.
        const partHash = split ? createHash('sha256') : undefined;
        await volumes.writeEntry(p, { name: path, size: p.size, mode: BLOB_MODE }, cursor.take(p.size, partHash));
        parts.push({ volume: volumeName(p.volume), path, offset: p.dataOffset, size: p.size, sha256: partHash?.digest('hex') ?? '' });
      }
      await cursor.end();
      const first = parts[0]!;
      blob = toBlob(desc, split ? { parts } : { volume: first.volume, path: first.path, offset: first.offset });
      await volumes.sync(touched);
    } catch (e) {
      await cursor?.cancel();
      const error = await noSpaceError(e, volumeName(placements[0]!.volume), this.dir, `blob ${desc.digest}`, desc.size);
      // Bytes that could not be withdrawn are not accounted for either: the journal still is, for a resume.
      const withdrawn = await placed?.withdraw().then(() => true, () => false);
      if (withdrawn === false || (error instanceof FerryError && error.code === 'NO_SPACE')) this.broken ??= error;
      throw error;
    }
    try {
      for (const p of placements) volumes.complete(p.volume, p.headerOffset, p.headerOffset + tarEntrySize(p.size));
      const closed = [];
      for (const v of volumes.claimFull([...touched, ...(placed?.finished ?? [])])) closed.push(await volumes.close(v));
      await this.commit({ t: 'blob', blob, state: this.allocator.state, closed }, desc, volumeName(placements[0]!.volume));
    } catch (e) {
      this.broken ??= await noSpaceError(e, volumeName(placements[0]!.volume), this.dir, `blob ${desc.digest}`, desc.size);
      throw this.broken;
    }
    this.blobs.set(desc.digest, blob);
    return true;
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

  /**
   * Appends the blob's journal line once every earlier line is written. A failed commit breaks the writer:
   * what follows it on disk is not accounted for (resume cuts it off).
   */
  private commit(record: JournalBlob, desc: BlobDescriptor, volume: string): Promise<void> {
    const previous = this.commits;
    this.uncommitted.push(record);
    const committed = (async () => {
      try {
        await previous;
        // Group commit: this record and every one queued behind it, in order, with one fsync. On ext4 each
        // journal fsync also flushes the volumes' fresh data, so fsyncs in a row, one per blob, kept written
        // blobs (and their --parallel slots) waiting 2-3 s each on the bench. A record already written by an
        // earlier group has nothing left to do once the chain reaches it.
        if (this.uncommitted[0] !== record) return;
        const group = this.uncommitted.splice(0);
        await this.journal.appendAll(group);
        this.committed += group.length;
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

/** A blob placed on arrival: where it goes, the volumes it moved past, and how to undo it if it fails. */
interface Withdrawable {
  placements: Placement[];
  finished: number[];
  withdraw(): Promise<void>;
}

function checkDescriptor(desc: BlobDescriptor): void {
  if (!digestSchema.safeParse(desc.digest).success || !Number.isSafeInteger(desc.size) || desc.size < 0) {
    throw new FerryError('INVALID_INPUT', `Blob descriptor ${JSON.stringify(desc.digest)} (size ${desc.size}) is not a valid sha256 descriptor.`, {
      hint: 'Only sha256 digests and non-negative sizes can be written to a transfer.',
    });
  }
}

function toBlob(desc: BlobDescriptor, location: TransferBlob['location']): TransferBlob {
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
