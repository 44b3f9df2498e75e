import { CommanderError } from 'commander';
import { reportError } from './output';
import { buildProgram } from './program';

/**
 * Runs the `ferry` CLI over `argv` (node-style: argv[2] is the command) and resolves to its exit
 * status. One entry for every host of the CLI: the npm-installed `ferry` and the desktop app's own
 * binary started with a command (electron/main/cli-launch.ts).
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e: unknown) {
    // commander has already printed help or the usage error.
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    return reportError(e, argv.includes('--json'));
  }
}
