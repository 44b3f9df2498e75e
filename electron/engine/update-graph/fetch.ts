import { request } from '../net/undici';
import { FerryError } from '../../../shared/errors';
import { DEFAULT_GRAPH_URL, graphQueryUrl, parseUpdateGraph, type UpdateGraph } from '../../../shared/update-graph';
import { readBounded, transportError } from '../registry/errors';
import { dispatcherFor } from '../net/connections';
import { proxyConfig } from '../net/proxy';
import { USER_AGENT } from '../registry/http';
import { TrustStore } from '../registry/tls';

/**
 * Reads the OpenShift update graph for one channel and architecture, over TLS trusted the way registries
 * are (system roots, --ca-file, certs.d for the service's HOST:PORT), through the proxy as registries
 * are (--proxy, else HTTPS_PROXY/HTTP_PROXY with NO_PROXY). Only the connected side can reach the
 * public service; air-gapped hosts are told to name the release by pullspec instead.
 */
export interface GraphRequest extends ServiceConnection {
  channel: string;
  arch: string;
  /** Defaults to the public update service. */
  url?: string;
}

// The public stable graph is a few hundred KiB; anything far larger is not a graph.
const MAX_GRAPH_BYTES = 32 * 1024 * 1024;
const TIMEOUT_MS = 30_000;

const AIR_GAP_HINT =
  'Without access to the update service, name the release by pullspec instead (e.g. --release quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64), or point --graph-url at a reachable update service (OSUS).';

export function hostOf(url: URL): string {
  return url.port ? `${url.hostname}:${url.port}` : url.hostname;
}

function connectionError(e: unknown, host: string, unreachableHint: string): FerryError {
  const base = transportError(e, host);
  if (base.code === 'TLS_UNTRUSTED') {
    return new FerryError('TLS_UNTRUSTED', `The TLS certificate of the update service ${host} is not trusted (${String(base.details?.tlsError ?? '')}).`, {
      hint: `Trust its CA with --ca-file FILE (PEM or DER), or put it in certs.d/${host}/ca.crt under --cert-dir or /etc/containers/certs.d.`,
      cause: e,
    });
  }
  // A proxy failure already names the proxy, which is what the user must fix.
  if (base.code === 'UNREACHABLE' && base.details?.proxy === undefined) {
    return new FerryError('UNREACHABLE', `Cannot reach the update service ${host} (${String(base.details?.error ?? 'no answer')}).`, { hint: unreachableHint, cause: e });
  }
  return base;
}

/** The graph's JSON `value`/`reason` from an error answer, if it has one (Cincinnati answers `{kind, value}`). */
function serviceReason(body: Buffer): string {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { value?: unknown; reason?: unknown };
    const reason = typeof doc.value === 'string' ? doc.value : typeof doc.reason === 'string' ? doc.reason : '';
    return reason ? `: ${reason.slice(0, 300)}` : '';
  } catch {
    return '';
  }
}

/** What a request to the update service needs besides its URL: the trust and proxy settings registries use. */
export interface ServiceConnection {
  caFiles: string[];
  certDir?: string;
  /** `--proxy URL`; unset: the environment's proxy settings. */
  proxy?: string;
  signal?: AbortSignal;
  /** What to do when the service cannot be reached (default: name the release by pullspec). */
  unreachableHint?: string;
}

/**
 * GET `url` from the update service (the graph, or its graph-data archive) with the trust and proxy of
 * registries; the body is read up to `maxBytes + 1`, so a caller can tell an answer that is too large.
 */
export async function serviceGet(url: URL, accept: string, maxBytes: number, conn: ServiceConnection): Promise<{ statusCode: number; body: Buffer }> {
  const host = hostOf(url);
  const proxy = proxyConfig({ proxy: conn.proxy });
  const trust = await TrustStore.load({ caFiles: conn.caFiles, ...(conn.certDir !== undefined ? { certDir: conn.certDir } : {}) });
  const agent = dispatcherFor(url, { proxy, trust, connections: 1, timeoutMs: TIMEOUT_MS });
  try {
    let res;
    try {
      res = await request(url, { method: 'GET', headers: { accept, 'user-agent': USER_AGENT }, dispatcher: agent, ...(conn.signal ? { signal: conn.signal } : {}) });
    } catch (e) {
      if (conn.signal?.aborted) throw conn.signal.reason;
      throw connectionError(e, host, conn.unreachableHint ?? AIR_GAP_HINT);
    }
    return { statusCode: res.statusCode, body: await readBounded(res.body, maxBytes + 1) };
  } finally {
    await agent.close().catch(() => undefined);
  }
}

export async function fetchUpdateGraph(req: GraphRequest): Promise<{ url: string; graph: UpdateGraph }> {
  const url = new URL(graphQueryUrl(req.url ?? DEFAULT_GRAPH_URL, req.channel, req.arch));
  const host = hostOf(url);
  const { statusCode, body } = await serviceGet(url, 'application/json', MAX_GRAPH_BYTES, req);
  if (statusCode !== 200) {
    throw new FerryError('BAD_RESPONSE', `The update service ${host} answered HTTP ${statusCode} for channel ${req.channel}${serviceReason(body)}.`, {
      hint: 'Check the channel (e.g. stable-4.15), --arch and --graph-url.',
    });
  }
  if (body.length > MAX_GRAPH_BYTES) {
    throw new FerryError('BAD_RESPONSE', `The update graph from ${host} is larger than ${MAX_GRAPH_BYTES} bytes.`, { hint: 'Check that --graph-url is an update service graph endpoint.' });
  }
  const graph = parseUpdateGraph(body.toString('utf8'), url.toString());
  if (graph.nodes.length === 0) {
    throw new FerryError('NOT_FOUND', `The update graph at ${host} has no release in channel ${req.channel} for ${url.searchParams.get('arch') ?? req.arch}.`, {
      hint: 'Check the channel name (stable-4.15, fast-4.15, candidate-4.15, eus-4.14) and --arch (amd64, arm64, ppc64le, s390x, multi).',
    });
  }
  return { url: url.toString(), graph };
}
