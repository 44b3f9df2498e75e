import { rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import type { TransferBlob, TransferVolume } from '../../../shared/transfer/manifest';
import type { AllocatorState } from './layout';
import { openConfined, readConfined, replaceConfined } from './confined-file';

/**
 * Append-only journal of a transfer being written: one JSON line per complete blob, fsync'ed before the
 * blob counts as written. After a crash it is the only thing trusted: resume truncates the open volume
 * to the end recorded by the last line and re-checks the volumes recorded as closed.
 */
export const JOURNAL_FILE = '.ferry-journal.jsonl';

/** What a run was asked to write, by label ("release", "images"…): a resume must be asked the same. */
export type PlanIdentity = Record<string, string | number | string[]>;

export interface JournalBegin {
  t: 'begin';
  id: string;
  createdAt: string;
  volumeSize: number;
  /** Absent in journals from before plans were recorded: only the volume size is compared then. */
  plan?: PlanIdentity;
}

export interface JournalBlob {
  t: 'blob';
  blob: TransferBlob;
  /** Allocator state after this blob: the open volume and where its complete entries end. */
  state: AllocatorState;
  /** Volumes closed (end-of-archive written, hashed) while writing this blob. */
  closed: TransferVolume[];
}

export interface JournalContent {
  begin: JournalBegin;
  blobs: JournalBlob[];
}

export class Journal {
  private constructor(private readonly fh: FileHandle) {}

  static async create(dir: string, begin: JournalBegin): Promise<Journal> {
    // 'truncate': a run killed before its begin line was written left an empty journal.
    const fh = await openConfined(join(dir, JOURNAL_FILE), 'truncate');
    const journal = new Journal(fh);
    await journal.append(begin);
    return journal;
  }

  static async reopen(dir: string): Promise<Journal> {
    return new Journal(await openConfined(join(dir, JOURNAL_FILE), 'append'));
  }

  append(record: JournalBegin | JournalBlob): Promise<void> {
    return this.appendAll([record]);
  }

  /** Several records made durable by one write and one fsync. */
  async appendAll(records: ReadonlyArray<JournalBegin | JournalBlob>): Promise<void> {
    await this.fh.write(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    await this.fh.datasync();
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  /** Replaces the journal with `begin` and the blobs kept (a resume that cut off damaged ones), atomically. */
  static async rewrite(dir: string, begin: JournalBegin, blobs: readonly JournalBlob[]): Promise<void> {
    await replaceConfined(join(dir, JOURNAL_FILE), [begin, ...blobs].map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  static async remove(dir: string): Promise<void> {
    await rm(join(dir, JOURNAL_FILE), { force: true });
  }

  /** The journal of `dir`, or undefined when there is none. A torn last line (crash mid-append) is ignored. */
  static async read(dir: string): Promise<JournalContent | undefined> {
    let text: string;
    try {
      text = (await readConfined(join(dir, JOURNAL_FILE))).toString('utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const lines = text.split('\n');
    const records: Array<JournalBegin | JournalBlob> = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line === '') continue;
      try {
        records.push(JSON.parse(line) as JournalBegin | JournalBlob);
      } catch {
        if (i === lines.length - 1) break; // torn final append: that blob never counted
        throw corrupt(dir, `line ${i + 1} is not valid JSON`);
      }
    }
    const [begin, ...rest] = records;
    if (begin === undefined) return undefined;
    if (begin.t !== 'begin') throw corrupt(dir, 'it does not start with a begin record');
    const blobs = rest.filter((r): r is JournalBlob => r.t === 'blob');
    return { begin, blobs };
  }
}

/** Each way `now` differs from `was`, one line per label; lists compare as sets. Empty when they agree. */
export function planDifferences(was: PlanIdentity, now: PlanIdentity): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
    const [a, b] = [was[key], now[key]];
    if (Array.isArray(a) || Array.isArray(b)) {
      const [sa, sb] = [new Set(listOf(a)), new Set(listOf(b))];
      const added = [...sb].filter((x) => !sa.has(x));
      const removed = [...sa].filter((x) => !sb.has(x));
      if (added.length || removed.length) out.push(`${key}: ${[...added.map((x) => `+ ${x}`), ...removed.map((x) => `- ${x}`)].join(', ')}`);
    } else if (a !== b) {
      out.push(`${key}: ${a ?? '(none)'} then, ${b ?? '(none)'} now`);
    }
  }
  return out;
}

function listOf(v: string | number | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
}

function corrupt(dir: string, why: string): FerryError {
  return new FerryError('MEDIA_CORRUPT', `The resume journal ${join(dir, JOURNAL_FILE)} is damaged: ${why}.`, {
    hint: 'The transfer cannot be resumed safely; delete the directory (or its ferry-*.tar files and the journal) and write it again.',
  });
}
