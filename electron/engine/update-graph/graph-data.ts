import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { FerryError } from '../../../shared/errors';
import { DEFAULT_GRAPH_DATA_URL, serviceUrl } from '../../../shared/update-graph';
import type { LayerEntry } from '../image-files/build-layer';
import { digestOf } from '../hashing/verified-stream';
import { unsafeEntryReason } from '../media/unsafe-entry';
import { hostOf, serviceGet, type ServiceConnection } from './fetch';

/**
 * The update service's graph data, fetched on the connected side as oc-mirror v2 fetches it
 * (internal/pkg/release/graph.go CreateGraphImage: one GET of `graphURL`, a gzip'd tar laid out as
 * openshift/cincinnati-graph-data: `channels/*.yaml`, `blocked-edges/*.yaml`, `version`, …), and checked
 * before any of it goes into an image: a server (or whatever sits between) must not plant links, devices,
 * absolute paths or `..` in the layer a cluster will run `cp -rp` over. Its entries are placed under
 * `/var/lib/cincinnati-graph-data`, where oc-mirror's image keeps them (buildGraphDataDir).
 */
export const GRAPH_DATA_DIR = '/var/lib/cincinnati-graph-data';

// The public archive unpacks to a few MiB of YAML; the caps bound what a wrong URL or a gzip bomb can make Ferry
// hold (the content is held, then gzipped into the layer), well inside the engine's memory budget.
const MAX_ARCHIVE_BYTES = 16 * 1024 * 1024;
const MAX_CONTENT_BYTES = 64 * 1024 * 1024;
const URL_HINT = `Give the update service's graph-data archive, e.g. ${DEFAULT_GRAPH_DATA_URL}`;

export interface GraphDataRequest extends ServiceConnection {
  /** Defaults to the public update service's. */
  url?: string;
}

export interface GraphData {
  url: string;
  /** sha256 of the archive as served. */
  digest: string;
  /** The archive's files and directories under GRAPH_DATA_DIR (relative paths, as layer entries take them). */
  entries: LayerEntry[];
  files: number;
}

export async function fetchGraphData(req: GraphDataRequest): Promise<GraphData> {
  const url = serviceUrl(req.url ?? DEFAULT_GRAPH_DATA_URL, '--graph-data-url', URL_HINT);
  const host = hostOf(url);
  const { statusCode, body } = await serviceGet(url, 'application/gzip, application/octet-stream', MAX_ARCHIVE_BYTES, {
    ...req,
    unreachableHint: `The graph data is fetched on the connected side: run there, or point --graph-data-url at a reachable copy (an update service, or a web server holding the archive). ${URL_HINT}.`,
  });
  if (statusCode !== 200) throw new FerryError('BAD_RESPONSE', `The update service ${host} answered HTTP ${statusCode} for its graph data (${url.pathname}).`, { hint: URL_HINT });
  if (body.length > MAX_ARCHIVE_BYTES) throw new FerryError('BAD_RESPONSE', `The graph data from ${host} is larger than ${MAX_ARCHIVE_BYTES} bytes.`, { hint: URL_HINT });
  const { entries, files } = await graphDataEntries(body, host);
  return { url: url.toString(), digest: digestOf(body), entries, files };
}

function notGraphData(host: string, why: string): FerryError {
  return new FerryError('BAD_RESPONSE', `The graph data from ${host} is not a Cincinnati graph-data archive: ${why}.`, { hint: URL_HINT });
}

/** The archive's entries, each checked, as layer entries under GRAPH_DATA_DIR; refused whole on the first unsafe one. */
export async function graphDataEntries(archive: Buffer, host: string): Promise<{ entries: LayerEntry[]; files: number }> {
  let raw: Buffer;
  try {
    raw = gunzipSync(archive, { maxOutputLength: MAX_CONTENT_BYTES });
  } catch (e) {
    throw notGraphData(host, (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? `it unpacks to more than ${MAX_CONTENT_BYTES} bytes` : 'it is not gzip data');
  }
  const root = GRAPH_DATA_DIR.slice(1);
  const entries: LayerEntry[] = [{ path: `${root}/`, type: 'directory' }];
  const seen = new Set<string>();
  const extract = tar.extract();
  Readable.from([raw]).pipe(extract);
  try {
    for await (const entry of extract) {
      const { header } = entry;
      const unsafe = unsafeEntryReason(header);
      if (unsafe) {
        entry.resume();
        throw new FerryError('UNSAFE_ARCHIVE', `The graph data from ${host} holds "${header.name}", ${unsafe}: Ferry builds no image from it.`, {
          hint: 'A graph-data archive holds only files and directories under its root. Check --graph-data-url and any proxy between this host and the service.',
          details: { entry: header.name, reason: unsafe },
        });
      }
      const name = posix.normalize(header.name.replace(/^(\.\/)+/, '')).replace(/\/+$/, '');
      // A directory has no body: tar-stream's stream for one whose header claims a size never ends (see verify.ts).
      const chunks: Buffer[] = [];
      if (header.type !== 'directory') for await (const c of entry) chunks.push(c as Buffer);
      if (name === '.' || name === '') continue;
      if (seen.has(name)) throw notGraphData(host, `"${name}" is in it twice`);
      seen.add(name);
      const mode = (header.mode ?? (header.type === 'directory' ? 0o755 : 0o644)) & 0o777;
      entries.push(header.type === 'directory' ? { path: `${root}/${name}/`, type: 'directory', mode } : { path: `${root}/${name}`, type: 'file', mode, content: Buffer.concat(chunks) });
    }
  } catch (e) {
    if (e instanceof FerryError) throw e;
    throw notGraphData(host, `its tar is damaged (${(e as Error).message})`);
  } finally {
    extract.destroy();
  }
  const files = entries.filter((e) => e.type === 'file');
  if (!files.some((e) => /^channels\/[^/]+\.ya?ml$/.test(e.path.slice(root.length + 1)))) throw notGraphData(host, 'it has no channels/*.yaml');
  return { entries, files: files.length };
}
