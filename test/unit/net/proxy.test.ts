import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { proxyFailure } from '../../../electron/engine/net/connections';
import { bypassesProxy, parseNoProxy } from '../../../electron/engine/net/no-proxy';
import { proxyConfig, proxyFor, proxyLabel } from '../../../electron/engine/net/proxy';
import { redact } from '../../../electron/jobs/redact';
import { engineDefaultsFrom } from '../../../electron/jobs/engine-options';
import { launchEngineDefaults } from '../../../electron/host/launch-options';
import { appInfo } from '../../../electron/host/handlers/app';
import type { HandlerDeps } from '../../../electron/host/handlers/deps';

/** The NO_PROXY cases of golang.org/x/net/http/httpproxy's proxy_test.go (minus its implicit loopback bypass). */
describe('NO_PROXY as Go reads it', () => {
  const cases: Array<[noProxy: string, host: string, port: string, bypass: boolean]> = [
    ['*', 'anything.example', '443', true],
    ['', 'quay.io', '443', false],
    ['quay.io', 'quay.io', '443', true],
    ['quay.io', 'cdn01.quay.io', '443', true],
    ['quay.io', 'notquay.io', '443', false],
    ['.quay.io', 'quay.io', '443', false],
    ['.quay.io', 'cdn.quay.io', '443', true],
    ['*.quay.io', 'quay.io', '443', false],
    ['*.quay.io', 'cdn.quay.io', '443', true],
    ['QUAY.IO', 'quay.io', '443', true],
    [' foo.com , quay.io ', 'quay.io', '443', true],
    ['quay.io:5000', 'quay.io', '443', false],
    ['quay.io:5000', 'quay.io', '5000', true],
    ['quay.io:443', 'quay.io', '443', true],
    ['10.1.2.3', '10.1.2.3', '5000', true],
    ['10.1.2.3', '10.1.2.4', '5000', false],
    ['10.1.2.3:5000', '10.1.2.3', '5001', false],
    ['10.0.0.0/8', '10.200.1.1', '443', true],
    ['10.0.0.0/8', '11.0.0.1', '443', false],
    ['10.0.0.0/8', 'ten.example', '443', false],
    ['::1', '[::1]', '5000', true],
    ['[::1]:5000', '[::1]', '5000', true],
    ['[::1]:5000', '[::1]', '5001', false],
    ['fd00::/8', '[fd12::1]', '443', true],
    ['bücher.example', 'xn--bcher-kva.example', '443', true],
    // No implicit loopback bypass (Go has one): only what NO_PROXY says.
    ['', '127.0.0.1', '5000', false],
    ['', 'localhost', '5000', false],
    ['localhost,127.0.0.1', '127.0.0.1', '5000', true],
    ['localhost,127.0.0.1', 'localhost', '5000', true],
  ];
  for (const [noProxy, host, port, bypass] of cases) {
    it(`NO_PROXY="${noProxy}" ${bypass ? 'bypasses' : 'proxies'} ${host}:${port}`, () => {
      assert.equal(bypassesProxy(parseNoProxy(noProxy), host, port), bypass);
    });
  }
});

describe('proxy settings', () => {
  const env = { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128', http_proxy: 'plain:8080', NO_PROXY: 'internal.example' };

  it('reads upper case before lower case, and a proxy without scheme is http://', () => {
    const config = proxyConfig({ env });
    assert.equal(proxyFor(new URL('https://quay.io/v2/'), config)?.host, 'upper:3128');
    assert.equal(proxyFor(new URL('http://osus.example/graph'), config)?.href, 'http://plain:8080/');
    assert.equal(proxyFor(new URL('https://registry.internal.example/v2/'), config), undefined);
  });

  it('does not send https through HTTP_PROXY (as Go and curl)', () => {
    const config = proxyConfig({ env: { HTTP_PROXY: 'http://p:3128' } });
    assert.equal(proxyFor(new URL('https://quay.io/v2/'), config), undefined);
  });

  it('--proxy wins over the environment for both schemes; NO_PROXY still applies', () => {
    const config = proxyConfig({ proxy: 'http://cli:9000', env });
    assert.equal(proxyFor(new URL('https://quay.io/v2/'), config)?.host, 'cli:9000');
    assert.equal(proxyFor(new URL('http://osus.example/'), config)?.host, 'cli:9000');
    assert.equal(proxyFor(new URL('https://internal.example/'), config), undefined);
  });

  it('names a proxy as HOST:PORT, default port by scheme, never with its credentials', () => {
    const config = proxyConfig({ proxy: 'http://alice:s3cret-pw@proxy.corp:3128' });
    assert.equal(proxyLabel(config.https!), 'proxy.corp:3128');
    assert.equal(proxyLabel(new URL('http://proxy.corp')), 'proxy.corp:80');
    assert.equal(proxyLabel(new URL('https://proxy.corp')), 'proxy.corp:443');
  });

  it('refuses a proxy that is not an http(s) URL, without quoting it (it may hold a password)', () => {
    for (const bad of ['socks5://alice:s3cret-pw@p:1080', 'http://alice:s3cret-pw@:3128', 'http://[bad']) {
      assert.throws(
        () => proxyConfig({ proxy: bad }),
        (e: unknown) => e instanceof FerryError && e.code === 'USAGE' && !e.message.includes('s3cret') && /--proxy/.test(e.message),
      );
    }
    assert.throws(() => proxyConfig({ env: { HTTPS_PROXY: 'ftp://p:21' } }), /HTTPS_PROXY/);
  });

  it('is shown to the app as HOST:PORT only (app.info)', () => {
    const deps = { version: '1', mode: 'serve', secrets: { kind: 'memory' } } as unknown as HandlerDeps;
    const info = appInfo({ ...deps, engine: { caFiles: [], sourceMirrors: [], proxy: 'http://alice:s3cret-pw@proxy.corp:3128' } }, []);
    assert.equal(info.proxy, 'proxy.corp:3128');
    assert.doesNotMatch(JSON.stringify(info), /s3cret|alice/);
  });

  it('comes from --proxy on the CLI, serve and the app command line', () => {
    assert.equal(engineDefaultsFrom({ caFile: [], sourceMirror: [], proxy: 'http://p:3128' }).proxy, 'http://p:3128');
    assert.equal(launchEngineDefaults(['--proxy', 'http://p:3128', '--no-sandbox']).proxy, 'http://p:3128');
  });
});

describe('failures of the proxy', () => {
  const proxy = new URL('http://alice:s3cret-pw@127.0.0.1:3128');
  const target = new URL('https://127.0.0.1:5000/v2/');

  it('407 on CONNECT: AUTH_DENIED naming the proxy', () => {
    const e = proxyFailure(new Error('Proxy response (407) !== 200 when HTTP Tunneling'), proxy, target);
    assert.ok(e instanceof FerryError);
    assert.equal(e.code, 'AUTH_DENIED');
    assert.match(e.message, /proxy 127\.0\.0\.1:3128 refused the credentials/);
    assert.doesNotMatch(JSON.stringify(e.toEnvelope()), /s3cret|alice/);
  });

  it('401 on CONNECT (tinyproxy answers so) is the proxy refusing too', () => {
    const e = proxyFailure(new Error('Proxy response (401) !== 200 when HTTP Tunneling'), new URL('http://127.0.0.1:3128'), target);
    assert.ok(e instanceof FerryError);
    assert.equal(e.code, 'AUTH_DENIED');
    assert.match(e.message, /proxy 127\.0\.0\.1:3128 requires credentials and none were given \(HTTP 401\)/);
  });

  it('another CONNECT status: UNREACHABLE naming proxy and target', () => {
    const e = proxyFailure(new Error('Proxy response (403) !== 200 when HTTP Tunneling'), proxy, target);
    assert.ok(e instanceof FerryError);
    assert.equal(e.code, 'UNREACHABLE');
    assert.match(e.message, /proxy 127\.0\.0\.1:3128 would not connect to 127\.0\.0\.1:5000 \(HTTP 403\)/);
  });

  it('a refused connection is the proxy being down', () => {
    const e = proxyFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3128'), { code: 'ECONNREFUSED' }), proxy, target);
    assert.ok(e instanceof FerryError);
    assert.match(e.message, /Cannot reach the proxy 127\.0\.0\.1:3128 \(ECONNREFUSED\)/);
  });

  it('a reset mid-transfer or a TLS failure of the server is left to the caller', () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'ECONNRESET' });
    assert.equal(proxyFailure(reset, proxy, target), reset);
    const tls = Object.assign(new Error('self-signed'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    assert.equal(proxyFailure(tls, proxy, target), tls);
  });
});

describe('redaction of URL credentials', () => {
  it('removes user:password from any URL in job history strings', () => {
    const out = redact({ note: 'via http://alice:s3cret-pw@proxy.corp:3128 and https://bob@x.example/y', list: ['HTTPS_PROXY=http://u:p4ss@p:1'] });
    assert.equal(out.note, 'via http://[redacted]@proxy.corp:3128 and https://[redacted]@x.example/y');
    assert.equal(out.list[0], 'HTTPS_PROXY=http://[redacted]@p:1');
    // Digest references are not credentials.
    const refs = ['quay.io/ocp/release@sha256:0a1b', 'docker://mirror:5000/ocp/release@sha256:0a1b'];
    assert.deepEqual(redact(refs), refs);
  });
});
