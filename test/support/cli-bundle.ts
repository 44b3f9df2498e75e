import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../../scripts/build-cli';
import { runToExit, type ExitResult } from './processes';

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

export interface MeasuredRun extends ExitResult {
  /** The child's peak RSS (KiB), from test/support/report-rss.mjs. */
  peakKiB: number;
}

/** Runs the built CLI in a child whose peak RSS is measured (written to `rssFile` at its exit). */
export async function runWithRss(cli: CliBundle, args: readonly string[], rssFile: string, env: NodeJS.ProcessEnv = {}): Promise<MeasuredRun> {
  const run = await runToExit(process.execPath, ['--import', join(root, 'test/support/report-rss.mjs'), cli.entry, ...args], {
    cwd: root,
    env: { ...process.env, ...env, FERRY_RSS_FILE: rssFile },
  });
  try {
    return { ...run, peakKiB: Number(await readFile(rssFile, 'utf8')) };
  } catch (e) {
    throw new Error(`no peak RSS from the child (exit ${run.code}): ${(e as Error).message}\n${run.stderr}`, { cause: e });
  }
}
