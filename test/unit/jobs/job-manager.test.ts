import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobManager } from '../../../electron/jobs/job-manager';
import { JobHistory } from '../../../electron/jobs/history';
import { createForkHost } from '../../../electron/jobs/fork-host';
import type { JobStart } from '../../../shared/api/jobs';
import type { ProgressEvent } from '../../../shared/progress';

const worker = fileURLToPath(new URL('./fixtures/counting-worker.ts', import.meta.url));
const PASSWORD = 'pa55-Very-Secret-9f2c';

function countJob(steps: number, destination: string, password?: string, overshoot = false): JobStart {
  return {
    kind: 'copy',
    params: {
      source: `count:${steps}${overshoot ? ':overshoot' : ''}`,
      destination,
      credentials: password ? [{ registry: '127.0.0.1:5000', username: 'alice', password }] : [],
      caPems: [],
    },
  };
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the first progress event of job `id` that satisfies `pred`. */
function progressWhere(manager: JobManager, id: string, pred: (p: ProgressEvent) => boolean): Promise<ProgressEvent> {
  return new Promise((resolve) => {
    const off = manager.onProgress((e) => {
      if (e.id === id && pred(e.progress)) {
        off();
        resolve(e.progress);
      }
    });
  });
}

describe('JobManager with real worker processes', () => {
  let dir: string;
  let manager: JobManager;
  const pids: number[] = [];
  const seen: ProgressEvent[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-jobs-'));
    const host = createForkHost({ entry: worker, log: () => {} });
    // Record worker pids so the test can prove each process is gone.
    const spying = { spawn: (id: string) => { const ch = host.spawn(id); if (ch.pid) pids.push(ch.pid); return ch; } };
    manager = await JobManager.open({ host: spying, history: new JobHistory(join(dir, 'jobs')), concurrency: 2, cancelGraceMs: 3000 });
    manager.onProgress((e) => seen.push(e.progress));
  });

  after(async () => {
    await manager.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a job to success with progress and a report', async () => {
    const job = manager.start(countJob(5, 'dest-a'));
    assert.equal(job.state, 'queued');
    const done = await manager.whenSettled(job.id);
    assert.equal(done.state, 'succeeded');
    assert.deepEqual((done.report as { counted: number }).counted, 5);
    assert.equal(done.progress?.itemsDone, 5);
  });

  it('holds figures a worker counts past their totals at the totals', async () => {
    const job = manager.start(countJob(6, 'dest-over', undefined, true));
    const done = await manager.whenSettled(job.id);
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(
      [done.progress?.bytesDone, done.progress?.bytesTotal, done.progress?.itemsDone, done.progress?.itemsTotal],
      [6, 6, 6, 6],
    );
  });

  it('pauses, resumes and finishes a job', async () => {
    const job = manager.start(countJob(40, 'dest-b'));
    await progressWhere(manager, job.id, (p) => p.itemsDone >= 3);
    const paused = manager.pause(job.id);
    assert.equal(paused.state, 'paused');
    // Whatever was in flight may land; after that the count must stand still while paused.
    await new Promise((r) => setTimeout(r, 150));
    const settledAt = manager.get(job.id).progress?.itemsDone ?? 0;
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(manager.get(job.id).progress?.itemsDone, settledAt, 'no progress while paused');
    assert.ok(settledAt < 40);
    assert.throws(() => manager.pause(job.id), { code: 'CONFLICT' });
    assert.equal(manager.resume(job.id).state, 'running');
    const done = await manager.whenSettled(job.id);
    assert.equal(done.state, 'succeeded');
    assert.equal((done.report as { counted: number }).counted, 40);
  });

  it('cancels a running job and its worker process ends', async () => {
    const job = manager.start(countJob(1000, 'dest-c'));
    await progressWhere(manager, job.id, (p) => p.itemsDone >= 2);
    manager.cancel(job.id);
    const done = await manager.whenSettled(job.id);
    assert.equal(done.state, 'cancelled');
    assert.equal(done.error?.code, 'CANCELLED');
    assert.ok((done.progress?.itemsDone ?? 0) < 1000);
    // A job is settled only once its worker has exited.
    assert.ok(pids.length > 0 && pids.every((pid) => !alive(pid)), 'no worker outlives its job');
  });

  it('cancels a paused job', async () => {
    const job = manager.start(countJob(1000, 'dest-d'));
    await progressWhere(manager, job.id, (p) => p.itemsDone >= 1);
    manager.pause(job.id);
    manager.cancel(job.id);
    assert.equal((await manager.whenSettled(job.id)).state, 'cancelled');
  });

  it('refuses a second live job on the same target', async () => {
    const first = manager.start(countJob(1000, 'dest-e'));
    assert.throws(() => manager.start(countJob(3, 'dest-e')), (e: Error & { code?: string }) => e.code === 'CONFLICT' && /already/.test(e.message));
    manager.cancel(first.id);
    await manager.whenSettled(first.id);
    const again = manager.start(countJob(2, 'dest-e'));
    assert.equal((await manager.whenSettled(again.id)).state, 'succeeded');
  });

  it('queues beyond the concurrency limit and cancels a queued job at once', async () => {
    const a = manager.start(countJob(1000, 'q-a'));
    const b = manager.start(countJob(1000, 'q-b'));
    const c = manager.start(countJob(5, 'q-c'));
    assert.equal(manager.get(c.id).state, 'queued');
    assert.equal(manager.cancel(c.id).state, 'cancelled');
    manager.cancel(a.id);
    manager.cancel(b.id);
    await Promise.all([manager.whenSettled(a.id), manager.whenSettled(b.id)]);
  });

  it('fails a job whose kind has no runner with UNSUPPORTED', async () => {
    const job = manager.start({ kind: 'verify', params: { dir: join(dir, 'nothing'), trust: [], allowUnsigned: false, allowUntrusted: false, credentials: [], caPems: [] } });
    const done = await manager.whenSettled(job.id);
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'UNSUPPORTED');
  });

  it('keeps no secret in job history files', async () => {
    const job = manager.start(countJob(3, 'dest-secret', PASSWORD));
    assert.equal((job.params.credentials as Array<{ password: string }>)[0]?.password, '[redacted]');
    const done = await manager.whenSettled(job.id);
    assert.equal(done.state, 'succeeded');
    assert.match(String((done.report as { note: string }).note), /\[redacted\]/);
    await manager.flush();
    const historyDir = join(dir, 'jobs');
    const files = await readdir(historyDir);
    assert.ok(files.includes(`${job.id}.json`));
    for (const f of files) {
      const text = await readFile(join(historyDir, f), 'utf8');
      assert.ok(!text.includes(PASSWORD), `${f} must not contain the password`);
    }
    assert.ok(!JSON.stringify(manager.list()).includes(PASSWORD));
  });

  it('reloads history and records jobs that were live at shutdown as interrupted', async () => {
    await manager.flush();
    const historyDir = join(dir, 'jobs');
    const live = { ...manager.list()[0]!, id: 'interrupted-1', key: 'copy:elsewhere', state: 'running' };
    await writeFile(join(historyDir, 'interrupted-1.json'), JSON.stringify(live));
    const reopened = await JobManager.open({ host: createForkHost({ entry: worker }), history: new JobHistory(historyDir) });
    const ids = reopened.list().map((j) => j.id);
    for (const j of manager.list()) assert.ok(ids.includes(j.id), 'every past job is in the reloaded history');
    const interrupted = reopened.get('interrupted-1');
    assert.equal(interrupted.state, 'failed');
    assert.match(interrupted.error?.message ?? '', /stopped while this job was running/);
    await reopened.dispose();
  });

  it('hands the UI a few events of an engine that reports every chunk, the last of them the final figures', async () => {
    const job = manager.start({ ...countJob(1, 'dest-burst'), params: { ...countJob(1, 'dest-burst').params, source: 'burst:20000' } } as JobStart);
    const events: ProgressEvent[] = [];
    const off = manager.onProgress((e) => e.id === job.id && events.push(e.progress));
    const done = await manager.whenSettled(job.id);
    off();
    assert.equal(done.state, 'succeeded');
    assert.ok(events.length >= 1 && events.length <= 50, `${events.length} of 20000 events crossed`);
    assert.equal(done.progress?.itemsDone, 20000, 'the final figures are not throttled away');
  });

  // Last: every event of every job above, the overshooting one included.
  it('never hands out a progress figure past its total', () => {
    assert.ok(seen.length > 0);
    for (const p of seen) {
      assert.ok(p.bytesDone <= p.bytesTotal, `bytes ${p.bytesDone} > ${p.bytesTotal}`);
      assert.ok(p.itemsDone <= p.itemsTotal, `items ${p.itemsDone} > ${p.itemsTotal}`);
    }
  });
});
