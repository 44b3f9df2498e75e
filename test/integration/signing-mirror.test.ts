import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ferry, worldFlags } from '../support/cli';
import { pushFixtures, type Fixtures } from '../support/images';
import { tempDir } from '../support/tmp';
import { startTestWorld, type TestWorld } from '../support/world';

/**
 * The acceptance path of a signed transfer with real registries: `ferry mirror --sign-key` on the connected
 * side prints a fingerprint; `ferry verify --trust` on the other side prints the same one, and refuses a
 * transfer.json with one digest edited or a different key.
 */
describe('ferry mirror --sign-key, then ferry verify --trust', () => {
  let world: TestWorld;
  let fixtures: Fixtures;
  const work = tempDir('signing-mirror');
  const dir = join(work.path, 'usb');
  const key = join(work.path, 'site');
  let mirrorFingerprint: string;

  before(async () => {
    world = await startTestWorld();
    fixtures = await pushFixtures(world);
    for (const prefix of [key, join(work.path, 'stranger')]) assert.equal((await ferry(['keys', 'generate', '--out', prefix])).code, 0);
    const r = await ferry(['mirror', '--image', fixtures.schema2.ref, '--image', fixtures.index.ref, '--to-dir', dir, '--sign-key', `${key}.key`, ...worldFlags(world)]);
    assert.equal(r.code, 0, r.stderr);
    mirrorFingerprint = r.stdout.match(/Key fingerprint \(compare it on the other side\): (.+)$/m)?.[1] ?? '';
  });
  after(async () => {
    await world?.stop();
    await work.cleanup();
  });

  it('verify --trust prints the fingerprint mirror printed', async () => {
    assert.match(mirrorFingerprint, /^([0-9A-F]{4} ){7}[0-9A-F]{4}$/);
    const r = await ferry(['verify', '--dir', dir, '--trust', `${key}.pub`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.match(/signing key fingerprint: (.+)$/m)?.[1], mirrorFingerprint);
    assert.equal((await ferry(['keys', 'fingerprint', `${key}.pub`])).stdout.trim(), mirrorFingerprint);
  });

  it('fails with another public key', async () => {
    const r = await ferry(['verify', '--dir', dir, '--trust', join(work.path, 'stranger.pub')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /signed by an unknown key \(fingerprint /);
  });

  it('fails when one digest in transfer.json is edited', async () => {
    const path = join(dir, 'transfer.json');
    const text = await readFile(path, 'utf8');
    const digest = fixtures.schema2.digest;
    assert.ok(text.includes(digest));
    await writeFile(path, text.replace(digest, `sha256:${'0'.repeat(64)}`));
    try {
      const r = await ferry(['verify', '--dir', dir, '--trust', `${key}.pub`]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /changed after it was signed/);
    } finally {
      await writeFile(path, text);
    }
  });
});
