import type { Readable } from 'node:stream';
import type { SecureContext } from 'node:tls';
import type { Dispatcher } from 'undici';
import { request } from '../net/undici';
import { Connections } from '../net/connections';
import type { ProxyConfig } from '../net/proxy';
import { Authenticator, TokenCache, type AuthTarget, type CredentialLookup, type TokenFetcher } from './auth';
import { FerryError } from '../../../shared/errors';
import { httpError, parseDistributionErrors, readBounded, transportError } from './errors';
import { backoffDelay, DEFAULT_RETRY, isRetryableError, isRetryableStatus, sleep, type RetryPolicy } from './retry';
import { secureContextFor, type HostTrust } from './tls';

/**
 * HTTP to one registry: keep-alive connections (direct or through the proxy, net/connections.ts) with
 * that registry's TLS trust and a bounded number of connections, authentication on 401, redirects
 * (Authorization only ever goes to the registry's own origin: a blob-storage redirect gets none), and
 * the one retry layer.
 */
export type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface TransportRequest {
  method: Method;
  /** A path on this registry (`/v2/...`) or an absolute URL (an upload Location). */
  url: string | URL;
  headers?: Record<string, string>;
  /** A Buffer can be sent again; a stream cannot and is never retried here. */
  body?: Buffer | Readable;
  auth: AuthTarget;
  /** Defaults to: idempotent method and rewindable body. */
  retry?: boolean;
  signal?: AbortSignal;
}

export type TransportResponse = Dispatcher.ResponseData<unknown>;

export interface TransportOptions {
  trust: HostTrust;
  /** Which connections go through a proxy (HTTPS_PROXY/NO_PROXY or --proxy). */
  proxy: ProxyConfig;
  /** TLS trust for an https:// proxy, by its HOST:PORT. */
  proxyTrust?: (hostPort: string) => SecureContext;
  connections: number;
  credentials: CredentialLookup;
  retry?: RetryPolicy;
  tokenCache?: TokenCache;
}

export const USER_AGENT = 'ferry/0.1';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function header(res: TransportResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Discards a response body so its connection returns to the pool. */
export async function discard(res: TransportResponse): Promise<void> {
  await res.body.dump().catch(() => undefined);
}

/** Throws the typed registry error for an unexpected status (reads the body bounded). */
export async function failFor(res: TransportResponse, host: string, method: string, url: URL, subject?: string): Promise<never> {
  const body = method === 'HEAD' ? Buffer.alloc(0) : await readBounded(res.body).catch(() => Buffer.alloc(0));
  throw httpError({
    host,
    method,
    path: url.pathname,
    status: res.statusCode,
    errors: parseDistributionErrors(body),
    ...(subject ? { subject } : {}),
  });
}

/**
 * A redirect target (quay.io's CDN, S3 blob storage) that cannot be reached or refuses: named as such,
 * because a firewall or proxy that lets the registry through often blocks its CDN host. The signed
 * query string stays out of the message: it is a credential while it lasts.
 */
function redirectFailure(registry: string, url: URL, failure: unknown): FerryError {
  const where = `${url.host}, where ${registry} redirected a download (${url.pathname})`;
  const hint = `${registry} hands blob downloads to ${url.host} (a CDN or blob storage): allow that host through the firewall or proxy as well.`;
  if (typeof failure === 'number') {
    const code = failure === 404 ? 'NOT_FOUND' : failure === 401 || failure === 403 ? 'FORBIDDEN' : 'REGISTRY_ERROR';
    return new FerryError(code, `${where}, answered ${failure}.`, {
      hint: `${failure === 403 ? 'Its signed link may have expired: retry. ' : ''}${hint}`,
      details: { host: url.host, redirectedFrom: registry, status: failure },
    });
  }
  const cause = transportError(failure, url.host);
  return new FerryError(cause.code, `${where}: ${cause.message}`, { hint: cause.hint ? `${hint} ${cause.hint}` : hint, details: { ...cause.details, redirectedFrom: registry }, cause });
}

export class RegistryTransport {
  readonly origin: string;
  readonly authenticator: Authenticator;
  private readonly agent: Connections;
  private foreignAgent: Connections | undefined;
  private pinged: Promise<void> | undefined;
  private warmed: Promise<void> | undefined;
  private readonly policy: RetryPolicy;
  private quickest = Infinity;
  private redirected = false;

  constructor(
    readonly host: string,
    private readonly opts: TransportOptions,
  ) {
    this.origin = `https://${host}`;
    this.policy = opts.retry ?? DEFAULT_RETRY;
    // One secure context for every connection: given `ca` instead, Node builds a context per
    // connection, parsing every system root again (tens of ms of CPU per TLS handshake).
    this.agent = new Connections({
      proxy: opts.proxy,
      ...(opts.proxyTrust ? { proxyTrust: opts.proxyTrust } : {}),
      connections: opts.connections,
      keepAliveTimeout: 30_000,
      secureContext: secureContextFor(opts.trust),
    });
    this.authenticator = new Authenticator(host, opts.credentials, this.tokenFetcher, opts.tokenCache);
  }

  /**
   * Opens `n` connections at once, the ping on one and a GET /v2/ on each other, for an operation about to send
   * about that many requests in parallel: over a WAN a new connection costs two round trips (TCP, then TLS)
   * before its request, and the first wave of a plan or of blob downloads would otherwise pay them in series
   * with its own round trip. Once per transport; settles when every one has answered, and any failure is left
   * to the requests that follow.
   */
  warm(n: number, signal?: AbortSignal): Promise<void> {
    this.warmed ??= (async () => {
      const url = new URL('/v2/', this.origin);
      const opened = Array.from({ length: Math.max(0, n - 1) }, () =>
        this.raw(url, { method: 'GET', headers: { 'user-agent': USER_AGENT }, dispatcher: this.agent, ...(signal ? { signal } : {}) }, false).then(discard),
      );
      await Promise.allSettled([this.ping(signal), ...opened]);
    })();
    return this.warmed;
  }

  /** GET /v2/ once: proves TLS and reachability and learns the auth challenge before any body is streamed. */
  ping(signal?: AbortSignal): Promise<void> {
    this.pinged ??= this.doPing(signal).catch((e: unknown) => {
      this.pinged = undefined;
      throw e;
    });
    return this.pinged;
  }

  private async doPing(signal?: AbortSignal): Promise<void> {
    const url = new URL('/v2/', this.origin);
    const res = await this.raw(url, { method: 'GET', headers: { 'user-agent': USER_AGENT }, dispatcher: this.agent, ...(signal ? { signal } : {}) }, true);
    if (res.statusCode === 401) {
      this.authenticator.learn(header(res, 'www-authenticate'), { scopes: [] });
      await discard(res);
      return;
    }
    if (res.statusCode >= 200 && res.statusCode < 300) {
      await discard(res);
      return;
    }
    await failFor(res, this.host, 'GET', url, `${this.host} does not answer as a container registry`);
  }

  /** One request with retries (per policy) over network errors, 429 and 5xx. */
  private async raw(url: URL, init: Parameters<typeof request>[1] & { method: string }, retry: boolean): Promise<TransportResponse> {
    for (let attempt = 0; ; attempt++) {
      const last = !retry || attempt + 1 >= this.policy.attempts;
      let res: TransportResponse;
      try {
        res = await request(url, init);
      } catch (e) {
        if (init?.signal && (init.signal as AbortSignal).aborted) throw (init.signal as AbortSignal).reason;
        if (!last && isRetryableError(e)) {
          await sleep(backoffDelay(this.policy, attempt), init?.signal as AbortSignal | undefined);
          continue;
        }
        throw transportError(e, url.host);
      }
      if (!last && isRetryableStatus(res.statusCode)) {
        const retryAfter = header(res, 'retry-after');
        await discard(res);
        await sleep(backoffDelay(this.policy, attempt, retryAfter), init?.signal as AbortSignal | undefined);
        continue;
      }
      return res;
    }
  }

  /**
   * What this registry's answers say of the link to it: the quickest answer so far (request sent to response
   * head, one round trip plus the least the registry took), and whether it ever sent a GET elsewhere (blob
   * storage), whose link this one says nothing of.
   */
  link(): { roundTripMs: number; redirected: boolean } {
    return { roundTripMs: this.quickest, redirected: this.redirected };
  }

  resolve(url: string | URL): URL {
    return url instanceof URL ? url : new URL(url, this.origin);
  }

  async send(req: TransportRequest): Promise<TransportResponse> {
    await this.ping(req.signal);
    const rewindable = req.body === undefined || Buffer.isBuffer(req.body);
    const retry = req.retry ?? (rewindable && req.method !== 'POST' && req.method !== 'PATCH');
    let url = this.resolve(req.url);
    let auth = req.auth;
    let refreshed = false;
    for (let redirects = 0; ; ) {
      const own = url.origin === this.origin;
      const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...req.headers };
      if (own) {
        const authorization = await this.authenticator.authorization(auth);
        if (authorization) headers.authorization = authorization;
      }
      const sent = performance.now();
      const res = await this.raw(
        url,
        {
          method: req.method,
          headers,
          dispatcher: own ? this.agent : this.foreign(),
          // undici closes the connection after every HEAD (for servers that wrongly send a body); a
          // registry answers HEAD properly, and a new TLS connection per blob check cost more than the check.
          ...(req.method === 'HEAD' && own ? { reset: false } : {}),
          ...(req.body !== undefined ? { body: req.body } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
        },
        retry,
      ).catch((e: unknown) => {
        throw own || req.signal?.aborted ? e : redirectFailure(this.host, url, e);
      });
      if (own) this.quickest = Math.min(this.quickest, performance.now() - sent);
      else this.redirected = true;
      if (!own && req.method === 'GET' && res.statusCode >= 400) {
        await discard(res);
        throw redirectFailure(this.host, url, res.statusCode);
      }
      if (res.statusCode === 401 && own) {
        await discard(res);
        if (refreshed || !rewindable) throw this.authenticator.refused(auth);
        const extra = this.authenticator.learn(header(res, 'www-authenticate'), auth);
        auth = { ...auth, scopes: [...auth.scopes, ...extra] };
        refreshed = true;
        continue;
      }
      const location = header(res, 'location');
      if (REDIRECTS.has(res.statusCode) && location && (req.method === 'GET' || req.method === 'HEAD') && redirects < 5) {
        await discard(res);
        url = new URL(location, url);
        redirects++;
        continue;
      }
      return res;
    }
  }

  /** Redirect targets on other hosts (blob storage) get the same trust but never our credentials. */
  private foreign(): Connections {
    this.foreignAgent ??= new Connections({
      proxy: this.opts.proxy,
      ...(this.opts.proxyTrust ? { proxyTrust: this.opts.proxyTrust } : {}),
      connections: this.opts.connections,
      secureContext: secureContextFor({ ...(this.opts.trust.ca ? { ca: this.opts.trust.ca } : {}) }),
    });
    return this.foreignAgent;
  }

  private readonly tokenFetcher: TokenFetcher = async (url, init) => {
    const res = await this.raw(
      url,
      { method: init.method, headers: { 'user-agent': USER_AGENT, ...init.headers }, ...(init.body ? { body: init.body } : {}), dispatcher: url.origin === this.origin ? this.agent : this.foreign() },
      true,
    );
    const body = await readBounded(res.body);
    let json: unknown = {};
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      // A non-JSON answer is reported through its status; a 200 without JSON has no token.
    }
    return { status: res.statusCode, body: json };
  };

  async close(): Promise<void> {
    await Promise.all([this.agent.close(), this.foreignAgent?.close()]);
  }
}
