import { Command } from 'commander';
import { FERRY_VERSION } from '../../shared/version';
import { commands } from './commands';

export { addCommonOptions, type GlobalOptions } from '../host/common-options';

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
