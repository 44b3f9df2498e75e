import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { repoRoot } from './cli';
import { track } from './processes';

/** Whole JSON lines of an append-only journal; a line being appended at this instant does not count yet. */
export async function journalLines<T = Record<string, unknown>>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').slice(0, -1).map((l) => JSON.parse(l) as T);
}

/**
 * Runs the real CLI (`entry`, the TypeScript sources by default) and SIGKILLs it as soon as `ready()`,
 * polled while it works, says so. Rejects if the command ends on its own first: then nothing was interrupted.
 */
export function killWhen(args: readonly string[], ready: () => Promise<boolean>, entry?: string): Promise<void> {
  const argv = entry ? [entry, ...args] : ['--import', 'tsx', `${repoRoot}electron/cli/main.ts`, ...args];
  const child = spawn(process.execPath, argv, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  track(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    let killed = false;
    const poll = setInterval(() => {
      void ready().then((yes) => {
        if (yes && !killed) {
          killed = true;
          clearInterval(poll);
          child.kill('SIGKILL');
        }
      });
    }, 15);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      if (killed && signal === 'SIGKILL') resolve();
      else reject(new Error(`ferry ${args[0]} ended (${code ?? signal}) before the kill point: ${stderr.slice(-1000)}`));
    });
  });
}
