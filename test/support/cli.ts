import { fileURLToPath } from 'node:url';
import { runToExit, type ExitResult } from './processes';

/** The real `ferry` CLI as a child process, exactly as an operator runs it. One helper for every test. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export type CliResult = ExitResult;

export function ferry(args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return runToExit(process.execPath, ['--import', 'tsx', `${repoRoot}electron/cli/main.ts`, ...args], { ...opts, cwd: opts.cwd ?? repoRoot });
}

/** Common engine flags for a test world: its auth file and CA trust. */
export function worldFlags(world: { authfile: string; ca: { certPath: string } }): string[] {
  return ['--authfile', world.authfile, '--ca-file', world.ca.certPath];
}
