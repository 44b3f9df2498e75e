import { Command, Option } from 'commander';
import { FERRY_VERSION } from '../../shared/version';
import { commands } from './commands';

export interface GlobalOptions {
  authfile?: string;
  caFile: string[];
  certDir?: string;
  sourceMirror: string[];
  json: boolean;
  parallel: number;
}

function collect(value: string, previous: string[]): string[] {
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
    .option('--source-mirror <from=to>', 'fetch content for references under FROM from TO; repeatable', collect, [])
    .option('--json', 'machine-readable output', false)
    .addOption(new Option('--parallel <n>', 'concurrent transfers').argParser(positiveInt).default(4));
}

/**
 * The program with the modules `argv` needs: the one(s) registering its command, or all of them
 * for help, a leading option or an unknown command (commander then lists or suggests them all).
 */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('ferry')
    .description('Move OpenShift releases and container images across an air gap, verified.')
    .version(FERRY_VERSION, '-V, --version', 'print the version')
    // Root options only before the command: `release info --version 4.15.3` is the command's own option.
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  const name = argv[2];
  if (name === '-V' || name === '--version') return program;
  const wanted = commands.filter((c) => name !== undefined && c.names.includes(name));
  for (const mod of wanted.length ? wanted : commands) (await mod.load()).register(program);
  return program;
}
