import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServe, type RunningServe } from '../../electron/serve';
import type { EngineDefaults } from '../../electron/jobs/engine-options';
import { ferry, type CliResult } from '../support/cli';
import { startHttpProxy, type HttpProxy } from '../support/http-proxy';
import { createPki } from '../support/pki';
import { pushRelease } from '../support/release';
import { tempDir } from '../support/tmp';
import { startTestWorld, type TestWorld } from '../support/world';

const RELEASE = 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64';

/** The test's environment without any proxy setting of the machine running it: each case sets its own. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(https?|no|all)_proxy$/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/**
 * Issue 14 item 4: every connection of mirror, release list and extract goes through a real proxy
 * (Debian's tinyproxy with Basic auth) when HTTPS_PROXY or --proxy says so. The registries, the token
 * server and the update service all listen on 127.0.0.1 and are reached through CONNECT (the proxy's
 * log shows each one), their TLS verified inside the tunnel with the per-host CAs of certs.d. NO_PROXY
 * bypasses the proxy; a wrong, missing or stopped proxy fails naming it as HOST:PORT; its password is
 * in no output, message or job history.
 */
describe('corporate proxy', () => {
  const password = `pw-proxy-${randomBytes(8).toString('hex')}`;
  const work = tempDir('proxy');
  let world: TestWorld;
  let proxy: HttpProxy;
  let downProxyUrl: string;
  let graph: Server;
  let graphUrl: string;
  let graphHost: string;
  let graphCa: string;
  let flags: string[];
  let tokenHost: string;
  const outputs: string[] = [];

  const run = async (args: string[], env: Record<string, string>): Promise<CliResult> => {
    const r = await ferry(args, { env: envWith(env) });
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const connectsTo = async (host: string) => (await proxy.connects()).filter((c) => c === host).length;
  const listArgs = () => ['release', 'list', '--channel', 'candidate-4.15', '--graph-url', graphUrl, '--ca-file', graphCa, '--json'];

  before(async () => {
    world = await startTestWorld();
    await pushRelease(world, '4.15.3');
    proxy = await startHttpProxy({ dir: join(work.path, 'proxy'), auth: { username: 'ferry', password } });
    // A proxy that was there and is gone: its port is closed.
    const gone = await startHttpProxy({ dir: join(work.path, 'gone') });
    await gone.stop();
    downProxyUrl = `http://ferry:${password}@${gone.host}`;
    tokenHost = new URL(world.source.realm).host;
    // certs.d only (no --ca-file): the registry's own CA is what verifies it inside the tunnel.
    flags = ['--authfile', world.authfile, '--cert-dir', world.certDir, '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`];
    await mkdir(join(work.path, 'graph-pki'));
    const pki = await createPki(join(work.path, 'graph-pki'));
    graphCa = pki.ca.certPath;
    const body = await readFile(new URL('../fixtures/update-graph/candidate-4.15-amd64.json', import.meta.url));
    graph = createServer({ cert: await readFile(pki.server.certPath), key: await readFile(pki.server.keyPath) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
    graphHost = `127.0.0.1:${(graph.address() as AddressInfo).port}`;
    graphUrl = `https://${graphHost}/api/upgrades_info/v1/graph`;
  });
  after(async () => {
    await proxy?.stop();
    graph?.closeAllConnections();
    await new Promise<void>((resolve) => (graph?.listening ? graph.close(() => resolve()) : resolve()));
    await world?.stop();
    await work.cleanup();
  });

  it('mirrors a release to disk through HTTPS_PROXY: registry and token server reached through CONNECT', async () => {
    const dir = join(work.path, 'media');
    const r = await run(['mirror', '--release', RELEASE, '--to-dir', dir, ...flags], { HTTPS_PROXY: proxy.url });
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await readdir(dir)).includes('transfer.json'));
    const connects = await proxy.connects();
    assert.ok(connects.includes(world.source.host), `CONNECT ${world.source.host} in ${connects.join(', ')}`);
    assert.ok(connects.includes(tokenHost), `CONNECT ${tokenHost} (token server) in ${connects.join(', ')}`);
  });

  it('lists releases through --proxy, which wins over HTTPS_PROXY', async () => {
    const before = await connectsTo(graphHost);
    const r = await run([...listArgs(), '--proxy', proxy.url], { HTTPS_PROXY: downProxyUrl });
    assert.equal(r.code, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as { releases: unknown[] }).releases.length > 0);
    assert.equal(await connectsTo(graphHost), before + 1);
  });

  it('extracts openshift-install through the proxy, the same bytes as a direct extract', async () => {
    const viaProxy = join(work.path, 'bin-proxy');
    const direct = join(work.path, 'bin-direct');
    const before = await connectsTo(world.source.host);
    const p = await run(['extract', '--release', RELEASE, '--command', 'openshift-install', '--to', viaProxy, ...flags], { HTTPS_PROXY: proxy.url });
    assert.equal(p.code, 0, p.stderr);
    assert.ok((await connectsTo(world.source.host)) > before);
    const d = await run(['extract', '--release', RELEASE, '--command', 'openshift-install', '--to', direct, ...flags], {});
    assert.equal(d.code, 0, d.stderr);
    assert.ok((await readFile(join(viaProxy, 'openshift-install'))).equals(await readFile(join(direct, 'openshift-install'))));
  });

  it('goes direct for hosts NO_PROXY lists (host:port, or the IP), and only for them', async () => {
    const before = await proxy.connects();
    const info = await run(['release', 'info', RELEASE, ...flags, '--json'], { HTTPS_PROXY: proxy.url, NO_PROXY: `${world.source.host},${tokenHost}` });
    assert.equal(info.code, 0, info.stderr);
    const list = await run(listArgs(), { https_proxy: proxy.url, no_proxy: 'example.com, 127.0.0.1' });
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(await proxy.connects(), before, 'no connection went through the proxy');
    // A NO_PROXY entry for another port of the same IP does not match.
    const other = await run(listArgs(), { HTTPS_PROXY: proxy.url, NO_PROXY: `${world.source.host}` });
    assert.equal(other.code, 0, other.stderr);
    assert.equal(await connectsTo(graphHost), before.filter((c) => c === graphHost).length + 1);
  });

  it('keeps registry TLS verified inside the tunnel: without the CA it fails on the registry, not the proxy', async () => {
    const r = await run(['release', 'info', RELEASE, '--authfile', world.authfile, '--cert-dir', join(work.path, 'empty-certs'), '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`], { HTTPS_PROXY: proxy.url });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`TLS certificate of ${world.source.host.replace(/\./g, '\\.')} is not trusted`));
  });

  it('checks the TLS of a registry (ferry ca check) through the tunnel too', async () => {
    const before = await connectsTo(world.mirror.host);
    const ok = await run(['ca', 'check', '--registry', world.mirror.host, '--ca-file', world.ca.certPath, '--proxy', proxy.url], {});
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /chain: +verifies with the given CA/);
    assert.equal(await connectsTo(world.mirror.host), before + 1);
    const down = await run(['ca', 'check', '--registry', world.mirror.host, '--ca-file', world.ca.certPath], { HTTPS_PROXY: downProxyUrl });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /Cannot reach the proxy 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('refuses wrong or missing proxy credentials with a clear error naming the proxy', async () => {
    const wrong = `http://ferry:pw-wrong-${randomBytes(4).toString('hex')}@${proxy.host}`;
    for (const args of [['mirror', '--release', RELEASE, '--to-dir', join(work.path, 'media-wrong'), ...flags], listArgs()]) {
      const r = await run(args, { HTTPS_PROXY: wrong });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, new RegExp(`proxy ${proxy.host} refused the credentials in the proxy URL \\(HTTP 40[17]\\)`));
      assert.doesNotMatch(r.stdout + r.stderr, /pw-wrong/);
    }
    const none = await run(['release', 'info', RELEASE, ...flags], { HTTPS_PROXY: `http://${proxy.host}` });
    assert.equal(none.code, 1);
    assert.match(none.stderr, new RegExp(`proxy ${proxy.host} requires credentials and none were given`));
  });

  it('fails clearly when the proxy is down: mirror, release list and extract name it as HOST:PORT', async () => {
    const gone = new URL(downProxyUrl).host;
    const cases = [
      ['mirror', '--release', RELEASE, '--to-dir', join(work.path, 'media-down'), ...flags],
      listArgs(),
      ['extract', '--release', RELEASE, '--command', 'openshift-install', '--to', join(work.path, 'bin-down'), ...flags],
    ];
    for (const args of cases) {
      const r = await run(args, { HTTPS_PROXY: downProxyUrl });
      assert.equal(r.code, 1, `${args[0]}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout + r.stderr, new RegExp(`Cannot reach the proxy ${gone.replace(/\./g, '\\.')} \\(ECONNREFUSED\\)`), `${args[0]}: ${r.stdout}${r.stderr}`);
    }
  });

  it('keeps the proxy password out of job history and job errors (app / serve setting)', async () => {
    const rendererDir = join(work.path, 'renderer');
    await mkdir(rendererDir, { recursive: true });
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
    const engine = (proxyUrl: string): EngineDefaults => ({
      authfile: world.authfile,
      caFiles: [],
      certDir: world.certDir,
      proxy: proxyUrl,
      sourceMirrors: [`quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`],
    });
    const dataDir = join(work.path, 'serve-data');
    for (const [proxyUrl, state] of [
      [proxy.url, 'succeeded'],
      [`http://ferry:${password}x@${proxy.host}`, 'failed'],
      [downProxyUrl, 'failed'],
    ] as const) {
      const before = await connectsTo(world.source.host);
      const serve: RunningServe = await startServe({ host: '127.0.0.1', port: 0, rendererDir, dataDir, version: '0.0.0', engine: engine(proxyUrl) });
      try {
        const job = serve.jobs.start({ kind: 'mirror', params: { release: RELEASE, toDir: join(work.path, `job-${state}-${outputs.length}`), images: [], caPems: [], credentials: [] } });
        const done = await serve.jobs.whenSettled(job.id);
        assert.equal(done.state, state, JSON.stringify(done.error));
        if (state === 'succeeded') assert.ok((await connectsTo(world.source.host)) > before, 'the job went through the proxy');
        else assert.match(done.error?.message ?? '', /proxy 127\.0\.0\.1:\d+ /);
        outputs.push(JSON.stringify(done));
        await serve.jobs.flush();
      } finally {
        await serve.close();
      }
    }
    const history = await Promise.all((await readdir(join(dataDir, 'jobs'))).map((f) => readFile(join(dataDir, 'jobs', f), 'utf8')));
    assert.ok(history.length >= 3);
    for (const h of history) assert.ok(!h.includes(password), 'job history holds the proxy password');
  });

  it('never shows the proxy password: not in any output, nor in the proxy log', async () => {
    assert.ok(outputs.length > 10);
    for (const o of outputs) assert.ok(!o.includes(password), `output leaks the proxy password: ${o.slice(0, 200)}`);
    assert.ok(!(await proxy.log()).includes(password));
  });
});
