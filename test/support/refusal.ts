import assert from 'node:assert/strict';
import { FerryError } from '../../shared/errors';

/** The FerryError `run` throws; anything else thrown, or nothing, fails the test (`expecting` says what was due). */
export function ferryRefusal(run: () => unknown, expecting = 'a refusal'): FerryError {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof FerryError, `expected ${expecting}, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${expecting}`);
}
