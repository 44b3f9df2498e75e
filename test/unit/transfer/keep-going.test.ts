import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { imageFailure, mayFailAlone } from '../../../electron/engine/transfer/keep-going';
import { notCarriedCheck } from '../../../electron/engine/reports/not-carried';

/** Which failures a run keeps going past (keep-going.ts): the rule the CLI, the app's job and the catalog mirror share. */
describe('keep going: which image failures a run survives', () => {
  const missing = new FerryError('NOT_FOUND', 'manifest unknown');

  it('extra images fail alone; release content never does; --fail-fast makes nothing fail alone', () => {
    assert.equal(mayFailAlone('extra', {}), true);
    assert.equal(mayFailAlone('release', {}), false);
    assert.equal(mayFailAlone('component', {}), false);
    assert.equal(mayFailAlone('extra', { failFast: true }), false);
  });

  it('records a source-side failure of an extra image with its reference, role, code and message', () => {
    assert.deepEqual(imageFailure('r.example/a:1', 'extra', missing, {}), { ref: 'r.example/a:1', role: 'extra', code: 'NOT_FOUND', message: 'manifest unknown' });
    for (const code of ['AUTH_DENIED', 'FORBIDDEN', 'DIGEST_MISMATCH', 'SIZE_MISMATCH', 'UNSUPPORTED'] as const) {
      assert.equal(imageFailure('r.example/a:1', 'extra', new FerryError(code, 'm'), {})?.code, code);
    }
  });

  it('stops the run for release content, under --fail-fast, and for failures that are not the image’s own', () => {
    assert.equal(imageFailure('r/c@sha256:x', 'component', missing, {}), undefined);
    assert.equal(imageFailure('r/a:1', 'extra', missing, { failFast: true }), undefined);
    for (const code of ['CANCELLED', 'NO_SPACE', 'IO_ERROR', 'MEDIA_CORRUPT', 'INTERNAL', 'USAGE'] as const) {
      assert.equal(imageFailure('r/a:1', 'extra', new FerryError(code, 'm'), {}), undefined, code);
    }
    assert.equal(imageFailure('r/a:1', 'extra', new TypeError('a bug'), {}), undefined);
  });

  it('an operator report shows a partial transfer as a warning naming what is missing', () => {
    const check = notCarriedCheck([{ ref: 'r/a:1', role: 'extra', code: 'NOT_FOUND', message: 'm' }]);
    assert.equal(check.status, 'warning');
    assert.match(check.detail, /1 image\(s\) .* r\/a:1 \(NOT_FOUND\)/);
  });
});
