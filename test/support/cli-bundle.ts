import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../../scripts/build-cli';

/**
 * The CLI as built JavaScript, as it ships (not through the tsx loader, whose TypeScript caches
 * alone take ~40 MB), built the way `npm run build` builds it. The output lives inside
 * node_modules so its external packages resolve from the checkout. For tests and the bench that
 * measure the CLI's time and peak memory in a child process.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

export interface CliBundle {
  /** `node <entry> ARGS` runs the CLI. */
  entry: string;
  remove(): Promise<void>;
}

export async function buildCliBundle(name: string): Promise<CliBundle> {
  const outdir = join(root, 'node_modules', '.cache', 'ferry-cli', `${name}-${process.pid}`);
  return { entry: await buildCli(outdir), remove: () => rm(outdir, { recursive: true, force: true }) };
}

export interface MeasuredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The child's peak RSS (KiB), from test/support/report-rss.mjs. */
  peakKiB: number;
}

/** Runs the built CLI in a child whose peak RSS is measured (written to `rssFile` at its exit). */
export function runWithRss(cli: CliBundle, args: readonly string[], rssFile: string, env: NodeJS.ProcessEnv = {}): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', join(root, 'test/support/report-rss.mjs'), cli.entry, ...args], {
      cwd: root,
      env: { ...process.env, ...env, FERRY_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      readFile(rssFile, 'utf8').then(
        (kib) => resolve({ code, stdout, stderr, peakKiB: Number(kib) }),
        (e: unknown) => reject(new Error(`no peak RSS from the child (exit ${code}): ${(e as Error).message}\n${stderr}`)),
      );
    });
  });
}
