import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { CredentialStore } from '../../../electron/engine/registry/credentials';
import { TrustStore } from '../../../electron/engine/registry/tls';
import { connectionEngineOptions, volumeSizeOf } from '../../../electron/jobs/engine-options';
import { createPki } from '../../support/pki';
import { tempDir } from '../../support/tmp';

const tmp = tempDir('engine-options');
after(() => tmp.cleanup());
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** What the engine would log in to `registry` with, given these options (built the way createEngineContext builds it). */
async function loginFor(options: ReturnType<typeof connectionEngineOptions>, registry: string, repository = 'ns/img') {
  const store = await CredentialStore.load(options.authfile ? [options.authfile] : [], options.inlineAuths);
  return store.lookup(registry, repository);
}

describe('job credentials held in memory', () => {
  it('typed credentials win over the pull secret, which wins over the host auth file', async () => {
    const authfile = join(tmp.path, 'host-auth.json');
    await writeFile(authfile, JSON.stringify({ auths: { 'a.example:5000': { auth: b64('file-user:file-pass') }, 'c.example': { auth: b64('only-file:x') } } }));
    const pullSecret = JSON.stringify({ auths: { 'a.example:5000': { auth: b64('ps-user:ps-pass') }, 'b.example': { auth: b64('ps-b:pb') } } });
    const options = connectionEngineOptions(
      { authfile, caFiles: [], sourceMirrors: [] },
      { pullSecret, credentials: [{ registry: 'a.example:5000/ns', username: 'typed', password: 'typed-pass' }] },
    );
    assert.deepEqual(await loginFor(options, 'a.example:5000'), { username: 'typed', password: 'typed-pass' });
    // Outside the namespace the typed entry does not apply: the pull secret's registry-wide entry does.
    assert.deepEqual(await loginFor(options, 'a.example:5000', 'other/img'), { username: 'ps-user', password: 'ps-pass' });
    assert.deepEqual(await loginFor(options, 'b.example'), { username: 'ps-b', password: 'pb' });
    assert.deepEqual(await loginFor(options, 'c.example'), { username: 'only-file', password: 'x' });
    assert.equal(await loginFor(options, 'd.example'), undefined);
  });

  it('never names the secret in errors: a malformed pull secret is reported by where it came from', async () => {
    const options = connectionEngineOptions({ caFiles: [], sourceMirrors: [] }, { pullSecret: '{"auths": {"x.example": {"auth": "s3cr3t-not-base64-colon"' });
    await assert.rejects(loginFor(options, 'x.example'), (e: unknown) => {
      assert.ok(e instanceof FerryError);
      assert.equal(e.code, 'INVALID_INPUT');
      assert.match(e.message, /the saved pull secret/);
      assert.doesNotMatch(`${e.message} ${e.hint ?? ''}`, /s3cr3t/);
      return true;
    });
  });

  it('a credential whose secret was not resolved is refused, not sent anonymously', () => {
    assert.throws(() => connectionEngineOptions({ caFiles: [], sourceMirrors: [] }, { credentials: [{ registry: 'm.example', username: 'u' }] }), /no password/);
  });

  it('host defaults (source mirrors, CA files, parallel) apply unless the request says otherwise', () => {
    const defaults = { caFiles: ['/etc/ca.pem'], sourceMirrors: ['quay.io/openshift-release-dev=src.example:5000/ocp'], parallel: 2 };
    const options = connectionEngineOptions(defaults, { caPems: ['PEM'] });
    assert.deepEqual(options.sourceMirrors, [{ from: 'quay.io/openshift-release-dev', to: 'src.example:5000/ocp' }]);
    assert.deepEqual(options.caFiles, ['/etc/ca.pem']);
    assert.deepEqual(options.caPems, ['PEM']);
    assert.equal(options.parallel, 2);
    assert.equal(connectionEngineOptions(defaults, { parallel: 7 }).parallel, 7);
    assert.equal(options.inlineAuths, undefined);
  });
});

describe('CAs held in memory', () => {
  it('are trusted like --ca-file, and a non-certificate is an input error', async () => {
    const pki = await createPki(tmp.path);
    const trust = await TrustStore.load({ caFiles: [], caPems: [pki.ca.certPem], certDir: join(tmp.path, 'no-certs-d') });
    const ca = trust.forHost('mirror.example:5000').ca ?? [];
    assert.ok(ca.some((pem) => pem.replace(/\s/g, '') === pki.ca.certPem.replace(/\s/g, '')));
    await assert.rejects(TrustStore.load({ caFiles: [], caPems: ['-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----'] }), { code: 'INVALID_INPUT' });
  });
});

describe('volume size of a request', () => {
  it('defaults to the FAT32-safe size and reads binary units', () => {
    assert.equal(volumeSizeOf(undefined), 4000 * 1024 * 1024);
    assert.equal(volumeSizeOf('4000MiB'), 4000 * 1024 * 1024);
    assert.equal(volumeSizeOf('2G'), 2 * 1024 ** 3);
    assert.throws(() => volumeSizeOf('lots'), { code: 'INVALID_INPUT' });
    // Refused when the request comes in, not after the release is resolved.
    assert.throws(() => volumeSizeOf('10K'), /volume size 10240 is too small/);
  });
});
