import type { SecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { Agent, Client, DispatcherBase, ProxyAgent } from './undici';
import { FerryError } from '../../../shared/errors';
import { errorCode } from '../registry/errors';
import { secureContextFor, type TrustStore } from '../registry/tls';
import { proxyFor, proxyLabel, type ProxyConfig } from './proxy';

/**
 * Every outbound HTTP connection of the engine (registries, their blob-storage redirects, token
 * servers, the update graph, signature stores) goes through a Connections dispatcher: per request it
 * picks a direct connection or the proxy (proxy.ts), and opens TLS to the server with the caller's
 * trust either way (through a proxy, inside the CONNECT tunnel, so a per-registry CA still verifies
 * the registry and the proxy never sees the traffic). Failures of the proxy itself come out as
 * FerryErrors naming it as HOST:PORT; everything else is left to the caller's own error mapping.
 */
export interface ConnectionOptions {
  proxy: ProxyConfig;
  /** TLS trust for the servers reached (not the proxy). */
  secureContext: SecureContext;
  /** TLS trust for an https:// proxy, by its HOST:PORT; the system roots when absent. */
  proxyTrust?: (hostPort: string) => SecureContext;
  /** Connections per server. */
  connections?: number;
  keepAliveTimeout?: number;
  /** Connect, headers and body timeout (undici's defaults when absent). */
  timeoutMs?: number;
}

// Failures to open a connection. Through a proxy only the proxy's connection is ours to open: a refused
// or unresolvable server comes back as a CONNECT status instead.
const CONNECT_FAILED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** A failure on the way through `proxy` as the error to report, or `e` itself when the proxy is not what failed. */
export function proxyFailure(e: unknown, proxy: URL, target: URL): unknown {
  if (e instanceof FerryError) return e;
  const label = proxyLabel(proxy);
  const message = e instanceof Error ? e.message : String(e);
  // undici reports a CONNECT answer other than 200 only in words ("Proxy response (407) !== 200…").
  const status = /Proxy (?:response|Authentication Required) ?\((\d{3})\)/i.exec(message)?.[1];
  const details = { proxy: label, host: target.host };
  // Only the proxy answers a CONNECT: 407 is its standard refusal, and tinyproxy (among others) sends 401.
  if (status === '407' || status === '401') {
    const said = proxy.username ? 'refused the credentials in the proxy URL' : 'requires credentials and none were given';
    return new FerryError('AUTH_DENIED', `The proxy ${label} ${said} (HTTP ${status}).`, {
      hint: 'Give the proxy as http://USER:PASSWORD@HOST:PORT in --proxy (or HTTPS_PROXY), percent-encoding special characters.',
      details: { ...details, status: Number(status) },
      cause: e,
    });
  }
  if (status !== undefined) {
    return new FerryError('UNREACHABLE', `The proxy ${label} would not connect to ${target.host} (HTTP ${status}).`, {
      hint: `Check that the proxy allows connections to ${target.host}, or list that host in NO_PROXY to reach it directly.`,
      details: { ...details, status: Number(status) },
      cause: e,
    });
  }
  const code = errorCode(e);
  if (code !== undefined && CONNECT_FAILED.has(code)) {
    return new FerryError('UNREACHABLE', `Cannot reach the proxy ${label} (${code}) on the way to ${target.host}.`, {
      hint: 'Check that the proxy is running and that --proxy (or HTTPS_PROXY/HTTP_PROXY) names it; list hosts to reach directly in NO_PROXY.',
      details: { ...details, error: code },
      cause: e,
    });
  }
  return e;
}

/** The request's handler with its error callbacks passing through proxyFailure. */
function reportingProxy(handler: Dispatcher.DispatchHandler, proxy: URL, target: URL): Dispatcher.DispatchHandler {
  return new Proxy(handler, {
    get(h, prop) {
      const value: unknown = Reflect.get(h, prop);
      if (typeof value !== 'function') return value;
      if (prop === 'onError') return (err: Error) => value.call(h, proxyFailure(err, proxy, target));
      if (prop === 'onResponseError') return (controller: unknown, err: Error) => value.call(h, controller, proxyFailure(err, proxy, target));
      return value.bind(h);
    },
  });
}

export class Connections extends DispatcherBase {
  private direct: Agent | undefined;
  private readonly tunnels = new Map<string, ProxyAgent>();

  constructor(private readonly opts: ConnectionOptions) {
    super();
  }

  /** The proxy a request to `url` would use (undefined: direct). */
  proxyFor(url: URL): URL | undefined {
    return proxyFor(url, this.opts.proxy);
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const target = new URL(String(options.origin));
    const proxy = this.proxyFor(target);
    if (!proxy) return this.directAgent().dispatch(options, handler);
    return this.tunnel(proxy).dispatch(options, reportingProxy(handler, proxy, target));
  }

  private timeouts(): { headersTimeout?: number; bodyTimeout?: number } {
    return this.opts.timeoutMs !== undefined ? { headersTimeout: this.opts.timeoutMs, bodyTimeout: this.opts.timeoutMs } : {};
  }

  private pool(): { connections?: number; keepAliveTimeout?: number } {
    return {
      ...(this.opts.connections !== undefined ? { connections: this.opts.connections } : {}),
      ...(this.opts.keepAliveTimeout !== undefined ? { keepAliveTimeout: this.opts.keepAliveTimeout } : {}),
    };
  }

  private directAgent(): Agent {
    this.direct ??= new Agent({
      ...this.pool(),
      ...this.timeouts(),
      ...(this.opts.timeoutMs !== undefined ? { connectTimeout: this.opts.timeoutMs } : {}),
      connect: { secureContext: this.opts.secureContext },
    });
    return this.direct;
  }

  private tunnel(proxy: URL): ProxyAgent {
    let agent = this.tunnels.get(proxy.href);
    if (!agent) {
      const timeout = this.opts.timeoutMs !== undefined ? { timeout: this.opts.timeoutMs } : {};
      const proxyContext = proxy.protocol === 'https:' ? this.opts.proxyTrust?.(proxyLabel(proxy)) : undefined;
      agent = new ProxyAgent({
        uri: proxy.href,
        ...this.pool(),
        ...this.timeouts(),
        requestTls: { secureContext: this.opts.secureContext, ...timeout },
        proxyTls: { ...(proxyContext ? { secureContext: proxyContext } : {}), ...timeout },
        // Plain http:// servers are asked for in absolute form, as curl and Go do; https:// ones through CONNECT.
        proxyTunnel: false,
      });
      this.tunnels.set(proxy.href, agent);
    }
    return agent;
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const done = Promise.all([this.direct?.close(), ...[...this.tunnels.values()].map((a) => a.close())]).then(() => undefined);
    if (!callback) return done;
    void done.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const err = typeof a === 'function' ? null : (a ?? null);
    const callback = typeof a === 'function' ? a : b;
    const done = Promise.all([this.direct?.destroy(err), ...[...this.tunnels.values()].map((t) => t.destroy(err))]).then(() => undefined);
    if (!callback) return done;
    void done.then(callback, callback);
  }
}

/**
 * The dispatcher for requests to `url`'s server, for callers outside the registry client (update
 * graph, signature store): TLS trusted as registries are (system roots, --ca-file, certs.d for its
 * HOST:PORT), direct or through the proxy. The caller closes it.
 */
export function dispatcherFor(url: URL, opts: { proxy: ProxyConfig; trust: TrustStore; connections?: number; timeoutMs?: number }): Connections {
  return new Connections({
    proxy: opts.proxy,
    secureContext: secureContextFor(opts.trust.forHost(url.host)),
    proxyTrust: (hostPort) => secureContextFor(opts.trust.forHost(hostPort)),
    ...(opts.connections !== undefined ? { connections: opts.connections } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
}

/**
 * A raw byte stream to `host:port` through the proxy the route picks for https://host:port (a CONNECT
 * tunnel), or undefined when the route is direct and the caller opens its own socket. For callers that
 * speak TLS without HTTP (the registry TLS check). Failures are proxyFailure's.
 */
export async function tunnelTo(host: string, port: number, config: ProxyConfig, timeoutMs: number): Promise<Duplex | undefined> {
  const target = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`);
  const proxy = proxyFor(target, config);
  if (!proxy) return undefined;
  const client = new Client(proxy.origin, { connectTimeout: timeoutMs });
  const credentials = proxy.username ? { 'proxy-authorization': `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}` } : {};
  try {
    // CONNECT names the port even when it is the default one (which URL.host leaves out).
    const authority = `${target.hostname}:${port}`;
    const { socket, statusCode } = await client.connect({ path: authority, headers: { host: authority, ...credentials }, signal: AbortSignal.timeout(timeoutMs) });
    if (statusCode !== 200) {
      socket.destroy();
      throw proxyFailure(new Error(`Proxy response (${statusCode}) !== 200`), proxy, target);
    }
    // The tunnel outlives the client that opened it: closing the client would cut it.
    socket.once('close', () => void client.close().catch(() => undefined));
    return socket;
  } catch (e) {
    void client.destroy().catch(() => undefined);
    throw proxyFailure(e, proxy, target);
  }
}
