// Builds the `ferry` command as it ships (package.json "bin"): out/cli/ferry.mjs, the job worker
// beside it, and a chunk per lazily loaded command module (code splitting keeps `import()` lazy, so
// a command loads only its own packages). Packages stay external: npm installs them with the CLI.
// Started as plain JavaScript, `ferry --version` skips tsx's TypeScript transform (about 2 s).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildCli(outdir: string): Promise<string> {
  await build({
    entryPoints: { ferry: join(root, 'electron/cli/main.ts'), worker: join(root, 'electron/worker/index.ts') },
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    outdir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  return join(outdir, 'ferry.mjs');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli(join(root, 'out', 'cli'));
