import { rm } from 'node:fs/promises';
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
