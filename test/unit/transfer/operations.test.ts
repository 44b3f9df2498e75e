import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import type { OpenEngine } from '../../../electron/engine/context';
import { extractOperation } from '../../../electron/engine/transfer/extract';
import { verifyOperation } from '../../../electron/engine/transfer/verify-transfer';
import { tempDir } from '../../support/tmp';

/** What the operations decide before any registry is contacted: the same for the CLI, the worker and the app. */
const tmp = tempDir('ops');
after(() => tmp.cleanup());

function countingOpener(): { open: OpenEngine; calls: () => number } {
  let n = 0;
  return {
    open: async () => {
      n++;
      throw new Error('no engine context is opened in these cases');
    },
    calls: () => n,
  };
}

describe('extractOperation', () => {
  it('refuses --mirror without a transfer directory and a missing release, opening no engine', async () => {
    const engine = countingOpener();
    await assert.rejects(extractOperation({ command: 'oc', toDir: tmp.path, mirror: 'mirror.example.com:5000/ocp4' }, engine.open), (e: unknown) => e instanceof FerryError && e.code === 'USAGE' && /--mirror goes with --from-dir/.test(e.message));
    await assert.rejects(extractOperation({ command: 'oc', toDir: tmp.path }, engine.open), (e: unknown) => e instanceof FerryError && e.code === 'USAGE' && /Which release\?/.test(e.message));
    assert.equal(engine.calls(), 0);
  });
});

describe('verifyOperation', () => {
  it('does not check the mirror of a transfer whose signature fails: nothing it lists is trusted', async () => {
    const dir = join(tmp.path, 'unsigned');
    await mkdir(dir);
    await writeFile(join(dir, 'transfer.json'), `${JSON.stringify({ formatVersion: 1, id: 't-1', blobs: [] })}\n`);
    const engine = countingOpener();
    const result = await verifyOperation({ dir, signature: { allowUnsigned: false }, against: 'mirror.example.com:5000/ocp4' }, engine.open);
    assert.equal(result.ok, false);
    assert.equal(result.mirror, undefined);
    assert.deepEqual(result.problems.map((p) => p.code), ['SIGNATURE_MISSING']);
    assert.equal(engine.calls(), 0);
  });
});
