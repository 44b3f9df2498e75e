import type { FerryErrorEnvelope } from '../../shared/errors';
import type { ProgressEvent } from '../../shared/progress';
import type { JobKind, JobStart } from '../../shared/api/jobs';
import type { EngineDefaults } from './engine-options';

/**
 * Messages between the job manager and a worker process (one worker per job). The start message
 * carries the parameters with secrets resolved: it travels over IPC only and is never persisted.
 */
export type HostToWorker =
  | { type: 'start'; id: string; job: JobStart; pullSecret?: string; signingKey?: string; defaults?: EngineDefaults }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel' };

export type WorkerToHost =
  | { type: 'progress'; progress: ProgressEvent }
  | { type: 'done'; report: unknown }
  | { type: 'failed'; error: FerryErrorEnvelope };

export type { JobKind };

/** How a job leaves the privileged process: utilityProcess in Electron, child_process in serve mode. */
export interface WorkerChannel {
  readonly pid: number | undefined;
  send(message: HostToWorker): void;
  onMessage(listener: (message: WorkerToHost) => void): void;
  /** Called once when the process is gone, however it ended. */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export interface JobHost {
  spawn(jobId: string): WorkerChannel;
}
