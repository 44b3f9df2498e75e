import { createHash, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { repositoryName, parseReference } from '../../../shared/reference';
import type { ProgressListener } from '../../../shared/progress';
import {
  TRANSFER_FILE,
  TRANSFER_FORMAT_VERSION,
  digestSchema,
  transferManifestSchema,
  type BlobKind,
  type BlobLocation,
  type ParentRef,
  type ReleaseSignatures,
  type ReleaseInfo,
  type RequestedContent,
  type TransferBlob,
  type TransferImage,
  type TransferManifest,
} from '../../../shared/transfer/manifest';
import { verifiesAlready } from '../registry/verify';
import { ByteCursor } from './byte-cursor';
import { regularFileAt, replaceConfined } from './confined-file';
import { Journal, planDifferences, type JournalBegin, type JournalBlob, type PlanIdentity } from './journal';
import { checkKept, type KeptProblem } from './kept';
import { TransferLock, type LockHolder } from './lock';
import { BLOB_MODE, VolumeAllocator, blobPath, partPath, tarEntrySize, validateVolumeSize, volumeName, DEFAULT_VOLUME_SIZE, TAR_END, type Placement } from './layout';
import { README_FILE, README_TEXT, tailFiles } from './tail';
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
  onProgress?: ProgressListener;
  /** Totals for progress events, from the plan. */
  expected?: { bytes: number; blobs: number };
  /** What this run was asked to write (release, images…), journaled: a resume asked for anything else is refused. */
  plan?: PlanIdentity;
  /** Who holds the directory's lock while writing, as a second run is told: "ferry mirror". */
  holder?: string;
}

/** Held while a transfer is written: one writer per directory. */
export const WRITER_LOCK_FILE = '.ferry-writer.lock';

export interface FinishMeta {
  toolVersion: string;
  requested: RequestedContent;
  release?: ReleaseInfo;
  parent?: ParentRef;
  releaseSignatures?: ReleaseSignatures;
}

export type ImageInput = Omit<TransferImage, 'manifests'> & { manifests?: string[] };

const PROGRESS_STEP = 8 * 1024 * 1024;

export class TransferWriter {
  private readonly blobs = new Map<string, TransferBlob>();
  private readonly images = new Map<string, TransferImage>();
  private queue: Promise<unknown> = Promise.resolve();
  /** The journal lines still being committed, in order; a failure here breaks the writer. */
  private commits: Promise<void> = Promise.resolve();
  private broken: unknown;
  private committed: number;
  private bytesWritten = 0;
  private lastProgress = 0;
  private finished = false;

  private constructor(
    readonly dir: string,
    readonly id: string,
    readonly createdAt: string,
    readonly volumeSize: number,
    private allocator: VolumeAllocator,
    private readonly volumes: VolumeSet,
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
    if (await regularFileAt(join(dir, TRANSFER_FILE))) {
      throw new FerryError('USAGE', `${dir} already holds a finished transfer (${TRANSFER_FILE} exists).`, {
        hint: 'Write to an empty directory, or verify and use the transfer that is there.',
      });
    }
    const journaled = await Journal.read(dir);
    if (journaled && !options.resume) {
      throw new FerryError('USAGE', `${dir} holds an unfinished transfer.`, {
        hint: 'Resume it (same command with resume), or write to an empty directory.',
      });
    }
    const plan: PlanIdentity = { 'volume size': volumeSize, ...options.plan };
    if (journaled) {
      const { begin } = journaled;
      const differences = planDifferences({ 'volume size': begin.volumeSize, ...(begin.plan ?? {}) }, begin.plan ? plan : { 'volume size': volumeSize });
      if (differences.length > 0) {
        throw new FerryError('USAGE', `The unfinished transfer in ${dir} was started with a different plan; resuming it with this one would mix two transfers:\n${differences.map((d) => `  ${d}`).join('\n')}`, {
          hint: 'Run the command it was started with to finish it, or write this transfer to another (empty) directory.',
          details: { dir, differences },
        });
      }
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
    return new TransferWriter(dir, begin.id, begin.createdAt, volumeSize, new VolumeAllocator(volumeSize), await VolumeSet.create(dir), journal, options, lock, 0);
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
      const committed = this.commit(Promise.resolve(), { t: 'blob', blob, state: this.allocator.state, closed: [] }, desc);
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
    return this.serially(async () => {
      this.assertOpen();
      await this.commits;
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
      const snap = this.volumes.snapshot();
      const allocState = this.allocator.state;
      let tailBytes = 0;
      try {
        const tail = tailFiles(indexed);
        tailBytes = tail.reduce((n, f) => n + tarEntrySize(f.data.length), TAR_END);
        const placements = this.allocator.placeTogether(tail.map((f) => f.data.length), 'The OCI index files');
        for (const [i, file] of tail.entries()) await this.writeEntry(placements[i]!, file.name, file.mode, [file.data]);
        await this.volumes.closeCurrent();
        const manifest = transferManifestSchema.parse({
          formatVersion: TRANSFER_FORMAT_VERSION,
          id: this.id,
          createdAt: this.createdAt,
          tool: { name: 'ferry', version: meta.toolVersion },
          ...(meta.release ? { release: meta.release } : {}),
          requested: meta.requested,
          images,
          blobs: [...this.blobs.values()],
          volumes: this.volumes.closed,
          volumeSize: this.volumeSize,
          ...(meta.parent ? { parent: meta.parent } : {}),
          mirror: { sources: mirrorSources(images) },
          ...(meta.releaseSignatures ? { releaseSignatures: meta.releaseSignatures } : {}),
        } satisfies TransferManifest);
        await replaceConfined(join(this.dir, README_FILE), README_TEXT);
        await replaceConfined(join(this.dir, TRANSFER_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
        await this.volumes.release();
        this.finished = true;
        await this.journal.close();
        await Journal.remove(this.dir);
        await this.lock.release();
        this.emit({ phase: 'done', message: `wrote ${manifest.volumes.length} volume(s)` });
        return manifest;
      } catch (e) {
        await this.volumes.rollback(snap);
        this.allocator = new VolumeAllocator(this.volumeSize, allocState);
        throw await noSpaceError(e, this.volumes.current, this.dir, 'the OCI index files', tailBytes);
      }
    });
  }

  /** Releases open files without finishing; the journal keeps what was written for a later resume. */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.commits.catch(() => undefined);
    await this.volumes.release();
    await this.journal.close().catch(() => undefined);
    await this.lock.release();
  }

  /** Writes the blob's bytes; resolves, with its commit still running, once the next blob may be written. */
  private async writeBlob(desc: BlobDescriptor, source: BlobSource): Promise<{ committed: Promise<void> }> {
    const snap = this.volumes.snapshot();
    const allocState = this.allocator.state;
    const placements = this.allocator.place(desc.size, `Blob ${desc.digest}`);
    const split = placements.length > 1;
    let cursor: ByteCursor | undefined;
    try {
      cursor = new ByteCursor(verified(desc, typeof source === 'function' ? await source() : source)[Symbol.asyncIterator]());
      const parts = [];
      for (const [i, p] of placements.entries()) {
        const path = split ? partPath(desc.digest, i + 1) : blobPath(desc.digest);
        // Only the parts of a split blob need a hash of their own (a whole blob has its digest): one
        // sha256 pass fewer over every byte of the transfer.
        const partHash = split ? createHash('sha256') : undefined;
        await this.writeEntry(p, path, BLOB_MODE, cursor.take(p.size, partHash), desc.digest);
        parts.push({ volume: volumeName(p.volume), path, offset: p.dataOffset, size: p.size, sha256: partHash?.digest('hex') ?? '' });
      }
      await cursor.end();
      const first = parts[0]!;
      const location: BlobLocation = split ? { parts } : { volume: first.volume, path: first.path, offset: first.offset };
      const blob = toBlob(desc, location);
      const committed = this.commit(this.volumes.durable(), { t: 'blob', blob, state: this.allocator.state, closed: this.volumes.closed.slice(snap.closedCount) }, desc);
      this.blobs.set(desc.digest, blob);
      this.emit({ phase: 'write-volume', blob: desc.digest, volume: this.volumes.current });
      return { committed };
    } catch (e) {
      await cursor?.cancel();
      await this.volumes.rollback(snap);
      this.allocator = new VolumeAllocator(this.volumeSize, allocState);
      throw await noSpaceError(e, this.volumes.current, this.dir, `blob ${desc.digest}`, desc.size);
    }
  }

  private async writeEntry(p: Placement, name: string, mode: number, data: Chunks, blob?: string): Promise<void> {
    await this.volumes.ensure(p.volume);
    let position = p.headerOffset;
    await writeTarEntry({ name, size: p.size, mode }, data, async (chunk) => {
      await this.volumes.write(position, chunk);
      position += chunk.length;
      this.bytesWritten += chunk.length;
      if (this.bytesWritten - this.lastProgress >= PROGRESS_STEP) this.emit({ phase: 'write-volume', volume: volumeName(p.volume), ...(blob ? { blob } : {}) });
    });
  }

  private emit(partial: { phase: string; blob?: string; volume?: string; message?: string }): void {
    const listener = this.options.onProgress;
    if (!listener) return;
    this.lastProgress = this.bytesWritten;
    listener({
      ...partial,
      bytesDone: this.bytesWritten,
      bytesTotal: this.options.expected?.bytes ?? 0,
      itemsDone: this.blobs.size,
      itemsTotal: this.options.expected?.blobs ?? 0,
    });
  }

  /**
   * Appends the blob's journal line once its bytes are `durable` and every earlier line is written. A
   * failed commit breaks the writer: what follows it on disk is not accounted for (resume cuts it off).
   */
  private commit(durable: Promise<void>, record: JournalBlob, desc: BlobDescriptor): Promise<void> {
    const previous = this.commits;
    const committed = (async () => {
      try {
        await Promise.all([previous, durable]);
        await this.journal.append(record);
        this.committed += 1;
      } catch (e) {
        this.broken ??= await noSpaceError(e, this.volumes.current, this.dir, `blob ${desc.digest}`, desc.size);
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

/**
 * The source's bytes, failing on more or fewer than the descriptor's size or a digest mismatch before it
 * ends. A registry or layout stream that already verifies this very descriptor is not hashed twice.
 */
function verified(desc: BlobDescriptor, source: Chunks): AsyncIterable<Uint8Array> {
  return verifiesAlready(source, desc) ? source : verifiedChunks(desc, source);
}

/** The source's bytes, failing on more or fewer than the descriptor's size or a digest mismatch before it ends. */
async function* verifiedChunks(desc: BlobDescriptor, source: Chunks): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  let seen = 0;
  for await (const chunk of source) {
    seen += chunk.length;
    if (seen > desc.size) {
      throw new FerryError('SIZE_MISMATCH', `Blob ${desc.digest} is larger than its descriptor says (${desc.size} bytes); nothing of it was kept.`, {
        hint: 'The source served different content than its manifest names; check the source registry or mirror.',
        details: { blob: desc.digest },
      });
    }
    hash.update(chunk);
    yield chunk;
  }
  if (seen !== desc.size) {
    throw new FerryError('SIZE_MISMATCH', `Blob ${desc.digest} ended after ${seen} of ${desc.size} bytes; nothing of it was kept.`, {
      hint: 'The source stream was cut short; retry.',
      details: { blob: desc.digest },
    });
  }
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== desc.digest) {
    throw new FerryError('DIGEST_MISMATCH', `Blob ${desc.digest} has the wrong content (its bytes hash to ${got}); nothing of it was kept.`, {
      hint: 'The source served corrupted or different content; check the source registry or mirror and retry.',
      details: { blob: desc.digest, actual: got },
    });
  }
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
