import type { Readable } from 'node:stream';
import type { MirrorTarget } from '../../../shared/mirror-mapping';
import type { ImageReference } from '../../../shared/reference';
import type { EngineContext } from '../context';
import { DockerDestination } from '../copy/docker';
import type { BlobLocation, ImageDestination, ManifestRole } from '../copy/types';
import type { FetchedManifest } from '../registry/client';
import type { Descriptor } from '../registry/manifest';
import type { LockHolder } from '../media/lock';
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
  /** The lock of an earlier push of this transfer to this target that died, taken over by this run. */
  tookOverLock?: LockHolder;
}

export class PushSession {
  readonly stats: ResumeStats;
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
      ...(journal.tookOverLock ? { tookOverLock: journal.tookOverLock } : {}),
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
          ctx.checks(async () => {
            const [repo, digest] = splitKey(key);
            const got = await client.headBlob(repo, digest, opts);
            if (got === undefined || (got !== -1 && got !== size)) return;
            blobs.add(key);
            ctx.blobLocations.add(target.registry, repo, digest);
          }),
        ),
        ...[...previous.manifests].map((key) =>
          ctx.checks(async () => {
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
  readonly location: BlobLocation;

  constructor(
    private readonly session: PushSession,
    private readonly inner: DockerDestination,
    private readonly repo: string,
  ) {
    this.name = inner.name;
    this.location = inner.location;
  }

  async hasBlob(blob: Descriptor, signal?: AbortSignal): Promise<boolean> {
    if (this.session.knows('blob', this.repo, blob.digest)) return true;
    const present = await this.inner.hasBlob(blob, signal);
    if (present) await this.session.journal.append({ t: 'blob', repo: this.repo, digest: blob.digest, size: blob.size });
    return present;
  }

  /** Journaled before and after; a blob two images need at once is sent once by the copy's blob flights (copy/blob-flights.ts). */
  async putBlob(blob: Descriptor, open: () => Promise<Readable>, opts: { signal?: AbortSignal; image?: string; from?: BlobLocation }): Promise<'mounted' | 'uploaded'> {
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
