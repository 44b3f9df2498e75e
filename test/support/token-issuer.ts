import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID, sign, timingSafeEqual, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { TestPki } from './pki';
import { listenOnLoopback } from './loopback';

/** One request the issuer answered. Never holds a password. */
export interface TokenRequestLog {
  account?: string;
  service?: string;
  /** Scopes as requested, e.g. "repository:ferry/oci:pull,push". */
  scopes: string[];
  /** Scopes as granted, with only the allowed actions; scopes with no allowed action are left out. */
  granted: string[];
  ok: boolean;
  status: number;
}

export interface TokenIssuer {
  realm: string; // https://127.0.0.1:PORT/token
  host: string;
  requests(): TokenRequestLog[];
  close(): Promise<void>;
}

export interface TokenIssuerOptions {
  pki: TestPki;
  service: string;
  issuer: string;
  users: ReadonlyMap<string, string>;
  /** Anonymous requests get pull (and nothing else); without this they are refused. */
  anonymousPull: boolean;
  ttlSeconds: number;
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

/** What an authenticated user may do: pull and push on every repository, nothing else. */
const USER_ACTIONS = new Set(['pull', 'push']);
const ANONYMOUS_ACTIONS = new Set(['pull']);

/** Docker scope grammar: type[(class)]:name:actions — the name may itself hold colons (ports). */
function parseScope(scope: string): Access | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(',').filter(Boolean),
  };
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  // Compare digests so lengths are equal and the comparison time says nothing about the password.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function basicCredentials(req: IncomingMessage): { user: string; password: string } | undefined | 'malformed' {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return 'malformed';
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function startTokenIssuer(opts: TokenIssuerOptions): Promise<TokenIssuer> {
  const log: TokenRequestLog[] = [];
  const x5c = [opts.pki.signing.certDer.toString('base64')];

  function jwt(account: string, access: Access[]): { token: string; issuedAt: Date } {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c };
    const claims = {
      iss: opts.issuer,
      sub: account,
      aud: opts.service,
      exp: now + opts.ttlSeconds,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), opts.pki.signing.keyPem);
    return { token: `${signingInput}.${b64url(signature)}`, issuedAt: new Date(now * 1000) };
  }

  function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://issuer.invalid');
    if (url.pathname !== '/token') {
      reply(res, 404, { errors: [{ code: 'NOT_FOUND', message: `no such endpoint ${url.pathname}` }] });
      return;
    }
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    const service = url.searchParams.get('service') ?? undefined;
    const entry: TokenRequestLog = { scopes, granted: [], ok: false, status: 0, ...(service ? { service } : {}) };
    log.push(entry);
    const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}): void => {
      entry.status = status;
      reply(res, status, { errors: [{ code, message }], details: message }, headers);
    };

    if (req.method !== 'GET') return fail(405, 'UNSUPPORTED', 'only GET is supported', { allow: 'GET' });
    if (service !== opts.service) return fail(400, 'INVALID_REQUEST', `unknown service ${JSON.stringify(service ?? '')}`);

    const creds = basicCredentials(req);
    if (creds === 'malformed') return fail(400, 'INVALID_REQUEST', 'malformed Authorization header');
    let allowed: Set<string>;
    if (creds) {
      entry.account = creds.user;
      const expected = opts.users.get(creds.user);
      if (expected === undefined || !sameSecret(expected, creds.password)) {
        return fail(401, 'UNAUTHORIZED', 'invalid username or password', { 'www-authenticate': 'Basic realm="ferry-test"' });
      }
      allowed = USER_ACTIONS;
    } else if (opts.anonymousPull) {
      allowed = ANONYMOUS_ACTIONS;
    } else {
      return fail(401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': 'Basic realm="ferry-test"' });
    }

    const access: Access[] = [];
    for (const scope of scopes) {
      const parsed = parseScope(scope);
      if (!parsed) return fail(400, 'INVALID_REQUEST', `malformed scope ${JSON.stringify(scope)}`);
      if (parsed.type !== 'repository') continue;
      const actions = parsed.actions.filter((a) => allowed.has(a));
      if (actions.length > 0) access.push({ ...parsed, actions });
    }
    entry.granted = access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`);
    const { token, issuedAt } = jwt(creds?.user ?? '', access);
    entry.ok = true;
    entry.status = 200;
    reply(res, 200, { token, access_token: token, expires_in: opts.ttlSeconds, issued_at: issuedAt.toISOString() });
  }

  const server: Server = createServer(
    { key: await readFile(opts.pki.server.keyPath), cert: await readFile(opts.pki.server.certPath) },
    handle,
  );
  const host = await listenOnLoopback(server);
  let closed: Promise<void> | undefined;
  return {
    realm: `https://${host}/token`,
    host,
    requests: () => log.map((e) => ({ ...e, scopes: [...e.scopes], granted: [...e.granted] })),
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
