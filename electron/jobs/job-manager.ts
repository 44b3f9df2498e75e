import { randomUUID } from 'node:crypto';
import { FerryError, toEnvelope, type FerryErrorEnvelope } from '../../shared/errors';
import { isFinished, type Job, type JobStart, type JobState } from '../../shared/api/jobs';
import { withinTotals, type ProgressEvent } from '../../shared/progress';
import { Emitter } from './emitter';
import type { EngineDefaults } from './engine-options';
import type { JobHistory } from './history';
import { jobKey, jobTitle } from './job-titles';
import type { JobHost, WorkerChannel, WorkerToHost } from './protocol';
import type { ResolvedJob } from './resolve-secrets';
import { collectSecrets, redact } from './redact';

export interface JobManagerOptions {
  host: JobHost;
  history: JobHistory;
  /** Jobs running at once; the rest wait in the queue. */
  concurrency?: number;
  /** Fills in secrets named by reference (secretRef, pullSecretRef) just before the worker starts. */
  resolveSecrets?: (job: JobStart) => Promise<ResolvedJob>;
  /** Registry settings of the host (serve's --authfile, --ca-file, --cert-dir, --source-mirror) every job gets. */
  engineDefaults?: EngineDefaults;
  /** How long a cancelled worker gets to stop on its own before it is killed. */
  cancelGraceMs?: number;
}

interface Entry {
  job: Job;
  /** The request as given, secrets included; dropped once the worker has it. */
  request: JobStart | undefined;
  secrets: Set<string>;
  channel?: WorkerChannel;
  cancelRequested: boolean;
  /** What the worker reported; the job is finished with it once the process has exited. */
  outcome?: { state: JobState; report?: unknown; error?: FerryErrorEnvelope };
  settled: Promise<Job>;
  settle: (job: Job) => void;
}

/**
 * Queue, state machine and history of long jobs, independent of Electron: the same class serves the
 * desktop app (utilityProcess host) and `ferry serve` (child_process host). The UI only sees
 * redacted DTOs; a renderer reload re-attaches with `list()`.
 */
export class JobManager {
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new Emitter<Job>();
  private readonly progressed = new Emitter<{ id: string; progress: ProgressEvent }>();
  readonly onChanged = this.changed.event;
  readonly onProgress = this.progressed.event;
  private readonly concurrency: number;
  private readonly cancelGraceMs: number;

  private constructor(private readonly opts: JobManagerOptions) {
    this.concurrency = opts.concurrency ?? 1;
    this.cancelGraceMs = opts.cancelGraceMs ?? 5000;
  }

  /** Loads history; jobs that were live when Ferry last stopped are recorded as interrupted. */
  static async open(opts: JobManagerOptions): Promise<JobManager> {
    const manager = new JobManager(opts);
    for (const job of await opts.history.load()) {
      const entry = manager.addEntry(job, undefined);
      if (!isFinished(job.state)) {
        manager.finish(entry, 'failed', undefined, {
          code: 'CANCELLED',
          message: 'Ferry stopped while this job was running.',
          hint: 'Start the job again: transfers continue from what is already complete.',
        });
      } else {
        entry.settle(job);
      }
    }
    return manager;
  }

  start(request: JobStart): Job {
    const key = jobKey(request);
    const busy = [...this.entries.values()].find((e) => e.job.key === key && !isFinished(e.job.state));
    if (busy) {
      throw new FerryError('CONFLICT', `"${busy.job.title}" is already ${busy.job.state} on the same target.`, {
        hint: 'Wait for it to finish or cancel it before starting another job there.',
        details: { jobId: busy.job.id },
      });
    }
    const secrets = collectSecrets(request.params);
    const job: Job = {
      id: randomUUID(),
      kind: request.kind,
      key,
      title: jobTitle(request),
      state: 'queued',
      createdAt: new Date().toISOString(),
      params: redact(request.params as Record<string, unknown>, secrets),
    };
    const entry = this.addEntry(job, request);
    for (const s of secrets) entry.secrets.add(s);
    this.update(entry, {});
    this.pump();
    return job;
  }

  pause(id: string): Job {
    const entry = this.entry(id);
    if (entry.job.state !== 'running') throw this.wrongState(entry, 'paused');
    entry.channel?.send({ type: 'pause' });
    return this.update(entry, { state: 'paused' });
  }

  resume(id: string): Job {
    const entry = this.entry(id);
    if (entry.job.state !== 'paused') throw this.wrongState(entry, 'resumed');
    entry.channel?.send({ type: 'resume' });
    return this.update(entry, { state: 'running' });
  }

  /** A queued job is cancelled at once; a live one when its worker has stopped (killed after a grace period). */
  cancel(id: string): Job {
    const entry = this.entry(id);
    if (isFinished(entry.job.state)) throw this.wrongState(entry, 'cancelled');
    if (entry.job.state === 'queued') {
      return this.finish(entry, 'cancelled', undefined, { code: 'CANCELLED', message: 'Cancelled before it started.' });
    }
    if (!entry.cancelRequested) {
      entry.cancelRequested = true;
      entry.channel?.send({ type: 'cancel' });
      const timer = setTimeout(() => entry.channel?.kill(), this.cancelGraceMs);
      void entry.settled.then(() => clearTimeout(timer));
    }
    return entry.job;
  }

  list(): Job[] {
    return [...this.entries.values()].map((e) => e.job).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(id: string): Job {
    return this.entry(id).job;
  }

  /** Resolves with the job once it has reached a final state. */
  whenSettled(id: string): Promise<Job> {
    return this.entry(id).settled;
  }

  /** Stops every worker (app quit, serve shutdown); their jobs end as cancelled. */
  async dispose(): Promise<void> {
    const live = [...this.entries.values()].filter((e) => !isFinished(e.job.state));
    for (const e of live) {
      e.cancelRequested = true;
      if (e.channel) e.channel.kill();
      else this.finish(e, 'cancelled', undefined, { code: 'CANCELLED', message: 'Ferry stopped before this job started.' });
    }
    await Promise.all(live.map((e) => e.settled));
  }

  private addEntry(job: Job, request: JobStart | undefined): Entry {
    let settle!: (job: Job) => void;
    const settled = new Promise<Job>((resolve) => (settle = resolve));
    const entry: Entry = { job, request, secrets: new Set(), cancelRequested: false, settled, settle };
    this.entries.set(job.id, entry);
    return entry;
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new FerryError('NOT_FOUND', `There is no job with id ${id}.`, { hint: 'Refresh the job list.' });
    return entry;
  }

  private wrongState(entry: Entry, wanted: string): FerryError {
    return new FerryError('CONFLICT', `"${entry.job.title}" is ${entry.job.state} and cannot be ${wanted}.`);
  }

  private pump(): void {
    const live = [...this.entries.values()].filter((e) => e.job.state === 'running' || e.job.state === 'paused').length;
    const queued = [...this.entries.values()].filter((e) => e.job.state === 'queued').sort((a, b) => a.job.createdAt.localeCompare(b.job.createdAt));
    for (const entry of queued.slice(0, Math.max(this.concurrency - live, 0))) void this.launch(entry);
  }

  private async launch(entry: Entry): Promise<void> {
    const request = entry.request;
    entry.request = undefined;
    this.update(entry, { state: 'running', startedAt: new Date().toISOString() });
    if (!request) return void this.finish(entry, 'failed', undefined, { code: 'INTERNAL', message: 'The job lost its parameters.' });
    try {
      const resolved: ResolvedJob = this.opts.resolveSecrets ? await this.opts.resolveSecrets(request) : { job: request };
      collectSecrets(resolved, entry.secrets);
      if (entry.cancelRequested) return void this.finish(entry, 'cancelled', undefined, { code: 'CANCELLED', message: 'Cancelled before it started.' });
      const channel = this.opts.host.spawn(entry.job.id);
      entry.channel = channel;
      channel.onMessage((m) => this.onWorkerMessage(entry, m));
      channel.onExit((code) => {
        if (isFinished(entry.job.state)) return;
        if (entry.outcome) this.finish(entry, entry.outcome.state, entry.outcome.report, entry.outcome.error);
        else if (entry.cancelRequested) this.finish(entry, 'cancelled', undefined, { code: 'CANCELLED', message: 'The job was cancelled.' });
        else
          this.finish(entry, 'failed', undefined, {
            code: 'INTERNAL',
            message: `The worker running "${entry.job.title}" stopped unexpectedly (exit code ${code ?? 'none'}).`,
            hint: 'Start the job again; if it keeps failing, run the same operation with the ferry CLI to see its output.',
          });
      });
      channel.send({
        type: 'start',
        id: entry.job.id,
        job: resolved.job,
        ...(resolved.pullSecret ? { pullSecret: resolved.pullSecret } : {}),
        ...(resolved.signing ? { signingKey: resolved.signing.secret } : {}),
        ...(this.opts.engineDefaults ? { defaults: this.opts.engineDefaults } : {}),
      });
    } catch (e) {
      this.finish(entry, 'failed', undefined, toEnvelope(e));
    }
  }

  private onWorkerMessage(entry: Entry, message: WorkerToHost): void {
    if (isFinished(entry.job.state) || entry.outcome) return;
    switch (message.type) {
      case 'progress': {
        // Held within totals here too: the host shows whatever any worker sends, and a figure past its total is a lie to the operator.
        const progress = redact(withinTotals(message.progress), entry.secrets);
        entry.job = { ...entry.job, progress };
        this.progressed.fire({ id: entry.job.id, progress });
        return;
      }
      case 'done':
        return this.awaitExit(entry, { state: 'succeeded', report: message.report });
      case 'failed': {
        const cancelled = entry.cancelRequested && message.error.code === 'CANCELLED';
        return this.awaitExit(entry, { state: cancelled ? 'cancelled' : 'failed', error: message.error });
      }
    }
  }

  /** A job is final only when its worker is gone, so "done" never coexists with a process still writing. */
  private awaitExit(entry: Entry, outcome: NonNullable<Entry['outcome']>): void {
    entry.outcome = outcome;
    const channel = entry.channel;
    const timer = setTimeout(() => channel?.kill(), this.cancelGraceMs);
    void entry.settled.then(() => clearTimeout(timer));
  }

  private finish(entry: Entry, state: JobState, report: unknown, error: FerryErrorEnvelope | undefined): Job {
    const patch: Partial<Job> = { state, endedAt: new Date().toISOString() };
    if (report !== undefined) patch.report = redact(report, entry.secrets);
    if (error !== undefined) patch.error = redact(error, entry.secrets);
    const job = this.update(entry, patch);
    entry.channel = undefined;
    entry.settle(job);
    this.pump();
    return job;
  }

  private update(entry: Entry, patch: Partial<Job>): Job {
    entry.job = { ...entry.job, ...patch };
    const job = entry.job;
    this.changed.fire(job);
    // Persisting is best effort per change and strictly ordered per job by chaining.
    this.persist(job);
    return job;
  }

  private saving = new Map<string, Promise<void>>();

  private persist(job: Job): void {
    const previous = this.saving.get(job.id) ?? Promise.resolve();
    const next = previous.then(() => this.opts.history.save(job)).catch(() => undefined);
    this.saving.set(job.id, next);
  }

  /** Resolves when every history write issued so far has landed (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all(this.saving.values());
  }
}
