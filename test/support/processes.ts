import { execFile, spawn, type ChildProcess } from 'node:child_process';

/** Children started by the harness that are still alive; killed on any way out of the test process. */
const live = new Set<ChildProcess>();
let guardsInstalled = false;

function killAllNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

function installGuards(): void {
  if (guardsInstalled) return;
  guardsInstalled = true;
  process.on('exit', killAllNow);
  // A signal skips 'exit' handlers: kill the children, then die of the same signal as before.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllNow();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Registers a child so that it cannot outlive the test process. */
export function track(child: ChildProcess): void {
  installGuards();
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export function stopProcess(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    live.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      live.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; a non-zero exit rejects with the command's stderr in the message. */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { ...opts, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        const err = new Error(`${cmd} ${args.join(' ')} failed (${error.code ?? error.signal}): ${stderr.trim() || error.message}`, {
          cause: error,
        });
        Object.assign(err, { stdout, stderr, exitCode: error.code });
        reject(err);
      } else {
        resolve({ stdout, stderr });
      }
    });
    // Nothing the harness runs reads input; an open stdin would keep tools like `openssl s_client` waiting.
    child.stdin?.end();
  });
}

export interface ExitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its exit and resolves with its code and output whatever the code: for the CLI under
 * test, whose failures are the behaviour being asserted. `input` is written to its stdin, which is closed.
 */
export function runToExit(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<ExitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
