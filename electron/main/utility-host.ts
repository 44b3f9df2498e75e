import { utilityProcess } from 'electron';
import type { HostToWorker, JobHost, WorkerChannel, WorkerToHost } from '../jobs/protocol';
import { exitTracker, forwardWorkerLogs, workerEnv } from '../jobs/worker-env';

/** Jobs in Electron utility processes (VS Code's utilityProcess wrapper, reduced to what Ferry needs). */
export function createUtilityHost(workerPath: string): JobHost {
  return {
    spawn(jobId: string): WorkerChannel {
      const child = utilityProcess.fork(workerPath, [], { serviceName: `ferry-job-${jobId.slice(0, 8)}`, env: workerEnv(), stdio: 'pipe' });
      forwardWorkerLogs([child.stdout, child.stderr], () => `[job ${jobId.slice(0, 8)} pid ${child.pid ?? '?'}]`, (line) => console.error(line));
      const exit = exitTracker();
      child.once('exit', (code) => exit.exit(code));
      return {
        get pid() {
          return child.pid;
        },
        send(message: HostToWorker) {
          if (!exit.exited) child.postMessage(message);
        },
        onMessage(listener: (message: WorkerToHost) => void) {
          child.on('message', (m: unknown) => listener(m as WorkerToHost));
        },
        onExit(listener) {
          exit.listeners.push(listener);
        },
        kill() {
          if (!exit.exited) child.kill();
        },
      };
    },
  };
}
