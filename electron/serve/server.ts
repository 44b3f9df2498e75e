import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline, type Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventName, EventOf } from '../../shared/api/contract';
import { clientFrameSchema, MAX_FRAME_BYTES, WS_PATH, type ServerFrame } from '../../shared/api/wire';
import type { Dispatch } from '../host/dispatcher';
import { contentSecurityPolicy, securityHeaders } from '../host/security-policy';
import { allowedHosts, cookieToken, isAllowedOrigin, sessionCookie, tokenMatches } from './access';
import { openStatic, resolveStatic } from './static-files';

/** Who sent a WebSocket call: only authenticated sockets ever reach the dispatcher. */
export interface ServeSender {
  authenticated: true;
}

export interface ServeServerOptions {
  host: string;
  port: number;
  rendererDir: string;
  dispatch: Dispatch<ServeSender>;
  /** Fixed token (tests); default a fresh random one per start. */
  token?: string;
}

export interface ServeServer {
  /** What to open: carries the one-time token. */
  url: string;
  port: number;
  token: string;
  broadcast<E extends EventName>(event: E, payload: EventOf<E>): void;
  close(): Promise<void>;
}


/**
 * `ferry serve`: the built renderer and the API over a WebSocket on one loopback port. Every HTTP
 * request and WebSocket upgrade needs the token (from the URL once, then the HttpOnly cookie);
 * upgrades from a foreign Origin are refused; Host must be loopback (no DNS rebinding).
 */
export async function startServeServer(opts: ServeServerOptions): Promise<ServeServer> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  let port = 0;

  const authorized = (req: IncomingMessage, url: URL) => tokenMatches(url.searchParams.get('token'), token) || tokenMatches(cookieToken(req), token);
  const hostOk = (req: IncomingMessage) => allowedHosts(port).has(req.headers.host ?? '');

  const server = createServer((req, res) => {
    res.on('error', (e) => log('response', e));
    handleHttp(req, res).catch((e: unknown) => {
      log('request', e);
      if (!res.headersSent) plain(res, 500, 'Ferry could not answer this request.');
      else res.destroy();
    });
  });
  // Every socket has an error handler: a peer that resets, sends garbage or a frame over the limit
  // costs its own connection, never the server (an unhandled 'error' event ends the process).
  server.on('clientError', (e, socket) => {
    log('client', e);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  wss.on('error', (e) => log('websocket server', e));

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = securityHeaders(contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]));
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!hostOk(req)) return plain(res, 421, 'Ferry answers only on 127.0.0.1 or localhost.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed.');
    if (!authorized(req, url)) {
      return plain(res, 401, 'Ferry: this page needs the access token. Open the address printed by `ferry serve` (it ends with ?token=...).');
    }
    if (url.searchParams.has('token')) {
      // Keep the token in an HttpOnly cookie and drop it from the address bar and history.
      res.setHeader('Set-Cookie', sessionCookie(token));
      url.searchParams.delete('token');
      res.writeHead(303, { Location: url.pathname + url.search });
      return void res.end();
    }
    const found = (await resolveStatic(opts.rendererDir, url.pathname)) ?? (!/\.\w+$/.test(url.pathname) ? await resolveStatic(opts.rendererDir, '/') : undefined);
    if (!found) return plain(res, 404, 'Not found.');
    res.writeHead(200, {
      'Content-Type': found.type,
      'Content-Length': found.size,
      'Cache-Control': found.type.startsWith('text/html') ? 'no-store' : 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    pipeline(openStatic(found.file), res, (e) => e && log('static file', e));
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (e) => log('upgrade', e));
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== WS_PATH || !hostOk(req)) return refuse(404, 'Not Found');
    if (!isAllowedOrigin(req.headers.origin, port)) return refuse(403, 'Forbidden');
    if (!authorized(req, url)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const sender: ServeSender = { authenticated: true };

  function attach(ws: WebSocket): void {
    // A frame over maxPayload arrives here as an error after ws has closed the socket with 1009
    // ("message too big"), which the client turns into a clear "request too large" error.
    ws.on('error', (e) => log('websocket', e));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      let frame;
      try {
        frame = clientFrameSchema.parse(JSON.parse(data.toString()));
      } catch {
        return ws.close(1007, 'malformed frame');
      }
      const { id, method, payload } = frame;
      // The dispatcher answers every failure as an envelope; this catch is only for a send that throws.
      opts.dispatch(sender, method, payload).then(
        (reply) => send(ws, { type: 'reply', id, reply }),
        (e: unknown) => log('dispatch', e),
      );
    });
  }

  function send(ws: WebSocket, frame: ServerFrame): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  server.on('error', (e) => log('server', e));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : opts.port;
  const shownHost = opts.host === '::1' ? '[::1]' : opts.host;

  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    broadcast(event, payload) {
      for (const ws of wss.clients) send(ws, { type: 'event', event, payload });
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One line on stderr per connection-level failure: a peer's misbehaviour is worth a note, not a crash. */
function log(where: string, e: unknown): void {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  process.stderr.write(`ferry serve: ${where} error${code ? ` (${code})` : ''}: ${e instanceof Error ? e.message : String(e)}\n`);
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}
