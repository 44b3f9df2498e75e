import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostToWorker, JobHost, WorkerChannel, WorkerToHost } from './protocol';
import { exitTracker, forwardWorkerLogs, workerEnv } from './worker-env';

export interface ForkHostOptions {
  /** Worker entry; defaults to this build's worker (see DEFAULT_ENTRY). */
  entry?: string;
  /** Prefix for the worker's log lines on the parent's stderr. */
  log?: (line: string) => void;
}

// From a checkout the worker is TypeScript run through tsx; in the built CLI (out/cli/*.mjs, what
// `npm install -g` gives) it is the bundled worker.mjs beside this chunk, and tsx is not installed.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const DEFAULT_ENTRY = fileURLToPath(new URL(FROM_SOURCE ? '../worker/index.ts' : './worker.mjs', import.meta.url));

/** Jobs in `child_process.fork` workers: serve mode and tests (no Electron needed). */
export function createForkHost(opts: ForkHostOptions = {}): JobHost {
  const entry = opts.entry ?? DEFAULT_ENTRY;
  const log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
  return {
    spawn(jobId: string): WorkerChannel {
      const child = fork(entry, [], {
        // tsx is resolved here rather than by the child, so the worker loads TypeScript whatever its cwd.
        execArgv: entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [],
        env: workerEnv(),
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'advanced',
      });
      forwardWorkerLogs([child.stdout, child.stderr], () => `[job ${jobId.slice(0, 8)} pid ${child.pid}]`, log);
      const exit = exitTracker();
      child.once('exit', (code) => exit.exit(code));
      return {
        pid: child.pid,
        send(message: HostToWorker) {
          if (!exit.exited && child.connected) child.send(message);
        },
        onMessage(listener: (message: WorkerToHost) => void) {
          child.on('message', (m) => listener(m as WorkerToHost));
        },
        onExit(listener) {
          exit.listeners.push(listener);
        },
        kill() {
          if (!exit.exited) child.kill('SIGKILL');
        },
      };
    },
  };
}
