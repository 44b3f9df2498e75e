import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The CLI as built JavaScript, as it ships (not through the tsx loader, whose TypeScript caches
 * alone take ~40 MB): one ESM entry plus a chunk per lazily loaded command module (code splitting
 * keeps `import()` lazy, so a command loads only its own packages). Packages stay external and the
 * output lives inside node_modules so they resolve from the checkout. For tests and the bench that
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
  await build({
    entryPoints: { main: join(root, 'electron/cli/main.ts') },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  return { entry: join(outdir, 'main.mjs'), remove: () => rm(outdir, { recursive: true, force: true }) };
}
