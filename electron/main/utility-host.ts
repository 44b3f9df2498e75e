import { utilityProcess } from 'electron';
import type { HostToWorker, JobHost, WorkerChannel, WorkerToHost } from '../jobs/protocol';
import { workerEnv } from '../jobs/worker-env';

/** Jobs in Electron utility processes (VS Code's utilityProcess wrapper, reduced to what Ferry needs). */
export function createUtilityHost(workerPath: string): JobHost {
  return {
    spawn(jobId: string): WorkerChannel {
      const child = utilityProcess.fork(workerPath, [], { serviceName: `ferry-job-${jobId.slice(0, 8)}`, env: workerEnv(), stdio: 'pipe' });
      const prefix = () => `[job ${jobId.slice(0, 8)} pid ${child.pid ?? '?'}]`;
      for (const stream of [child.stdout, child.stderr]) {
        stream?.setEncoding('utf8').on('data', (chunk: string) => {
          for (const line of chunk.split('\n')) if (line.trim()) console.error(`${prefix()} ${line}`);
        });
      }
      let exited = false;
      const exitListeners: Array<(code: number | null) => void> = [];
      child.once('exit', (code) => {
        exited = true;
        for (const l of exitListeners) l(code);
      });
      return {
        get pid() {
          return child.pid;
        },
        send(message: HostToWorker) {
          if (!exited) child.postMessage(message);
        },
        onMessage(listener: (message: WorkerToHost) => void) {
          child.on('message', (m: unknown) => listener(m as WorkerToHost));
        },
        onExit(listener) {
          exitListeners.push(listener);
        },
        kill() {
          if (!exited) child.kill();
        },
      };
    },
  };
}
