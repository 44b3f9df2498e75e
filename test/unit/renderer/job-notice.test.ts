import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job } from '../../../shared/api/jobs';
import { jobNotice, LONG_JOB_MS } from '../../../renderer/src/job-notice';

function job(patch: Partial<Job>): Job {
  return { id: 'j1', kind: 'mirror', key: 'k', title: 'Export 4.15.3', state: 'running', createdAt: '2026-01-01T10:00:00.000Z', params: {}, ...patch };
}

const started = '2026-01-01T10:00:00.000Z';
const after = (ms: number) => new Date(Date.parse(started) + ms).toISOString();

describe('jobNotice: a desktop notification when a long job ends', () => {
  it('says how a long job ended, with the error when it failed', () => {
    assert.deepEqual(jobNotice(job({ state: 'succeeded', startedAt: started, endedAt: after(LONG_JOB_MS) })), { title: 'Ferry: Export 4.15.3 finished', body: 'Open Ferry to see the result.' });
    const error = { code: 'DIGEST_MISMATCH' as const, message: 'Volume ferry-000002.tar does not match transfer.json.', hint: 'Copy it again.' };
    assert.deepEqual(jobNotice(job({ state: 'failed', startedAt: started, endedAt: after(10 * 60_000), error })), { title: 'Ferry: Export 4.15.3 failed', body: error.message });
    assert.equal(jobNotice(job({ state: 'cancelled', startedAt: started, endedAt: after(LONG_JOB_MS * 2) }))?.title, 'Ferry: Export 4.15.3 was cancelled');
  });

  it('stays quiet for short jobs and for jobs still going', () => {
    assert.equal(jobNotice(job({ state: 'succeeded', startedAt: started, endedAt: after(LONG_JOB_MS - 1) })), undefined);
    assert.equal(jobNotice(job({ state: 'running', startedAt: started })), undefined);
    assert.equal(jobNotice(job({ state: 'paused', startedAt: started, endedAt: after(LONG_JOB_MS * 3) })), undefined);
    // Never started (cancelled in the queue): nothing ran long.
    assert.equal(jobNotice(job({ state: 'cancelled', endedAt: after(LONG_JOB_MS * 3) })), undefined);
  });
});
