import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createForkHost } from '../../electron/jobs/fork-host';
import { JobHistory } from '../../electron/jobs/history';
import { JobManager } from '../../electron/jobs/job-manager';
import { secretResolver } from '../../electron/jobs/resolve-secrets';
import { MemorySecretStore } from '../../electron/jobs/secrets/secret-store';
import { SIGNING_KEY_NAME } from '../../electron/jobs/signing-key';
import { deleteSecret, listSecrets, saveSecret } from '../../electron/host/handlers/secrets';
import { jobStartSchema, type Job } from '../../shared/api/jobs';
import type { ProgressEvent } from '../../shared/progress';
import { ferry } from '../support/cli';
import { pushFixtures, type Fixtures } from '../support/images';
import { assertTruthfulProgress } from '../support/progress';
import { tempDir } from '../support/tmp';
import { startTestWorld, type TestWorld } from '../support/world';

/**
 * Issue 20 item 1 through the job layer the app uses (JobManager, secret resolver, real forked worker, real
 * registries): every export is signed with the one key kept in the secret store, the job reports the same
 * fingerprint `ferry verify --trust` prints for that media, the key never shows in anything the UI or the
 * history sees, and no progress figure the manager hands out exceeds its total.
 */
describe('app exports are signed with the key in the secret store', () => {
  let world: TestWorld;
  let fixtures: Fixtures;
  let manager: JobManager;
  const store = new MemorySecretStore();
  const work = tempDir('app-signing');
  /** Every progress event the manager handed out, by job: what crossed from the worker process. */
  const progress = new Map<string, ProgressEvent[]>();
  const jobs: Job[] = [];

  const exportTo = async (name: string): Promise<Job> => {
    const request = jobStartSchema.parse({ kind: 'mirror', params: { images: [fixtures.schema2.ref, fixtures.index.ref], toDir: join(work.path, name) } });
    const started = manager.start(request);
    const done = await manager.whenSettled(started.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    return done;
  };
  const fingerprintOf = (job: Job) => (job.report as { fingerprint?: string }).fingerprint ?? '';

  before(async () => {
    world = await startTestWorld();
    fixtures = await pushFixtures(world);
    manager = await JobManager.open({
      host: createForkHost({ log: () => undefined }),
      history: new JobHistory(join(work.path, 'jobs')),
      resolveSecrets: secretResolver(store),
      engineDefaults: { caFiles: [world.ca.certPath], authfile: world.authfile, sourceMirrors: [] },
    });
    manager.onProgress((e) => progress.set(e.id, [...(progress.get(e.id) ?? []), e.progress]));
    jobs.push(await exportTo('first'), await exportTo('second'));
    await manager.flush();
  });
  after(async () => {
    await manager?.dispose();
    await world?.stop();
    await work.cleanup();
  });

  it('makes one key on the first export and signs every export with it', async () => {
    const [first, second] = jobs.map(fingerprintOf);
    assert.match(first!, /^([0-9A-F]{4} ){7}[0-9A-F]{4}$/);
    assert.equal(second, first);
    assert.match((await store.get(SIGNING_KEY_NAME)) ?? '', /^-----BEGIN PRIVATE KEY-----/);
  });

  it('reports the fingerprint that ferry verify --trust prints, and another fingerprint fails', async () => {
    const dir = join(work.path, 'first');
    const fingerprint = fingerprintOf(jobs[0]!);
    const ok = await ferry(['verify', '--dir', dir, '--trust', fingerprint]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal(ok.stdout.match(/signing key fingerprint: (.+)$/m)?.[1], fingerprint);
    const other = fingerprint.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    const refused = await ferry(['verify', '--dir', dir, '--trust', other]);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /signed by an unknown key/);
  });

  it('keeps the key out of the secret list, job DTOs and history files', async () => {
    const pem = (await store.get(SIGNING_KEY_NAME))!;
    const body = pem.split('\n')[1]!;
    assert.deepEqual((await listSecrets(store)).secrets.map((s) => s.name), []);
    await assert.rejects(deleteSecret(store, SIGNING_KEY_NAME), /transfer-signing key/);
    await assert.rejects(saveSecret(store, { name: SIGNING_KEY_NAME, kind: 'token', value: 'x' }), /transfer-signing key/);
    assert.equal(await store.get(SIGNING_KEY_NAME), pem);
    const seen = JSON.stringify(manager.list());
    const history = await Promise.all((await readdir(join(work.path, 'jobs'))).map((f) => readFile(join(work.path, 'jobs', f), 'utf8')));
    for (const text of [seen, ...history]) {
      assert.ok(!text.includes(body) && !text.includes('PRIVATE KEY'), 'the signing key leaked');
    }
  });

  it('hands out no progress figure past its total, per image and per volume too, and ends each export at its total', () => {
    assert.equal(progress.size, jobs.length);
    for (const job of jobs) {
      const events = progress.get(job.id)!;
      assertTruthfulProgress(events, { finished: true });
      assert.equal(events.at(-1)!.volumes!.length, (job.report as { volumes: unknown[] }).volumes.length, 'a figure for every volume written');
      assert.deepEqual(job.progress, events.at(-1), 'the job keeps the last event');
    }
  });
});
