import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TrustedKeyStore } from '../../../electron/host/handlers/trusted-keys';
import { FerryError } from '../../../shared/errors';

const PRINTED = 'AB12 CD34 EF56 7890 AB12 CD34 EF56 7890';
const OTHER = '0000 1111 2222 3333 4444 5555 6666 7777';

describe('TrustedKeyStore: fingerprints trusted from now on, kept under the data dir', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-trusted-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('remembers a fingerprint in its printed form once, whatever its spelling, across restarts', async () => {
    const file = join(dir, 'data', 'trusted-keys.json');
    const store = new TrustedKeyStore(file);
    assert.deepEqual(await store.list(), { keys: [] });
    await Promise.all([store.remember(PRINTED.toLowerCase().replace(/ /g, ':')), store.remember(`sha256:${PRINTED.replace(/ /g, '')}${'9'.repeat(32)}`), store.remember(OTHER)]);
    const again = new TrustedKeyStore(file);
    assert.deepEqual((await again.list()).keys.map((k) => k.fingerprint), [PRINTED, OTHER]);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual((await again.forget(PRINTED)).keys.map((k) => k.fingerprint), [OTHER]);
    assert.doesNotMatch(await readFile(file, 'utf8'), /AB12/);
  });

  it('refuses text that is not a fingerprint and names a damaged file', async () => {
    const file = join(dir, 'bad.json');
    const store = new TrustedKeyStore(file);
    await assert.rejects(store.remember('AB12 CD34'), (e: unknown) => e instanceof FerryError && e.code === 'USAGE');
    await writeFile(file, '{"keys": 3}');
    await assert.rejects(store.list(), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && e.message.includes(file));
  });
});
