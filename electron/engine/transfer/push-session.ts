import type { Readable } from 'node:stream';
import type { MirrorTarget } from '../../../shared/mirror-mapping';
import type { ImageReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import { DockerDestination } from '../copy/docker';
import type { BlobLocation, ImageDestination, ManifestRole } from '../copy/types';
import type { FetchedManifest } from '../registry/client';
import type { Descriptor } from '../registry/manifest';
import { PushJournal, journalKey, type PushJournalContent } from './push-journal';

/**
 * A push that survives `kill -9`: destinations record every confirmed blob and manifest in the push
 * journal, and a run that finds a journal re-checks its entries with HEAD first, so what the mirror
 * holds is skipped without a second look and only what was in flight travels again.
 */
export interface ResumeStats {
  /** Blobs and manifests the journal of an earlier run recorded as confirmed. */
  journaled: number;
  /** Of those, how many HEAD found in the mirror (skipped), and their bytes (blobs only). */
  confirmed: number;
  confirmedBytes: number;
  /** Blobs whose upload had started but was not confirmed when the earlier run stopped. */
  inFlightBlobs: number;
  inFlightBytes: number;
  /** Bytes uploaded again in this run for blobs that were in flight. */
  resentBytes: number;
}

export class PushSession {
  readonly stats: ResumeStats;
  /**
   * Blob uploads of this push by `repo@digest`, under way or done (a failed one is forgotten so it can be
   * retried): images sharing a blob send it once, whenever each one asks for it.
   */
  readonly uploads = new Map<string, Promise<'mounted' | 'uploaded'>>();
  /** The first upload of each digest into the target, whatever the repository: later ones mount from it. */
  readonly firstUploads = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly ctx: EngineContext,
    readonly journal: PushJournal,
    private readonly previous: PushJournalContent,
    private readonly confirmedBlobs: Set<string>,
    private readonly confirmedManifests: Set<string>,
  ) {
    const confirmedBytes = [...confirmedBlobs].reduce((n, k) => n + (previous.blobs.get(k) ?? 0), 0);
    this.stats = {
      journaled: previous.blobs.size + previous.manifests.size,
      confirmed: confirmedBlobs.size + confirmedManifests.size,
      confirmedBytes,
      inFlightBlobs: previous.inFlight.size,
      inFlightBytes: [...previous.inFlight.values()].reduce((n, s) => n + s, 0),
      resentBytes: 0,
    };
  }

  static async open(ctx: EngineContext, journalDir: string, transferId: string, target: MirrorTarget, targetSpec: string): Promise<PushSession> {
    const { journal, previous } = await PushJournal.open(journalDir, transferId, targetSpec);
    const client = ctx.registry(target.registry);
    const opts = { access: 'push' as const, ...(ctx.signal ? { signal: ctx.signal } : {}) };
    const blobs = new Set<string>();
    const manifests = new Set<string>();
    try {
      await Promise.all([
        ...[...previous.blobs].map(([key, size]) =>
          ctx.limit(async () => {
            const [repo, digest] = splitKey(key);
            const got = await client.headBlob(repo, digest, opts);
            if (got === undefined || (got !== -1 && got !== size)) return;
            blobs.add(key);
            ctx.blobLocations.add(target.registry, repo, digest);
          }),
        ),
        ...[...previous.manifests].map((key) =>
          ctx.limit(async () => {
            const [repo, digest] = splitKey(key);
            if ((await client.headManifest(repo, digest, opts))?.digest === digest) manifests.add(key);
          }),
        ),
      ]);
    } catch (e) {
      await journal.close();
      throw e;
    }
    return new PushSession(ctx, journal, previous, blobs, manifests);
  }

  destination(ref: ImageReference): ImageDestination {
    return new JournaledDestination(this, new DockerDestination(this.ctx, ref), ref.repository);
  }

  /** @internal the destination's bookkeeping */
  knows(kind: 'blob' | 'manifest', repo: string, digest: string): boolean {
    return (kind === 'blob' ? this.confirmedBlobs : this.confirmedManifests).has(journalKey(repo, digest));
  }

  /** @internal */
  wasInFlight(repo: string, digest: string): boolean {
    return this.previous.inFlight.has(journalKey(repo, digest));
  }
}

class JournaledDestination implements ImageDestination {
  readonly name: string;

  constructor(
    private readonly session: PushSession,
    private readonly inner: DockerDestination,
    private readonly repo: string,
  ) {
    this.name = inner.name;
  }

  async hasBlob(blob: Descriptor, signal?: AbortSignal): Promise<boolean> {
    if (this.session.knows('blob', this.repo, blob.digest)) return true;
    // Another image of this push is sending it here (or did): its outcome is the answer, not a HEAD
    // that may run before that upload ends and send the bytes a second time.
    const sending = this.session.uploads.get(journalKey(this.repo, blob.digest));
    if (sending) return sending.then(
      () => true,
      () => false,
    );
    const present = await this.inner.hasBlob(blob, signal);
    if (present) await this.session.journal.append({ t: 'blob', repo: this.repo, digest: blob.digest, size: blob.size });
    return present;
  }

  putBlob(blob: Descriptor, open: () => Promise<Readable>, opts: { signal?: AbortSignal; image?: string; from?: BlobLocation }): Promise<'mounted' | 'uploaded'> {
    const key = journalKey(this.repo, blob.digest);
    const running = this.session.uploads.get(key);
    // Another image is sending the same blob into this repository (or has): no bytes travel for this one.
    if (running) return running.then(() => 'mounted');
    // Sending it into another repository of the target: wait for that, then mount from there.
    const elsewhere = this.session.firstUploads.get(blob.digest);
    const upload = this.upload(blob, open, opts, elsewhere);
    this.session.uploads.set(key, upload);
    if (!elsewhere) this.session.firstUploads.set(blob.digest, upload);
    upload.catch(() => {
      this.session.uploads.delete(key);
      if (this.session.firstUploads.get(blob.digest) === upload) this.session.firstUploads.delete(blob.digest);
    });
    return upload;
  }

  private async upload(
    blob: Descriptor,
    open: () => Promise<Readable>,
    opts: { signal?: AbortSignal; image?: string; from?: BlobLocation },
    elsewhere: Promise<unknown> | undefined,
  ): Promise<'mounted' | 'uploaded'> {
    // Its failure is its own image's error; this one then uploads the bytes itself.
    if (elsewhere) await elsewhere.catch(() => undefined);
    await this.session.journal.append({ t: 'start', repo: this.repo, digest: blob.digest, size: blob.size });
    const how = await this.inner.putBlob(blob, open, opts);
    if (how === 'uploaded' && this.session.wasInFlight(this.repo, blob.digest)) this.session.stats.resentBytes += blob.size;
    await this.session.journal.append({ t: 'blob', repo: this.repo, digest: blob.digest, size: blob.size });
    return how;
  }

  async putManifest(manifest: FetchedManifest, role: ManifestRole, signal?: AbortSignal): Promise<void> {
    // The root carries the name (the commit point of the image): it is always written.
    if (role === 'child' && this.session.knows('manifest', this.repo, manifest.digest)) return;
    await this.inner.putManifest(manifest, role, signal);
    await this.session.journal.append({ t: 'manifest', repo: this.repo, digest: manifest.digest });
  }
}

function splitKey(key: string): [string, string] {
  const at = key.lastIndexOf('@');
  return [key.slice(0, at), key.slice(at + 1)];
}
