import { type Command, Option } from 'commander';
import { DEFAULT_PARALLEL, NEAR_ROUND_TRIP_MS } from '../engine/context';

/**
 * The registry options every command takes (DESIGN §4), in a module of their own so that the desktop
 * app's launch options (electron/host/launch-options.ts) parse them without loading the CLI.
 */
export interface GlobalOptions {
  authfile?: string;
  caFile: string[];
  certDir?: string;
  proxy?: string;
  sourceMirror: string[];
  json: boolean;
  parallel: number;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--parallel wants a whole number from 1 to 64, not "${value}"`);
  return n;
}

/** Options every command accepts (DESIGN §4). Added to each subcommand so they may follow it. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--authfile <file>', 'registry credentials (auth.json / pull secret)')
    .option('--ca-file <file>', 'trust this CA (PEM or DER) for registry TLS; repeatable', collect, [])
    .option('--cert-dir <dir>', 'directory with HOST:PORT/*.crt trust files (like certs.d)')
    .option('--proxy <url>', 'HTTP(S) proxy for every connection, instead of HTTPS_PROXY/HTTP_PROXY (NO_PROXY still applies)')
    .option('--source-mirror <from=to>', 'fetch content for references under FROM from TO; repeatable', collect, [])
    .option('--json', 'machine-readable output', false)
    .addOption(new Option('--parallel <n>', `concurrent transfers (fewer from a registry that answers within ${NEAR_ROUND_TRIP_MS} ms, where more only cost CPU)`).argParser(positiveInt).default(DEFAULT_PARALLEL));
}
