import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDuration, shortDigest } from '../../../renderer/src/format';
import { describeFinding } from '../../../renderer/src/components/Findings';
import { imageListErrors } from '../../../renderer/src/image-list';
import { parseRoute, routeHref } from '../../../renderer/src/router';

test('bytes and durations read like an operator expects', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(4000 * 1024 * 1024), '3.91 GiB');
  assert.equal(formatBytes(-1), '—');
  assert.equal(formatDuration(59.6), '1m 00s');
  assert.equal(formatDuration(3725), '1h 02m');
  assert.equal(shortDigest(`sha256:${'ab'.repeat(32)}`), 'sha256:abababababab…');
});

test('findings name line and column, once', () => {
  assert.equal(describeFinding({ level: 'error', message: 'unexpected "}"', line: 3, column: 30 }), 'Line 3, column 30: unexpected "}"');
  assert.equal(describeFinding({ level: 'error', message: 'line 3, column 30: expected ":"', line: 3, column: 30 }), 'Line 3, column 30: expected ":"');
  assert.equal(describeFinding({ level: 'warning', message: 'no email', path: 'auths.quay.io' }), 'At auths.quay.io: no email');
});

test('extra image lists report the bad line by number', () => {
  const errors = imageListErrors(['quay.io/a/b:1', '', 'Bad/Upper:tag', 'registry.example.com/x@sha256:123']);
  assert.equal(errors.length, 2);
  assert.match(errors[0]!, /^Line 3: /);
  assert.match(errors[1]!, /^Line 4: /);
});

test('routes round-trip through the hash', () => {
  for (const r of [{ screen: 'start' }, { screen: 'export', step: 'plan' }, { screen: 'import' }, { screen: 'jobs', id: 'job 1/x' }] as const) {
    assert.deepEqual(parseRoute(routeHref(r)), r);
  }
  assert.deepEqual(parseRoute('#/nonsense'), { screen: 'start' });
});
