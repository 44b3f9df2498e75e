import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startServe, type RunningServe } from '../../electron/serve';
import { createApiClient } from '../../shared/api/client';
import { createWebSocketTransport } from '../../shared/api/ws-transport';
import type { FerryApi } from '../../shared/api/contract';
import { WS_PATH } from '../../shared/api/wire';

const SECRET = 'Zq9-serve-secret-Pw-771';

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves with the socket once open, or with the HTTP status that refused it. */
function openWs(url: string, headers: Record<string, string>): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.once('error', () => resolve({}));
  });
}

describe('ferry serve', () => {
  let dir: string;
  let serve: RunningServe;
  let origin: string;
  let cookie: string;
  let ws: WebSocket;
  let api: FerryApi;
  const framesReceived: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-serve-'));
    const rendererDir = join(dir, 'renderer');
    await mkdir(join(rendererDir, 'assets'), { recursive: true });
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Ferry test page</title><div id="root"></div>');
    await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
    await writeFile(join(dir, 'outside.txt'), 'must not be served');
    serve = await startServe({ host: '127.0.0.1', port: 0, rendererDir, dataDir: join(dir, 'data'), version: '9.9.9' });
    origin = `http://127.0.0.1:${serve.port}`;
  });

  after(async () => {
    ws?.close();
    await serve.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL carrying the token', () => {
    assert.match(serve.url, new RegExp(`^http://127\\.0\\.0\\.1:${serve.port}/\\?token=[\\w-]{32,}$`));
  });

  it('answers 401 without a token and with a wrong one', async () => {
    const none = await get(serve.port, '/');
    assert.equal(none.status, 401);
    assert.match(none.body, /access token/);
    assert.doesNotMatch(none.body, /Ferry test page/);
    assert.equal((await get(serve.port, '/?token=not-the-token')).status, 401);
    assert.equal((await get(serve.port, '/assets/app.js')).status, 401);
  });

  it('trades a good token for an HttpOnly SameSite=Strict cookie and serves the app with the CSP', async () => {
    const first = await get(serve.port, `/?token=${serve.token}`);
    assert.equal(first.status, 303);
    assert.equal(first.headers.location, '/');
    const setCookie = String(first.headers['set-cookie']);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    cookie = setCookie.split(';')[0]!;
    const page = await get(serve.port, '/', { cookie });
    assert.equal(page.status, 200);
    assert.match(page.body, /Ferry test page/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${serve.port}`));
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.equal((await get(serve.port, '/assets/app.js', { cookie })).status, 200);
  });

  it('refuses foreign Host headers and paths outside the app', async () => {
    assert.equal((await get(serve.port, '/', { cookie, host: 'evil.example:80' })).status, 421);
    assert.equal((await get(serve.port, '/%2e%2e/outside.txt', { cookie })).status, 404);
    assert.equal((await get(serve.port, '/..%2foutside.txt', { cookie })).status, 404);
  });

  it('refuses a WebSocket without the token (401) and from a foreign Origin (403)', async () => {
    const noToken = await openWs(`ws://127.0.0.1:${serve.port}${WS_PATH}`, { origin });
    assert.equal(noToken.status, 401);
    const foreign = await openWs(`ws://127.0.0.1:${serve.port}${WS_PATH}`, { origin: 'http://evil.example', cookie });
    assert.equal(foreign.status, 403);
    const noOrigin = await openWs(`ws://127.0.0.1:${serve.port}${WS_PATH}?token=${serve.token}`, {});
    assert.equal(noOrigin.status, 403);
  });

  it('calls app.info end to end over the WebSocket with the cookie', async () => {
    const opened = await openWs(`ws://127.0.0.1:${serve.port}${WS_PATH}`, { origin, cookie });
    assert.ok(opened.ws, 'the socket opens');
    ws = opened.ws;
    ws.on('message', (data) => framesReceived.push(data.toString()));
    api = createApiClient(createWebSocketTransport(ws));
    const info = await api.app.info();
    assert.equal(info.mode, 'serve');
    assert.equal(info.version, '9.9.9');
    assert.ok(['keychain', 'memory'].includes(info.secretStore));
    assert.ok(info.unavailable.includes('fs.pickDirectory'), 'no native dialogs in a browser');
    assert.ok(!info.unavailable.includes('jobs.start'));
  });

  it('rejects a bad payload with INVALID_INPUT and an unwired method with UNSUPPORTED', async () => {
    await assert.rejects(api.fs.stat({ path: 42 as unknown as string }), (e: Error & { code?: string }) => e.code === 'INVALID_INPUT' && /path/.test(e.message));
    await assert.rejects(api.fs.pickDirectory(), (e: Error & { code?: string }) => e.code === 'UNSUPPORTED' && /not yet available/.test(e.message));
    const st = await api.fs.stat({ path: dir });
    assert.equal(st.kind, 'directory');
    assert.equal(st.writable, true);
  });

  it('runs transfer.verify and a verify job on the real media engine', async () => {
    const empty = join(dir, 'not-a-transfer');
    await mkdir(empty);
    await assert.rejects(api.transfer.verify({ dir: empty }), (e: Error & { code?: string }) => e.code === 'INVALID_INPUT' && /transfer\.json/.test(e.message));
    const { id } = await api.jobs.start({ kind: 'verify', params: { dir: empty } });
    const job = await serve.jobs.whenSettled(id);
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.code, 'INVALID_INPUT');
    assert.match(job.error?.message ?? '', /transfer\.json/);
  });

  it('keeps secrets out of every frame sent to the page', async () => {
    await api.secrets.save({ name: 'mirror-admin', kind: 'registry-password', value: SECRET, registry: '127.0.0.1:5000', username: 'admin' });
    const listed = await api.secrets.list();
    assert.deepEqual(
      listed.secrets.map((s) => [s.name, s.kind, s.username]),
      [['mirror-admin', 'registry-password', 'admin']],
    );
    const changed: string[] = [];
    const off = api.subscribe('jobs.changed', (e) => changed.push(e.job.state));
    const { id } = await api.jobs.start({
      kind: 'push',
      params: { fromDir: join(dir, 'media'), to: '127.0.0.1:5000/ocp', credentials: [{ registry: '127.0.0.1:5000', username: 'admin', password: SECRET }] },
    });
    const job = await serve.jobs.whenSettled(id);
    // The real push engine ran with the credentials in memory and refused the missing media by name.
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.code, 'INVALID_INPUT');
    assert.match(job.error?.message ?? '', /transfer\.json/);
    await new Promise((r) => setTimeout(r, 100));
    off();
    assert.ok(changed.includes('failed'), 'the page heard the job end');
    const seen = await api.jobs.get({ id });
    assert.equal((seen.params.credentials as Array<{ password: string }>)[0]?.password, '[redacted]');
    assert.ok(framesReceived.length > 0);
    for (const f of framesReceived) assert.ok(!f.includes(SECRET), `frame leaks the secret: ${f.slice(0, 120)}`);
    await serve.jobs.flush();
    const historyDir = join(dir, 'data', 'jobs');
    for (const f of await readdir(historyDir)) assert.ok(!(await readFile(join(historyDir, f), 'utf8')).includes(SECRET));
  });
});

describe('ferry serve (CLI)', () => {
  it('says to build first when the renderer is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-serve-cli-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', 'serve', '--renderer-dir', join(dir, 'none'), '--data-dir', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 1);
      assert.match(stderr, /npm run build/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a non-loopback --host with exit 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', 'serve', '--host', '0.0.0.0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /loopback/);
  });
});
