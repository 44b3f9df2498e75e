import { FerryError } from '../../../shared/errors';
import { bypassesProxy, parseNoProxy, type NoProxy } from './no-proxy';

/**
 * Which proxy, if any, a URL goes through. Settings come from `--proxy URL` (or the app's setting),
 * else from the environment as Go's httpproxy.FromEnvironment reads it: HTTPS_PROXY for https URLs and
 * HTTP_PROXY for http URLs (no fallback from one to the other, as in Go and curl), upper case before
 * lower case; NO_PROXY (no-proxy.ts) applies to either, and to --proxy too, as curl does. A proxy
 * URL without a scheme is http://; credentials in it (`http://user:pass@proxy:3128`) are sent as
 * Proxy-Authorization and never shown: everything Ferry says about a proxy names it as HOST:PORT.
 */
export interface ProxyConfig {
  https?: URL;
  http?: URL;
  noProxy: NoProxy;
}

function firstSet(env: NodeJS.ProcessEnv, names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** A proxy URL; `origin` says where it came from (`--proxy`, `HTTPS_PROXY`…). The value is never quoted back: it may hold a password. */
function parseProxyUrl(value: string, origin: string): URL {
  const hint = 'Give the proxy as http://HOST:PORT (or http://USER:PASSWORD@HOST:PORT, or https:// for a TLS proxy).';
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new FerryError('USAGE', `The proxy given by ${origin} is not a URL.`, { hint });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FerryError('USAGE', `The proxy given by ${origin} uses ${url.protocol.slice(0, -1)}://; Ferry speaks to HTTP and HTTPS proxies only.`, { hint });
  }
  if (url.hostname === '') throw new FerryError('USAGE', `The proxy given by ${origin} names no host.`, { hint });
  return url;
}

/** The proxy settings: `proxy` (from --proxy or the app) wins over HTTPS_PROXY/HTTP_PROXY; NO_PROXY always applies. */
export function proxyConfig(opts: { proxy?: string | undefined; env?: NodeJS.ProcessEnv } = {}): ProxyConfig {
  const env = opts.env ?? process.env;
  const noProxy = parseNoProxy(firstSet(env, ['NO_PROXY', 'no_proxy'])?.value ?? '');
  if (opts.proxy !== undefined && opts.proxy.trim() !== '') {
    const url = parseProxyUrl(opts.proxy.trim(), '--proxy');
    return { https: url, http: url, noProxy };
  }
  const https = firstSet(env, ['HTTPS_PROXY', 'https_proxy']);
  const http = firstSet(env, ['HTTP_PROXY', 'http_proxy']);
  return {
    ...(https ? { https: parseProxyUrl(https.value, https.name) } : {}),
    ...(http ? { http: parseProxyUrl(http.value, http.name) } : {}),
    noProxy,
  };
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/** The proxy a request to `url` goes through, or undefined for a direct connection. */
export function proxyFor(url: URL, config: ProxyConfig): URL | undefined {
  const proxy = url.protocol === 'https:' ? config.https : url.protocol === 'http:' ? config.http : undefined;
  if (!proxy) return undefined;
  return bypassesProxy(config.noProxy, url.hostname, url.port || defaultPort(url.protocol)) ? undefined : proxy;
}

/** How a proxy is named in every message: HOST:PORT, never its credentials. */
export function proxyLabel(proxy: URL): string {
  return `${proxy.hostname}:${proxy.port || defaultPort(proxy.protocol)}`;
}
