import { commands } from '../cli/commands';

/**
 * The desktop app's binary is also the `ferry` command, as VS Code's binary is `code`: the deb and
 * rpm link it as /usr/bin/ferry, and `ferry mirror …` should run the CLI, not open a window. A
 * command name (or --version/--help) as the first argument means the CLI; anything else, including
 * the app's own launch options (--ca-file …), opens the app. `serve` is left to the window: the app
 * is that UI, and serve's job workers need a plain Node (the RunAsNode fuse is off in the package).
 *
 * Returns node-style argv for `runCli` (argv[2] is the command), or undefined for the app.
 */
export function cliInvocation(args: readonly string[]): string[] | undefined {
  const first = args[0];
  if (first === undefined) return undefined;
  const cli =
    ['--version', '-V', '--help', '-h', 'help'].includes(first) ||
    commands.some((c) => c.names.includes(first) && !c.names.includes('serve'));
  return cli ? ['ferry', 'ferry', ...args] : undefined;
}
