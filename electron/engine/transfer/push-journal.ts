import { createHash } from 'node:crypto';
import { mkdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { openConfined, readConfined } from '../media/confined-file';
import { TransferLock, type LockHolder } from '../media/lock';

/**
 * The journal of a push: one fsync'ed JSON line when a blob upload starts and when a blob or manifest
 * is confirmed in the mirror. A killed push run again reads it, re-checks every confirmed entry with
 * HEAD (the journal is a hint, never proof) and skips what the mirror holds; blobs started but never
 * confirmed are the ones that were in flight. One journal per transfer and target, removed once the
 * push has fully succeeded. A lock beside it keeps a second push of the same transfer to the same target
 * from running at once. Records appended while a sync is under way are written and synced together by
 * the next one (group commit): a push with many blobs in flight pays one sync per batch, not per blob,
 * and no append resolves before its line is on disk.
 */
export type PushJournalRecord =
  | { t: 'begin'; transferId: string; target: string }
  | { t: 'start'; repo: string; digest: string; size: number }
  | { t: 'blob'; repo: string; digest: string; size: number }
  | { t: 'manifest'; repo: string; digest: string };

export interface PushJournalContent {
  /** `repo@digest` → size of every blob recorded as confirmed. */
  blobs: Map<string, number>;
  /** `repo@digest` of every manifest recorded as confirmed. */
  manifests: Set<string>;
  /** `repo@digest` → size of blobs whose upload started but was never confirmed. */
  inFlight: Map<string, number>;
}

export function journalKey(repo: string, digest: string): string {
  return `${repo}@${digest}`;
}

function journalHash(transferId: string, target: string): string {
  return createHash('sha256').update(`${transferId}\n${target}`).digest('hex').slice(0, 16);
}

export function pushJournalPath(dir: string, transferId: string, target: string): string {
  return join(dir, `.ferry-push-${journalHash(transferId, target)}.jsonl`);
}

function pushLockPath(dir: string, transferId: string, target: string): string {
  return join(dir, `.ferry-pushing-${journalHash(transferId, target)}.lock`);
}

export class PushJournal {
  /** Lines waiting for the next commit, the commit under way, and the one they will go in. */
  private queued: string[] = [];
  private committing: Promise<void> = Promise.resolve();
  private next: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    private readonly lock: TransferLock,
  ) {}

  /** The stale lock of a push that died, taken over by this one. */
  get tookOverLock(): LockHolder | undefined {
    return this.lock.tookOver;
  }

  /** Opens (creating) the journal and returns what a previous run recorded; a torn last line is ignored. */
  static async open(dir: string, transferId: string, target: string): Promise<{ journal: PushJournal; previous: PushJournalContent }> {
    await mkdir(dir, { recursive: true });
    const path = pushJournalPath(dir, transferId, target);
    const lock = await TransferLock.acquire(pushLockPath(dir, transferId, target), 'ferry push');
    try {
      const previous = parse(
        await readConfined(path).then(
          (b) => b.toString('utf8'),
          (e: NodeJS.ErrnoException) => {
            if (e.code === 'ENOENT') return '';
            throw e;
          },
        ),
      );
      const journal = new PushJournal(path, await openConfined(path, 'append'), lock);
      if (previous.blobs.size === 0 && previous.manifests.size === 0 && previous.inFlight.size === 0) await journal.append({ t: 'begin', transferId, target });
      return { journal, previous };
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  /** Resolves once the record is on disk (synced). */
  append(record: PushJournalRecord): Promise<void> {
    this.queued.push(`${JSON.stringify(record)}\n`);
    if (!this.next) {
      // A failed commit fails its own appends only; the next one still runs.
      this.next = this.committing.catch(() => undefined).then(() => this.commit());
      this.committing = this.next;
    }
    return this.next;
  }

  private async commit(): Promise<void> {
    this.next = undefined;
    const lines = this.queued.splice(0);
    await this.fh.write(lines.join(''));
    await this.fh.datasync();
  }

  /** Closes the journal and lets another push of this transfer to this target run; safe to call more than once. */
  async close(): Promise<void> {
    await this.committing.catch(() => undefined);
    await this.fh.close().catch(() => undefined);
    await this.lock.release();
  }

  /** The push is complete (receipt written): nothing is left to resume. */
  async remove(): Promise<void> {
    await this.committing.catch(() => undefined);
    await this.fh.close().catch(() => undefined);
    await rm(this.path, { force: true });
    await this.lock.release();
  }
}

function parse(text: string): PushJournalContent {
  const content: PushJournalContent = { blobs: new Map(), manifests: new Set(), inFlight: new Map() };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let r: PushJournalRecord;
    try {
      r = JSON.parse(line) as PushJournalRecord;
    } catch {
      continue; // a torn append: that entry never counted, and everything is re-checked by HEAD anyway
    }
    if (r.t === 'start') content.inFlight.set(journalKey(r.repo, r.digest), r.size);
    else if (r.t === 'blob') {
      const key = journalKey(r.repo, r.digest);
      content.blobs.set(key, r.size);
      content.inFlight.delete(key);
    } else if (r.t === 'manifest') content.manifests.add(journalKey(r.repo, r.digest));
  }
  return content;
}
