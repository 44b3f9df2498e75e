import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real `ferry` CLI as a child process, exactly as an operator runs it. One helper for every test. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function ferry(args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `${repoRoot}electron/cli/main.ts`, ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Common engine flags for a test world: its auth file and CA trust. */
export function worldFlags(world: { authfile: string; ca: { certPath: string } }): string[] {
  return ['--authfile', world.authfile, '--ca-file', world.ca.certPath];
}
