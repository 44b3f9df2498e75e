import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { repoRoot } from './cli';
import { track } from './processes';

/** Whole JSON lines of an append-only journal; a line being appended at this instant does not count yet. */
export async function journalLines<T = Record<string, unknown>>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').slice(0, -1).map((l) => JSON.parse(l) as T);
}

/** The real CLI (`entry`, the TypeScript sources by default) as a tracked child; stderr is collected. */
function startCli(args: readonly string[], entry?: string): { child: ChildProcess; stderr: () => string } {
  const argv = entry ? [entry, ...args] : ['--import', 'tsx', `${repoRoot}electron/cli/main.ts`, ...args];
  const child = spawn(process.execPath, argv, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  track(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return { child, stderr: () => stderr };
}

/**
 * Sends `signal` to the running CLI as soon as `ready()`, polled while it works, says so. Resolves once
 * sent; rejects if the command ends on its own first: then nothing was interrupted.
 */
function signalWhen(args: readonly string[], ready: () => Promise<boolean>, signal: NodeJS.Signals, entry?: string): Promise<{ child: ChildProcess; stderr: () => string }> {
  const run = startCli(args, entry);
  return new Promise((resolve, reject) => {
    let sent = false;
    const poll = setInterval(() => {
      void ready().then((yes) => {
        if (yes && !sent) {
          sent = true;
          clearInterval(poll);
          run.child.kill(signal);
          resolve(run);
        }
      });
    }, 15);
    run.child.on('exit', (code, sig) => {
      clearInterval(poll);
      if (!sent) reject(new Error(`ferry ${args[0]} ended (${code ?? sig}) before the ${signal} point: ${run.stderr().slice(-1000)}`));
    });
  });
}

/**
 * Runs the real CLI and SIGKILLs it as soon as `ready()` says so. Rejects if the command ends on its own
 * first: then nothing was interrupted.
 */
export async function killWhen(args: readonly string[], ready: () => Promise<boolean>, entry?: string): Promise<void> {
  const { child } = await signalWhen(args, ready, 'SIGKILL', entry);
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

/**
 * Runs the real CLI and SIGSTOPs it as soon as `ready()` says so: it stays alive, holding whatever it
 * holds (its lock), until `resume()` lets it go on; `resume()` resolves with its exit code and stderr.
 */
export async function pauseWhen(args: readonly string[], ready: () => Promise<boolean>): Promise<{ pid: number; resume(): Promise<{ code: number | null; stderr: string }> }> {
  const { child, stderr } = await signalWhen(args, ready, 'SIGSTOP');
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    pid: child.pid!,
    resume: async () => {
      child.kill('SIGCONT');
      const [code] = await exited;
      return { code, stderr: stderr() };
    },
  };
}
