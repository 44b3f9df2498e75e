import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, isRetryableError, isRetryableStatus, parseRetryAfter, type RetryPolicy } from '../../../electron/engine/registry/retry';
import { FerryError } from '../../../shared/errors';

const policy: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

describe('retry policy', () => {
  it('backs off exponentially with jitter between half and all of the ceiling, capped', () => {
    assert.equal(backoffDelay(policy, 0, undefined, () => 0), 50);
    assert.equal(backoffDelay(policy, 0, undefined, () => 1), 100);
    assert.equal(backoffDelay(policy, 3, undefined, () => 1), 800);
    assert.equal(backoffDelay(policy, 10, undefined, () => 1), 1000);
    assert.equal(backoffDelay(policy, 10, undefined, () => 0), 500);
  });

  it('honours Retry-After in seconds or as a date, capped', () => {
    assert.equal(backoffDelay(policy, 0, '2'), 2000);
    assert.equal(backoffDelay(policy, 0, '120'), 5000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now), 3000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });

  it('retries 429, 408 and 5xx gateway errors only', () => {
    for (const s of [408, 429, 500, 502, 503, 504]) assert.ok(isRetryableStatus(s), String(s));
    for (const s of [400, 401, 403, 404, 416, 501]) assert.ok(!isRetryableStatus(s), String(s));
  });

  it('retries resets and socket errors, not TLS or refused connections', () => {
    assert.ok(isRetryableError(Object.assign(new Error('x'), { code: 'ECONNRESET' })));
    assert.ok(isRetryableError(Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET', cause: Object.assign(new Error('y'), { code: 'ECONNRESET' }) })));
    assert.ok(isRetryableError(new FerryError('UNREACHABLE', 'cut', { cause: Object.assign(new Error('y'), { code: 'EPIPE' }) })));
    assert.ok(!isRetryableError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })));
    assert.ok(!isRetryableError(Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' })));
  });
});
