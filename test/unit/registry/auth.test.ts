import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { Authenticator, parseChallenges, pushScope, TokenCache, type TokenFetcher } from '../../../electron/engine/registry/auth';

describe('parseChallenges', () => {
  it('reads a bearer challenge with a quoted scope holding commas', () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:a/b:pull,push' } },
    ]);
  });

  it('reads several challenges, unquoted values and escapes', () => {
    assert.deepEqual(parseChallenges('Basic realm="Registry \\"x\\"", Bearer realm=https://t/x , service=s'), [
      { scheme: 'basic', params: { realm: 'Registry "x"' } },
      { scheme: 'bearer', params: { realm: 'https://t/x', service: 's' } },
    ]);
  });

  it('returns nothing for an empty header', () => {
    assert.deepEqual(parseChallenges(''), []);
  });
});

describe('TokenCache', () => {
  it('shares one fetch among concurrent askers of the same key, and renews before expiry', async () => {
    let now = 0;
    const cache = new TokenCache(() => now);
    let fetches = 0;
    const fetch = async () => ({ token: `t${++fetches}`, expiresIn: 60 });
    const key = TokenCache.key('h', ['repository:a:pull', 'repository:b:pull']);
    assert.equal(key, TokenCache.key('h', ['repository:b:pull', 'repository:a:pull']));
    const [a, b] = await Promise.all([cache.get(key, fetch), cache.get(key, fetch)]);
    assert.equal(a.token, 't1');
    assert.equal(b.token, 't1');
    now = 44_000; // 60 s life, renewed 15 s early
    assert.equal((await cache.get(key, fetch)).token, 't1');
    now = 46_000;
    assert.equal((await cache.get(key, fetch)).token, 't2');
    assert.equal(fetches, 2);
  });

  it('forgets a failed fetch so the next asker tries again', async () => {
    const cache = new TokenCache();
    await assert.rejects(cache.get('k', async () => Promise.reject(new Error('boom'))));
    await new Promise((r) => setImmediate(r));
    assert.equal((await cache.get('k', async () => ({ token: 'ok', expiresIn: 60 }))).token, 'ok');
  });
});

describe('Authenticator', () => {
  const cred = { username: 'alice', password: 's3cret-pw' };

  it('answers a Basic challenge with the credential of the repository', async () => {
    const auth = new Authenticator('h:1', () => cred, async () => ({ status: 500, body: {} }));
    assert.equal(await auth.authorization({ scopes: [] }), undefined);
    auth.learn('Basic realm="r"', { scopes: [] });
    assert.equal(await auth.authorization({ repository: 'x', scopes: [] }), `Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`);
  });

  it('fetches a bearer token with Basic creds and every requested scope', async () => {
    const seen: URL[] = [];
    const fetcher: TokenFetcher = async (url, init) => {
      seen.push(url);
      assert.equal(init.headers.authorization, `Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`);
      return { status: 200, body: { token: 'jwt', expires_in: 300 } };
    };
    const auth = new Authenticator('h:1', () => cred, fetcher);
    const extra = auth.learn('Bearer realm="https://issuer/token",service="svc",scope="repository:from:pull"', { scopes: [pushScope('to')] });
    assert.deepEqual(extra, ['repository:from:pull']);
    assert.equal(await auth.authorization({ repository: 'to', scopes: [pushScope('to'), ...extra] }), 'Bearer jwt');
    assert.equal(seen[0]?.searchParams.get('service'), 'svc');
    assert.deepEqual(seen[0]?.searchParams.getAll('scope'), ['repository:to:pull,push', 'repository:from:pull']);
  });

  it('turns a refused token request into AUTH_DENIED naming the registry and user, never the password', async () => {
    const auth = new Authenticator('reg.example:5000', () => cred, async () => ({ status: 401, body: {} }));
    auth.learn('Bearer realm="https://issuer/token"', { scopes: [] });
    await assert.rejects(auth.authorization({ scopes: ['repository:a:pull'] }), (e: unknown) => {
      assert.ok(e instanceof FerryError);
      assert.equal(e.code, 'AUTH_DENIED');
      assert.match(e.message, /reg\.example:5000 refused the credentials for alice/);
      assert.ok(!JSON.stringify(e.toEnvelope()).includes('s3cret-pw'));
      return true;
    });
  });

  it('refuses to send credentials to a plain-HTTP realm', async () => {
    const auth = new Authenticator('h', () => cred, async () => ({ status: 200, body: { token: 'x' } }));
    auth.learn('Bearer realm="http://issuer/token"', { scopes: [] });
    await assert.rejects(auth.authorization({ scopes: [] }), /not HTTPS/);
  });

  it('says AUTH_REQUIRED when no credential exists', () => {
    const auth = new Authenticator('h:1', () => undefined, async () => ({ status: 200, body: {} }));
    assert.equal(auth.refused({ repository: 'a', scopes: [] }).code, 'AUTH_REQUIRED');
  });
});
