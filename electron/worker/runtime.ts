import { FerryError, toEnvelope } from '../../shared/errors';
import type { JobKind, JobParams } from '../../shared/api/jobs';
import { withinTotals, type ProgressEvent } from '../../shared/progress';
import { NO_ENGINE_DEFAULTS, type EngineDefaults } from '../jobs/engine-options';
import { PauseGate } from '../jobs/pause-gate';
import type { HostToWorker, WorkerToHost } from '../jobs/protocol';

/** What a job runner gets from the worker: cancellation, progress, and the pause point. */
export interface JobContext {
  readonly id: string;
  readonly signal: AbortSignal;
  /** The pull secret named by the job's `pullSecretRef` (in memory only; give it to the engine, never log it). */
  readonly pullSecret: string | undefined;
  /** The host's transfer-signing key (PKCS#8 PEM) for an export; in memory only, like the pull secret. */
  readonly signingKey?: string | undefined;
  /** The host's registry settings (serve's --authfile, --ca-file, --cert-dir, --source-mirror). */
  readonly defaults: EngineDefaults;
  onProgress(event: ProgressEvent): void;
  /** Await between units of work (blobs, images): waits while paused, throws once cancelled. */
  checkpoint(): Promise<void>;
}

export type JobRunner<K extends JobKind> = (params: JobParams<K>, ctx: JobContext) => Promise<unknown>;
/** One runner per job kind; a kind without one fails with UNSUPPORTED. */
export type JobRunners = { [K in JobKind]?: JobRunner<K> };

/** The parent link: Electron's `process.parentPort` in a utilityProcess, Node IPC under child_process.fork. */
interface ParentLink {
  post(message: WorkerToHost): void;
  listen(listener: (message: HostToWorker) => void): void;
}

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

function parentLink(): ParentLink {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (port) {
    return { post: (m) => port.postMessage(m), listen: (l) => port.on('message', (e) => l(e.data as HostToWorker)) };
  }
  if (!process.send) throw new Error('The Ferry worker must be started by the job manager.');
  return {
    post: (m) => process.send!(m),
    listen: (l) => process.on('message', (m) => l(m as HostToWorker)),
  };
}

/** Engines may report progress per chunk; the UI needs a few updates a second at most. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * Runs exactly one job in this process and exits: receives `start`, calls the runner with a context
 * wired to pause/resume/cancel messages, answers `done` or `failed`. Errors cross as envelopes.
 */
export function runWorker(runners: JobRunners): void {
  const link = parentLink();
  const controller = new AbortController();
  const gate = new PauseGate();
  let started = false;
  let lastSent = 0;
  let pending: ProgressEvent | undefined;

  const flushProgress = () => {
    if (pending) link.post({ type: 'progress', progress: pending });
    pending = undefined;
    lastSent = Date.now();
  };

  const finish = (message: WorkerToHost) => {
    flushProgress();
    link.post(message);
    // Let the IPC message drain before exiting.
    setTimeout(() => process.exit(0), 50);
  };

  link.listen(async (message) => {
    switch (message.type) {
      case 'pause':
        return gate.pause();
      case 'resume':
        return gate.resume();
      case 'cancel':
        return controller.abort(new FerryError('CANCELLED', 'The job was cancelled.'));
      case 'start': {
        if (started) return;
        started = true;
        const runner = runners[message.job.kind] as JobRunner<JobKind> | undefined;
        const ctx: JobContext = {
          id: message.id,
          signal: controller.signal,
          pullSecret: message.pullSecret,
          signingKey: message.signingKey,
          defaults: message.defaults ?? NO_ENGINE_DEFAULTS,
          onProgress(event) {
            pending = withinTotals(event);
            if (Date.now() - lastSent >= PROGRESS_INTERVAL_MS) flushProgress();
          },
          checkpoint: () => gate.wait(controller.signal),
        };
        try {
          if (!runner) {
            throw new FerryError('UNSUPPORTED', `${message.job.kind} jobs are not yet available in this build.`, {
              hint: 'Use the ferry CLI for this operation for now.',
            });
          }
          const report = await runner(message.job.params as JobParams<JobKind>, ctx);
          finish({ type: 'done', report: report ?? null });
        } catch (e) {
          const aborted = controller.signal.aborted;
          finish({ type: 'failed', error: aborted ? { code: 'CANCELLED', message: 'The job was cancelled.' } : toEnvelope(e) });
        }
      }
    }
  });
}
