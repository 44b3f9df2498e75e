import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { authFilePaths, CredentialStore } from '../../../electron/engine/registry/credentials';
import { authKeyLookupOrder, normalizeAuthKey } from '../../../shared/pull-secret/auth-key';
import { tempDir } from '../../support/tmp';

const tmp = tempDir('creds');
after(() => tmp.cleanup());
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('auth file lookup order', () => {
  it('uses an explicit file alone', () => {
    assert.deepEqual(authFilePaths('/x/auth.json', { XDG_RUNTIME_DIR: '/run/user/1' }, '/home/u'), ['/x/auth.json']);
    assert.deepEqual(authFilePaths(undefined, { REGISTRY_AUTH_FILE: '/y.json', XDG_RUNTIME_DIR: '/run/user/1' }, '/home/u'), ['/y.json']);
  });

  it('follows containers order: runtime dir, config home, docker config', () => {
    assert.deepEqual(authFilePaths(undefined, { XDG_RUNTIME_DIR: '/run/user/1' }, '/home/u'), [
      '/run/user/1/containers/auth.json',
      '/home/u/.config/containers/auth.json',
      '/home/u/.docker/config.json',
    ]);
    assert.deepEqual(authFilePaths(undefined, { XDG_CONFIG_HOME: '/cfg', DOCKER_CONFIG: '/dk' }, '/home/u'), ['/cfg/containers/auth.json', '/dk/config.json']);
  });

  it('walks from the full repository path up to the host', () => {
    assert.deepEqual(authKeyLookupOrder('host:5000', 'a/b/img'), ['host:5000/a/b/img', 'host:5000/a/b', 'host:5000/a', 'host:5000']);
    assert.deepEqual(authKeyLookupOrder('host', ''), ['host']);
  });

  it('normalises keys written as URLs or with a trailing slash', () => {
    assert.equal(normalizeAuthKey('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(normalizeAuthKey('https://mirror.local:5000'), 'mirror.local:5000');
    assert.equal(normalizeAuthKey('mirror.local:5000/ocp4/'), 'mirror.local:5000/ocp4');
  });
});

describe('CredentialStore', () => {
  it('prefers the most specific (namespaced) key and decodes every entry form', async () => {
    const file = join(tmp.path, 'auth.json');
    await writeFile(
      file,
      JSON.stringify({
        auths: {
          'mirror.local:5000': { auth: b64('wide:pw1') },
          'mirror.local:5000/ocp4/': { auth: b64('ns:p:w:2') },
          'https://quay.io': { username: 'qu', password: 'qp' },
          'tok.example.com': { identitytoken: 'refresh-me' },
        },
      }),
    );
    const store = await CredentialStore.load([file]);
    assert.deepEqual(store.lookup('mirror.local:5000', 'ocp4/release'), { username: 'ns', password: 'p:w:2' });
    assert.deepEqual(store.lookup('mirror.local:5000', 'other/release'), { username: 'wide', password: 'pw1' });
    assert.deepEqual(store.lookup('quay.io', 'openshift-release-dev/ocp-release'), { username: 'qu', password: 'qp' });
    assert.deepEqual(store.lookup('tok.example.com', 'x'), { identityToken: 'refresh-me' });
    assert.equal(store.lookup('elsewhere.io', 'x'), undefined);
  });

  it('takes the first file that has a matching key, skipping missing files', async () => {
    const first = join(tmp.path, 'first.json');
    const second = join(tmp.path, 'second.json');
    await writeFile(first, JSON.stringify({ auths: { 'a.io': { auth: b64('one:1') } } }));
    await writeFile(second, JSON.stringify({ auths: { 'a.io/deep/repo': { auth: b64('two:2') }, 'b.io': { auth: b64('b:2') } } }));
    const store = await CredentialStore.load([join(tmp.path, 'missing.json'), first, second]);
    // containers/image: files in order, the first file with any match wins even if a later one is more specific.
    assert.deepEqual(store.lookup('a.io', 'deep/repo'), { username: 'one', password: '1' });
    assert.deepEqual(store.lookup('b.io', 'x'), { username: 'b', password: '2' });
  });

  it('reports malformed JSON with line and column', async () => {
    const file = join(tmp.path, 'bad.json');
    await writeFile(file, '{\n  "auths": {\n    "a.io": { "auth": "eDp5" },\n  }\n}\n');
    await assert.rejects(CredentialStore.load([file]), (e: unknown) => {
      assert.ok(e instanceof FerryError);
      assert.equal(e.code, 'INVALID_INPUT');
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /bad\.json is not valid JSON at line 4, column 3/);
      return true;
    });
  });

  it('refuses an explicit file that does not exist', async () => {
    await assert.rejects(CredentialStore.load([join(tmp.path, 'nope.json')]), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && /nope\.json/.test(e.message));
  });
});

describe('CredentialStore and the one auth document reader', () => {
  it('prefers a key as written over a normalized one, and names a malformed entry by position and path without its secret', async () => {
    const file = join(tmp.path, 'mixed.json');
    await writeFile(file, `{"auths": {\n  "https://index.docker.io/v1/": {"auth": "${b64('legacy:1')}"},\n  "docker.io": {"auth": "${b64('hub:2')}"},\n  "broken.io": {"auth": "${b64('no-colon-secret')}"}\n}}\n`);
    const store = await CredentialStore.load([file]);
    assert.deepEqual(store.lookup('docker.io', 'library/busybox'), { username: 'hub', password: '2' });
    assert.throws(
      () => store.lookup('broken.io', 'x'),
      (e: unknown) =>
        e instanceof FerryError &&
        e.code === 'INVALID_INPUT' &&
        /mixed\.json cannot be used: "auth" of "broken\.io" decodes to text without ':'.*line 4, column 25, at auths\["broken\.io"\]\.auth/.test(e.message) &&
        !JSON.stringify({ m: e.message, d: e.details }).includes('secret') &&
        !e.message.includes(b64('no-colon-secret')),
    );
  });

  it('refuses a document whose auths is not an object, at its position', async () => {
    const file = join(tmp.path, 'shape.json');
    await writeFile(file, '{\n  "auths": ["quay.io"]\n}\n');
    await assert.rejects(CredentialStore.load([file]), (e: unknown) => e instanceof FerryError && /shape\.json cannot be used: "auths" must be an object .*line 2, column 12, at auths\)/.test(e.message));
  });
});
