import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { transferSignature } from '../../electron/host/handlers/transfer';
import { signTransfer } from '../../electron/engine/signing/transfer-signature';
import { runners } from '../../electron/worker/runners';
import type { JobContext } from '../../electron/worker/runtime';
import { jobStartSchema, type JobParams } from '../../shared/api/jobs';
import { FerryError } from '../../shared/errors';
import type { Receipt } from '../../shared/transfer/receipt';
import { ferry, worldFlags, type CliResult } from '../support/cli';
import { inspectManifest } from '../support/push';
import { pushFixtures, type Fixtures } from '../support/images';
import { tempDir } from '../support/tmp';
import { registryLog, startTestWorld, type TestWorld } from '../support/world';

/**
 * Issue 15, "trust is checked where it matters", against real registries: `ferry push` judges
 * transfer.json.sig before it contacts the mirror (its access log stays empty on a refusal), and pushes only
 * what a trusted key signed unless the operator explicitly passes --allow-unsigned / --allow-untrusted.
 */
describe('ferry push checks the transfer signature before sending anything', () => {
  let world: TestWorld;
  let fixtures: Fixtures;
  const work = tempDir('signing-push');
  const signed = join(work.path, 'usb');
  const site = join(work.path, 'site');
  const stranger = join(work.path, 'stranger');
  let siteFingerprint: string;
  let strangerFingerprint: string;
  let copies = 0;

  async function copyOfMedia(): Promise<string> {
    const dir = join(work.path, `copy-${++copies}`);
    await cp(signed, dir, { recursive: true });
    await rm(join(dir, 'receipt.json'), { force: true });
    return dir;
  }

  /** Runs a push and returns it with every line the mirror logged while it ran. */
  async function push(dir: string, namespace: string, extra: string[]): Promise<CliResult & { mirrorLog: string[] }> {
    const before = (await registryLog(world.mirror)).length;
    const r = await ferry(['push', '--from-dir', dir, '--to', `${world.mirror.host}/${namespace}`, ...extra, ...worldFlags(world)]);
    const mirrorLog = (await registryLog(world.mirror)).slice(before).split('\n').filter((l) => l.includes('/v2/'));
    return { ...r, mirrorLog };
  }

  async function assertPushedWhole(dir: string, r: CliResult): Promise<void> {
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const receipt = JSON.parse(await readFile(join(dir, 'receipt.json'), 'utf8')) as Receipt;
    assert.deepEqual(receipt.images.map((i) => i.digest).sort(), [fixtures.schema2.digest, fixtures.oci.digest].sort());
    for (const image of receipt.images) assert.equal((await inspectManifest(world, image.mirror)).digest, image.digest);
  }

  before(async () => {
    world = await startTestWorld();
    fixtures = await pushFixtures(world);
    for (const prefix of [site, stranger]) {
      const k = await ferry(['keys', 'generate', '--out', prefix]);
      assert.equal(k.code, 0, k.stderr);
    }
    siteFingerprint = (await ferry(['keys', 'fingerprint', `${site}.pub`])).stdout.trim();
    strangerFingerprint = (await ferry(['keys', 'fingerprint', `${stranger}.pub`])).stdout.trim();
    const m = await ferry(['mirror', '--image', fixtures.schema2.ref, '--image', fixtures.oci.ref, '--to-dir', signed, '--sign-key', `${site}.key`, ...worldFlags(world)]);
    assert.equal(m.code, 0, m.stderr);
    assert.ok(m.stdout.includes(siteFingerprint));
  });
  after(async () => {
    await world?.stop();
    await work.cleanup();
  });

  it('pushes a transfer signed by a trusted key, showing who signed, and the mirror log shows the push', async () => {
    const dir = await copyOfMedia();
    const r = await push(dir, 'trusted', ['--trust', `${site}.pub`]);
    await assertPushedWhole(dir, r);
    assert.match(r.stdout, /^Signature: OK: transfer\.json is signed by a trusted key\./m);
    assert.equal(r.stdout.match(/signing key fingerprint: (.+)$/m)?.[1], siteFingerprint);
    assert.ok(r.mirrorLog.length > 0, 'a push that went ahead is in the mirror log (so an empty log below means nothing was sent)');
  });

  it('(a) refuses a transfer.json edited under a valid signature before any request, whatever is allowed', async () => {
    const dir = await copyOfMedia();
    const path = join(dir, 'transfer.json');
    // The attack from the issue: repoint an image's name at other content that is also on the media.
    const text = await readFile(path, 'utf8');
    const edited = text.replaceAll(fixtures.schema2.digest, fixtures.oci.digest);
    assert.notEqual(edited, text);
    await writeFile(path, edited);
    for (const allow of [['--trust', `${site}.pub`], ['--trust', `${site}.pub`, '--allow-unsigned', '--allow-untrusted']]) {
      const r = await push(dir, 'edited', allow);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /Refusing to push: transfer\.json in .* does not match its signature: it was changed after it was signed\./);
      assert.match(r.stderr, /copy transfer\.json and transfer\.json\.sig again from the original/);
      assert.deepEqual(r.mirrorLog, [], 'the mirror got no request at all');
    }
    await assert.rejects(readFile(join(dir, 'receipt.json')), 'no receipt for a refused push');
  });

  it('(b) refuses a transfer re-signed by another key unless that key is trusted, by .pub or by fingerprint', async () => {
    const dir = await copyOfMedia();
    await signTransfer(dir, `${stranger}.key`);
    for (const trust of [[], ['--trust', `${site}.pub`], ['--trust', siteFingerprint]]) {
      const r = await push(dir, 'stranger', trust);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.ok(r.stderr.includes(`Refusing to push: transfer.json is signed by an unknown key (fingerprint ${strangerFingerprint}).`), r.stderr);
      assert.match(r.stderr, /--allow-untrusted/);
      assert.deepEqual(r.mirrorLog, []);
    }
    const byFile = await push(dir, 'stranger-pub', ['--trust', `${site}.pub`, '--trust', `${stranger}.pub`]);
    await assertPushedWhole(dir, byFile);
    assert.equal(byFile.stdout.match(/signing key fingerprint: (.+)$/m)?.[1], strangerFingerprint);
    await rm(join(dir, 'receipt.json'));
    const byFingerprint = await push(dir, 'stranger-fp', ['--trust', strangerFingerprint.toLowerCase()]);
    await assertPushedWhole(dir, byFingerprint);
    await rm(join(dir, 'receipt.json'));
    const allowed = await push(dir, 'stranger-allowed', ['--allow-untrusted']);
    await assertPushedWhole(dir, allowed);
    assert.match(allowed.stdout, /^Signature: WARNING: transfer\.json is signed by an unknown key/m);
  });

  it('(c) refuses an unsigned transfer unless --allow-unsigned', async () => {
    const dir = await copyOfMedia();
    await rm(join(dir, 'transfer.json.sig'));
    const refused = await push(dir, 'unsigned', ['--trust', `${site}.pub`]);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /Refusing to push: transfer\.json in .* is not signed \(no transfer\.json\.sig\)/);
    assert.match(refused.stderr, /pass --allow-unsigned/);
    assert.deepEqual(refused.mirrorLog, []);
    const allowed = await push(dir, 'unsigned', ['--allow-unsigned']);
    await assertPushedWhole(dir, allowed);
    assert.match(allowed.stdout, /^Signature: WARNING: transfer\.json in .* is not signed/m);
  });

  it("the app's signature check, verify job and push job reach the same verdict from the operator's choices", async () => {
    const dir = await copyOfMedia();
    const job = (id: string): JobContext => ({
      id,
      signal: new AbortController().signal,
      pullSecret: undefined,
      defaults: { caFiles: [world.ca.certPath], authfile: world.authfile, sourceMirrors: [] },
      onProgress: () => undefined,
      checkpoint: async () => undefined,
    });
    const params = <K extends 'push' | 'verify'>(kind: K, p: Record<string, unknown>) => jobStartSchema.parse({ kind, params: p }).params as JobParams<K>;
    const unknown = await transferSignature({ dir, trust: [], allowUnsigned: false, allowUntrusted: false });
    assert.deepEqual([unknown.status, unknown.ok, unknown.fingerprint], ['untrusted', false, siteFingerprint]);
    const refused = (e: unknown) => e instanceof FerryError && e.code === 'VERIFY_FAILED' && e.message.includes(`signed by an unknown key (fingerprint ${siteFingerprint})`);
    await assert.rejects(runners.verify!(params('verify', { dir }), job('verify-unknown')), refused);
    const before = (await registryLog(world.mirror)).length;
    await assert.rejects(runners.push!(params('push', { fromDir: dir, to: `${world.mirror.host}/app-unknown` }), job('push-unknown')), refused);
    assert.deepEqual((await registryLog(world.mirror)).slice(before).split('\n').filter((l) => l.includes('/v2/')), []);

    const typed = { trust: [siteFingerprint.toLowerCase()] };
    assert.equal((await transferSignature({ dir, ...typed, allowUnsigned: false, allowUntrusted: false })).status, 'trusted');
    await runners.verify!(params('verify', { dir, ...typed }), job('verify-trusted'));
    await runners.push!(params('push', { fromDir: dir, to: `${world.mirror.host}/app-trusted`, ...typed }), job('push-trusted'));
    const receipt = JSON.parse(await readFile(join(dir, 'receipt.json'), 'utf8')) as Receipt;
    assert.equal(receipt.images.length, 2);
  });

  it('(d) verify without a trusted key fails a signed transfer as signed by an unknown key, naming its fingerprint', async () => {
    const r = await ferry(['verify', '--dir', signed]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(`Signature: FAILED: transfer.json is signed by an unknown key (fingerprint ${siteFingerprint}).`), r.stdout);
    const trusted = await ferry(['verify', '--dir', signed, '--trust', siteFingerprint]);
    assert.equal(trusted.code, 0, trusted.stdout + trusted.stderr);
  });
});
