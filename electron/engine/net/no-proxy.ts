import { BlockList, isIP } from 'node:net';
import { domainToASCII } from 'node:url';

/**
 * NO_PROXY as Go's golang.org/x/net/http/httpproxy reads it (the rules containers/image, oc and the
 * cluster's own components follow): a comma list of
 *   `*`                      no proxy for anything;
 *   `1.2.3.4`, `::1`         that IP literal (any port), `1.2.3.4:5000`, `[::1]:5000` that IP and port;
 *   `10.0.0.0/8`, `fd00::/8` IP literals inside the CIDR;
 *   `example.com`            that host and every subdomain (`a.example.com`), any port;
 *   `.example.com`, `*.example.com`  subdomains only;
 *   `example.com:5000`       the same, on that port only (the URL's default port counts: 443 for https).
 * Names are not resolved: a host name never matches an IP entry. One deliberate difference from Go:
 * Go never proxies `localhost` or loopback IPs whatever NO_PROXY says; here only NO_PROXY decides,
 * so a proxy in front of a loopback registry is honoured, and environments that list
 * `localhost,127.0.0.1` (most do) still bypass it.
 */
export interface NoProxy {
  /** `*`: nothing goes through a proxy. */
  all: boolean;
  ips: Array<{ ip: string; port: string }>;
  cidrs: BlockList;
  domains: Array<{ suffix: string; matchHost: boolean; port: string }>;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** `host:port` or `[v6]:port` split as Go's net.SplitHostPort does; undefined when there is no port. */
function splitHostPort(entry: string): { host: string; port: string } | undefined {
  const bracketed = /^\[([^\]]*)\]:(\d*)$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2]! };
  const colon = entry.lastIndexOf(':');
  if (colon < 0 || entry.indexOf(':') !== colon) return undefined;
  return { host: entry.slice(0, colon), port: entry.slice(colon + 1) };
}

function addCidr(list: BlockList, entry: string): boolean {
  const slash = entry.indexOf('/');
  if (slash < 0) return false;
  const ip = entry.slice(0, slash);
  const bits = entry.slice(slash + 1);
  const family = isIP(ip);
  if (family === 0 || !/^\d+$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) return false;
  list.addSubnet(ip, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  return true;
}

export function parseNoProxy(value: string): NoProxy {
  const out: NoProxy = { all: false, ips: [], cidrs: new BlockList(), domains: [] };
  for (const raw of value.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return { ...out, all: true };
    if (addCidr(out.cidrs, entry)) continue;
    const split = splitHostPort(entry);
    let host = split ? unbracket(split.host) : entry;
    const port = split?.port ?? '';
    if (host === '') continue;
    if (isIP(host)) {
      out.ips.push({ ip: host, port });
      continue;
    }
    if (host.startsWith('*.')) host = host.slice(1);
    const matchHost = !host.startsWith('.');
    const bare = matchHost ? host : host.slice(1);
    // URL host names reach us in their ASCII (punycode) form; entries may be written in Unicode.
    out.domains.push({ suffix: `.${domainToASCII(bare) || bare}`, matchHost, port });
  }
  return out;
}

function sameIp(a: string, b: string): boolean {
  if (a === b) return true;
  const list = new BlockList();
  const family = isIP(a);
  if (family === 0 || family !== isIP(b)) return false;
  list.addAddress(a, family === 4 ? 'ipv4' : 'ipv6');
  return list.check(b, family === 4 ? 'ipv4' : 'ipv6');
}

/** True when a request to `host` (name or IP literal, brackets allowed) on `port` must not use a proxy. */
export function bypassesProxy(rules: NoProxy, host: string, port: string): boolean {
  if (rules.all) return true;
  const name = unbracket(host.trim().toLowerCase());
  const family = isIP(name);
  if (family !== 0) {
    if (rules.ips.some((r) => sameIp(r.ip, name) && (r.port === '' || r.port === port))) return true;
    if (rules.cidrs.check(name, family === 4 ? 'ipv4' : 'ipv6')) return true;
  }
  return rules.domains.some((d) => (name.endsWith(d.suffix) || (d.matchHost && name === d.suffix.slice(1))) && (d.port === '' || d.port === port));
}
