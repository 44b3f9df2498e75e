import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startServe, type RunningServe } from '../../electron/serve';
import { createApiClient } from '../../shared/api/client';
import { createWebSocketTransport } from '../../shared/api/ws-transport';
import type { FerryApi } from '../../shared/api/contract';
import { CLOSE_TOO_BIG, WS_PATH } from '../../shared/api/wire';

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
    assert.ok(info.unavailable.includes('fs.showInFolder'), 'no file manager to show a folder in');
    assert.ok(!info.unavailable.includes('jobs.start'));
    assert.ok(!info.unavailable.includes('settings.update'), 'serve remembers settings in its data dir');
  });

  it('rejects a bad payload with INVALID_INPUT and an unwired method with UNSUPPORTED', async () => {
    await assert.rejects(api.fs.stat({ path: 42 as unknown as string }), (e: Error & { code?: string }) => e.code === 'INVALID_INPUT' && /path/.test(e.message));
    await assert.rejects(api.fs.pickDirectory(), (e: Error & { code?: string }) => e.code === 'UNSUPPORTED' && /not yet available/.test(e.message));
    await api.fs.allow({ path: dir, access: 'read' });
    const st = await api.fs.stat({ path: dir });
    assert.equal(st.kind, 'directory');
    assert.equal(st.writable, true);
  });

  it('refuses fs.saveText, fs.stat and fs.freeSpace outside the folders chosen in the session', async () => {
    const chosen = join(dir, 'chosen');
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(chosen);
    await mkdir(elsewhere);
    const forbidden = (e: Error & { code?: string }) => e.code === 'FORBIDDEN' && /outside the folders chosen/.test(e.message);
    // Nothing but the data dir is granted at start: not the home directory, not /tmp, not /etc.
    await assert.rejects(api.fs.saveText({ text: 'x', defaultName: 'a', path: join(elsewhere, 'a.yaml') }), forbidden);
    await assert.rejects(api.fs.saveText({ text: 'x', defaultName: 'a', path: '/etc/ferry-planted' }), forbidden);
    await assert.rejects(api.fs.stat({ path: '/etc/shadow' }), forbidden);
    await assert.rejects(api.fs.freeSpace({ path: '/etc' }), forbidden);
    await assert.rejects(api.fs.allow({ path: '/', access: 'write' }), (e: Error & { code?: string }) => e.code === 'FORBIDDEN' && /whole file system/.test(e.message));
    await assert.rejects(stat(join(elsewhere, 'a.yaml')), { code: 'ENOENT' });

    // A read grant does not allow writing.
    await api.fs.allow({ path: chosen, access: 'read' });
    await assert.rejects(api.fs.saveText({ text: 'x', defaultName: 'a', path: join(chosen, 'a.yaml') }), forbidden);

    assert.equal((await api.fs.allow({ path: chosen, access: 'write' })).path, chosen);
    // A mode sent by the client (setuid, world-writable) is not part of the contract and is ignored.
    const saved = await api.fs.saveText({ text: 'kind: ImageDigestMirrorSet\n', defaultName: 'idms.yaml', path: join(chosen, 'sub', '..', 'idms.yaml'), mode: 0o4777 } as never);
    assert.equal(saved.path, join(chosen, 'idms.yaml'));
    assert.equal((await stat(join(chosen, 'idms.yaml'))).mode & 0o7777, 0o644);
    await api.fs.saveText({ text: '{"auths":{}}', defaultName: 'pull-secret.json', path: join(chosen, 'pull-secret.json'), secret: true });
    assert.equal((await stat(join(chosen, 'pull-secret.json'))).mode & 0o7777, 0o600);
    // The data dir is granted from the start.
    await api.fs.saveText({ text: 'x', defaultName: 'n', path: join(dir, 'data', 'note.txt') });

    // A symlinked directory inside the grant that leads out of it is judged by where it leads.
    await symlink(elsewhere, join(chosen, 'escape'));
    await assert.rejects(api.fs.saveText({ text: 'x', defaultName: 'a', path: join(chosen, 'escape', 'a.yaml') }), forbidden);
    // So is a symlink planted at the file name: refused, its target untouched.
    await writeFile(join(elsewhere, 'victim'), 'untouched');
    await symlink(join(elsewhere, 'victim'), join(chosen, 'planted.yaml'));
    await assert.rejects(api.fs.saveText({ text: 'new', defaultName: 'p', path: join(chosen, 'planted.yaml') }), forbidden);
    assert.equal(await readFile(join(elsewhere, 'victim'), 'utf8'), 'untouched');
    assert.ok((await lstat(join(chosen, 'planted.yaml'))).isSymbolicLink());
    assert.equal((await api.fs.stat({ path: join(chosen, 'idms.yaml') })).kind, 'file');
  });

  it('answers a 5 MiB frame with an error and keeps serving', async () => {
    const big = await openWs(`ws://127.0.0.1:${serve.port}${WS_PATH}`, { origin, cookie });
    assert.ok(big.ws);
    const closed = new Promise<number>((resolve) => big.ws!.once('close', (code) => resolve(code)));
    big.ws.on('error', () => {});
    big.ws.send(JSON.stringify({ type: 'invoke', id: 1, method: 'pullSecret.validate', payload: { text: 'x'.repeat(5 * 1024 * 1024) } }));
    assert.equal(await closed, CLOSE_TOO_BIG, 'the server closes with 1009 "message too big"');
    // The server is still up: the open connection answers and a new one can be made.
    assert.equal((await api.app.info()).mode, 'serve');
    const again = await openWs(`ws://127.0.0.1:${serve.port}${WS_PATH}`, { origin, cookie });
    assert.ok(again.ws, 'a new connection opens');
    again.ws.close();
  });

  it('survives a malformed HTTP request and a socket reset mid-upgrade', async () => {
    const garbage = await new Promise<string>((resolve, reject) => {
      const s = connect(serve.port, '127.0.0.1', () => s.write('NOT HTTP AT ALL\r\n\0\0\r\n\r\n'));
      let got = '';
      s.on('data', (c) => (got += c.toString()));
      s.on('close', () => resolve(got));
      s.on('error', reject);
    });
    assert.match(garbage, /^HTTP\/1\.1 400/);
    const reset = connect(serve.port, '127.0.0.1', () => {
      reset.write(`GET ${WS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`);
      reset.resetAndDestroy();
    });
    await new Promise((r) => reset.on('close', r));
    assert.equal((await api.app.info()).mode, 'serve');
    assert.equal((await get(serve.port, '/', { cookie })).status, 200);
  });

  it('turns the server closing on an oversized frame into a clear error, and refuses one before sending', async () => {
    // Through the client transport the request is refused before it leaves, and the connection stays.
    await assert.rejects(api.pullSecret.validate({ text: 'x'.repeat(5 * 1024 * 1024) }), (e: Error & { code?: string }) => e.code === 'INVALID_INPUT' && /larger than Ferry accepts \(4 MiB/.test(e.message));
    assert.equal((await api.app.info()).mode, 'serve');
    // A client that sends it anyway (no pre-check) gets the same words once the server closes the socket.
    const raw = await openWs(`ws://127.0.0.1:${serve.port}${WS_PATH}`, { origin, cookie });
    raw.ws!.on('error', () => {});
    const unchecked = createApiClient(createWebSocketTransport(raw.ws!));
    const pending = unchecked.app.info();
    raw.ws!.send(JSON.stringify({ type: 'invoke', id: 99, method: 'app.info', payload: { pad: 'x'.repeat(5 * 1024 * 1024) } }));
    await pending.then(
      () => assert.ok(true, 'the small call may be answered before the big frame is read'),
      (e: Error & { code?: string }) => assert.equal(e.code, 'INVALID_INPUT'),
    );
    await assert.rejects(unchecked.app.info(), (e: Error & { code?: string }) => e.code === 'INVALID_INPUT' && /larger than Ferry accepts/.test(e.message));
  });

  it('runs transfer.verify and a verify job on the real media engine', async () => {
    const empty = join(dir, 'not-a-transfer');
    await mkdir(empty);
    await assert.rejects(api.transfer.verify({ dir: '/etc' }), (e: Error & { code?: string }) => e.code === 'FORBIDDEN');
    await api.fs.allow({ path: empty, access: 'read' });
    await assert.rejects(api.transfer.verify({ dir: empty }), (e: Error & { code?: string }) => e.code === 'INVALID_INPUT' && /transfer\.json/.test(e.message));
    // A job's folders must be chosen in the session first (the UI grants them when the operator starts the job).
    await assert.rejects(api.jobs.start({ kind: 'verify', params: { dir: '/etc' } }), (e: Error & { code?: string }) => e.code === 'FORBIDDEN');
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
    await api.fs.allow({ path: join(dir, 'media'), access: 'write' });
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
