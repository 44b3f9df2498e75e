// The timing machinery every bench scenario shares: commands run as child processes, timed after a
// sync, repeated with the tools taking turns, summarised by their median.
import { spawn } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface ToolRun {
  /** The median of `runs`. */
  seconds: number;
  runs: number[];
  peakRssMiB?: number;
}

export function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

/** Times `fn`, after flushing dirty pages so no run pays for the writeback of what ran before it. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  await exec('sync', []);
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

/**
 * skopeo records where it pushed each blob (containers/image's blob info cache) and next time mounts
 * the blob from there instead of sending it: a second push of the same content to a fresh namespace
 * took 1.4 s instead of 4.9. Every skopeo run here starts without that memory, as the first one did;
 * the operator's own cache is put aside for the bench and restored after it.
 */
const BLOB_INFO_CACHES = ['blob-info-cache-v1.boltdb', 'blob-info-cache-v1.sqlite'].map((f) =>
  join(process.getuid?.() === 0 ? '/var/lib/containers/cache' : join(homedir(), '.local/share/containers/cache'), f),
);
const SAVED = '.ferry-bench-saved';

export const skopeoCache = {
  async putAside(): Promise<void> {
    for (const f of BLOB_INFO_CACHES) await rename(f, f + SAVED).catch(() => undefined);
  },
  async forget(): Promise<void> {
    for (const f of BLOB_INFO_CACHES) await rm(f, { force: true });
  },
  async restore(): Promise<void> {
    for (const f of BLOB_INFO_CACHES) await rename(f + SAVED, f).catch(() => rm(f, { force: true }));
  },
};

/** Times of one command over the repetitions, with Ferry's peak RSS (MiB) where it was measured. */
export class Runs {
  readonly seconds: number[] = [];
  private rss: number[] = [];

  async time(fn: () => Promise<unknown>): Promise<void> {
    const r = await timed(fn);
    this.seconds.push(r.seconds);
    if (typeof r.value === 'number') this.rss.push(r.value);
  }

  result(): ToolRun {
    const sorted = [...this.seconds].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    return { seconds: median, runs: this.seconds, ...(this.rss.length ? { peakRssMiB: Math.max(...this.rss) } : {}) };
  }
}
