import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { FerryError } from '../../../shared/errors';
import { FERRY_VERSION } from '../../../shared/version';
import { engineDefaultsFrom } from '../../jobs/engine-options';
import { defaultDataDir, startServe } from '../../serve';
import { addCommonOptions, type GlobalOptions } from '../program';

// The renderer electron-vite built: out/renderer from a checkout; beside out/cli in the built CLI.
const RENDERER_DIR = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../../out/renderer' : '../renderer', import.meta.url));

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new FerryError('USAGE', `--port wants a port number from 0 to 65535, not "${value}".`);
  return n;
}

/** The common engine options (--authfile, --ca-file, --cert-dir, --source-mirror, --parallel) apply to every job and call. */
interface ServeCliOptions extends GlobalOptions {
  port: number;
  host: string;
  rendererDir: string;
  dataDir?: string;
  graphUrl?: string;
  graphDataUrl?: string;
  signatureStore: string[];
  signatureKeyring?: string;
}

/** `ferry serve`: the desktop app's UI in a browser on loopback (DESIGN §4), for hosts without a desktop. */
export function register(program: Command): void {
  addCommonOptions(
    program
      .command('serve')
      .description('serve the Ferry UI on 127.0.0.1 with a one-time access token')
      .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').argParser(port).default(0))
      .option('--host <host>', 'loopback address to bind (127.0.0.1, ::1 or localhost)', '127.0.0.1')
      .option('--renderer-dir <dir>', 'built renderer to serve', RENDERER_DIR)
      .option('--data-dir <dir>', 'where job history is kept (env FERRY_DATA_DIR)')
      .option('--graph-url <url>', 'update service graph endpoint for the release picker (default: the public one)')
      .option('--graph-data-url <url>', "update service graph-data archive an export with the update graph builds its image from (default: the public one)")
      .option('--signature-store <url>', 'release signature store for exports (default: the public ones); repeatable', (v: string, p: string[]) => [...p, v], [] as string[])
      .option('--signature-keyring <file>', "OpenPGP keys release signatures must verify with (default: Red Hat's release keys)"),
  ).action(async (opts: ServeCliOptions) => {
    const serve = await startServe({
      host: opts.host,
      port: opts.port,
      rendererDir: opts.rendererDir,
      dataDir: opts.dataDir ?? defaultDataDir(),
      version: FERRY_VERSION,
      engine: engineDefaultsFrom(opts),
    });
    if (opts.json) process.stdout.write(`${JSON.stringify({ url: serve.url, port: serve.port })}\n`);
    else process.stdout.write(`Ferry is running. Open this address in a browser on this machine:\n\n  ${serve.url}\n\nPress Ctrl+C to stop.\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        void serve.close().then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });
}
