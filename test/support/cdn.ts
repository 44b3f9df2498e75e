import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, request } from 'node:https';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { blobPath } from './images';
import type { TestWorld } from './world';
import { listenOnLoopback } from './loopback';

/** One request the CDN stand-in answered. */
export interface CdnRequest {
  path: string;
  /** Whether the request carried an Authorization header (it is refused if it did). */
  authorization: boolean;
  status: number;
  range?: string;
  /** Body bytes sent (less than the blob when the connection was cut on purpose). */
  bytes: number;
}

export interface CdnFront {
  /** "127.0.0.1:PORT": the registry as clients see it (the source behind a CDN-redirecting front). */
  host: string;
  /** "127.0.0.1:PORT" of the CDN stand-in the blob GETs are redirected to. */
  cdnHost: string;
  /** Blob GETs the front answered with a 307. */
  readonly redirects: number;
  /** CDN answers cut short on purpose (CdnOptions.cut). */
  readonly cuts: number;
  readonly cdnRequests: readonly CdnRequest[];
  close(): Promise<void>;
}

export interface CdnOptions {
  /** Lifetime of a signed URL. Default 600 s. */
  ttlSeconds?: number;
  /** The first `times` CDN answers longer than `afterBytes` send that many body bytes and then drop the connection. */
  cut?: { afterBytes: number; times: number };
}

const BLOB_GET = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/;

/**
 * quay.io answers a blob GET with a 307 to its CDN (CloudFront/S3): a signed, expiring query string is
 * the only credential there, and a request that also carries `Authorization` is refused, as S3 refuses
 * two auth mechanisms. docker-registry redirects only with cloud storage drivers, so this stand-in is an
 * HTTPS front before the source registry that passes everything through except a successful blob GET,
 * which becomes a 307 to a second HTTPS server serving the blob from the registry's storage (with
 * Range). Both use the world's throwaway CA; the front's Host header passes through, so the
 * registry's own redirects and auth challenges stay valid.
 */
export async function startCdnFront(world: TestWorld, opts: CdnOptions = {}): Promise<CdnFront> {
  // createPki writes the server certificate (SANs 127.0.0.1 and localhost) here.
  const tls = { cert: await readFile(join(world.dir, 'pki', 'server.crt')), key: await readFile(join(world.dir, 'pki', 'server.key')) };
  const secret = randomBytes(32);
  const ttl = opts.ttlSeconds ?? 600;
  const state = { redirects: 0, cuts: 0 };
  const cdnRequests: CdnRequest[] = [];
  const upstream = new URL(world.source.url);

  const sign = (path: string, expires: number): string => createHmac('sha256', secret).update(`${path}\n${expires}`).digest('base64url');

  const cdn = createServer(tls, (req, res) => void serveBlob(req, res));
  const cdnHost = await listenOnLoopback(cdn);

  async function serveBlob(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `https://${cdnHost}`);
    const entry: CdnRequest = { path: url.pathname, authorization: req.headers.authorization !== undefined, status: 0, bytes: 0 };
    if (typeof req.headers.range === 'string') entry.range = req.headers.range;
    cdnRequests.push(entry);
    const answer = (status: number, code: string): void => {
      entry.status = status;
      res.writeHead(status, { 'content-type': 'application/xml' }).end(`<Error><Code>${code}</Code></Error>`);
    };
    if (entry.authorization) return answer(400, 'InvalidArgument: Only one auth mechanism allowed');
    const expires = Number(url.searchParams.get('Expires'));
    const given = Buffer.from(url.searchParams.get('Signature') ?? '');
    const wanted = Buffer.from(sign(url.pathname, expires));
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return answer(403, 'SignatureDoesNotMatch');
    if (expires * 1000 < Date.now()) return answer(403, 'AccessDenied: Request has expired');
    const m = /^\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
    if (!m || req.method !== 'GET') return answer(404, 'NoSuchKey');
    const path = blobPath(world.source, m[1]!);
    const size = (await stat(path).catch(() => undefined))?.size;
    if (size === undefined) return answer(404, 'NoSuchKey');

    let start = 0;
    let end = size - 1;
    const range = /^bytes=(\d+)-(\d*)$/.exec(entry.range ?? '');
    if (entry.range && !range) return answer(416, 'InvalidRange');
    if (range) {
      start = Number(range[1]);
      if (range[2]) end = Math.min(Number(range[2]), size - 1);
      if (start > end) {
        entry.status = 416;
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
    }
    entry.status = range ? 206 : 200;
    res.writeHead(entry.status, {
      'content-type': 'application/octet-stream',
      'content-length': String(end - start + 1),
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    const cut = opts.cut && state.cuts < opts.cut.times && end - start + 1 > opts.cut.afterBytes ? opts.cut.afterBytes : undefined;
    if (cut !== undefined) state.cuts++;
    const body = createReadStream(path, { start, end: cut !== undefined ? start + cut - 1 : end });
    body.on('data', (chunk: Buffer | string) => (entry.bytes += chunk.length));
    body.pipe(res, { end: cut === undefined });
    if (cut !== undefined) body.on('end', () => res.socket?.destroy());
  }

  const front = createServer(tls, (req, res) => {
    const blob = req.method === 'GET' ? BLOB_GET.exec(req.url?.split('?')[0] ?? '') : null;
    const proxied = request(
      { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers, ca: world.ca.certPem },
      (up) => {
        if (blob && (up.statusCode === 200 || up.statusCode === 206)) {
          // Authorised by the registry: hand out a signed CDN URL instead of the bytes (of a Range too).
          up.destroy();
          const path = `/blobs/${blob[2]}`;
          const expires = Math.floor(Date.now() / 1000) + ttl;
          state.redirects++;
          res.writeHead(307, { location: `https://${cdnHost}${path}?Expires=${expires}&Signature=${sign(path, expires)}&Key-Pair-Id=FERRYTEST`, 'content-length': '0' }).end();
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    proxied.on('error', () => res.destroy());
    req.pipe(proxied);
  });
  const host = await listenOnLoopback(front);

  let closed: Promise<void> | undefined;
  return {
    host,
    cdnHost,
    get redirects() {
      return state.redirects;
    },
    get cuts() {
      return state.cuts;
    },
    cdnRequests,
    close() {
      closed ??= Promise.all(
        [front, cdn].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      ).then(() => undefined);
      return closed;
    },
  };
}
