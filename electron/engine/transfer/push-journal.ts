import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The journal of a push: one fsync'ed JSON line when a blob upload starts and when a blob or manifest
 * is confirmed in the mirror. A killed push run again reads it, re-checks every confirmed entry with
 * HEAD (the journal is a hint, never proof) and skips what the mirror holds; blobs started but never
 * confirmed are the ones that were in flight. One journal per transfer and target, removed once the
 * push has fully succeeded.
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

export function pushJournalPath(dir: string, transferId: string, target: string): string {
  const hash = createHash('sha256').update(`${transferId}\n${target}`).digest('hex').slice(0, 16);
  return join(dir, `.ferry-push-${hash}.jsonl`);
}

export class PushJournal {
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}

  /** Opens (creating) the journal and returns what a previous run recorded; a torn last line is ignored. */
  static async open(dir: string, transferId: string, target: string): Promise<{ journal: PushJournal; previous: PushJournalContent }> {
    await mkdir(dir, { recursive: true });
    const path = pushJournalPath(dir, transferId, target);
    const previous = parse(await readFile(path, 'utf8').catch(() => ''));
    const journal = new PushJournal(path, await open(path, 'a', 0o644));
    if (previous.blobs.size === 0 && previous.manifests.size === 0 && previous.inFlight.size === 0) await journal.append({ t: 'begin', transferId, target });
    return { journal, previous };
  }

  async append(record: PushJournalRecord): Promise<void> {
    await this.fh.write(`${JSON.stringify(record)}\n`);
    await this.fh.datasync();
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }

  /** The push is complete (receipt written): nothing is left to resume. */
  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
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
