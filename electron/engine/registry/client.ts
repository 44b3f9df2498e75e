import { Readable, pipeline } from 'node:stream';
import { FerryError } from '../../../shared/errors';
import { deleteScope, pullScope, pushScope, type AuthTarget } from './auth';
import { transportError } from './errors';
import { discard, failFor, header, type RegistryTransport, type TransportResponse } from './http';
import { COPY_ACCEPT, MediaType } from './manifest';
import { backoffDelay, DEFAULT_RETRY, isRetryableError, isRetryableStatus, sleep } from './retry';
import { digestAlgorithm, digestOf, VerifyingStream, type BlobIdentity } from '../hashing/verified-stream';

/**
 * The OCI distribution API of one registry: manifests byte for byte, blobs streamed through the
 * verifier with Range resume, uploads with HEAD/mount/monolithic/chunked. Stateless apart from
 * the transport (connections, auth); safe to share between concurrent copies.
 */
export type Access = 'pull' | 'push' | 'delete';

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export interface UploadTuning {
  /** Blobs up to this size go in one PUT; larger ones in PATCH chunks. */
  monolithicLimit: number;
  chunkSize: number;
}

// One streamed PUT is fastest and is what containers/image always does; chunks are for registries (or
// proxies in front of them) that cap request bodies. Chunks are buffered to be resendable: kept small.
export const DEFAULT_UPLOAD: UploadTuning = { monolithicLimit: 1024 * 1024 * 1024, chunkSize: 8 * 1024 * 1024 };
/** containers/image's limit: a manifest is small; anything bigger is refused rather than buffered. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

function target(repository: string, access: Access, mountFrom?: string): AuthTarget {
  const scopes = [access === 'push' ? pushScope(repository) : access === 'delete' ? deleteScope(repository) : pullScope(repository)];
  if (mountFrom) scopes.push(pullScope(mountFrom));
  return { repository, scopes };
}

async function readManifestBody(res: TransportResponse, where: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_MANIFEST_BYTES) {
      res.body.destroy();
      throw new FerryError('REGISTRY_ERROR', `The manifest of ${where} is larger than ${MAX_MANIFEST_BYTES} bytes; refused.`, {
        hint: 'This is not a normal image manifest; check the reference.',
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** A listing page (`{"repositories": [...]}` or `{"tags": [...]}`), read within the manifest size bound. */
async function readList(res: TransportResponse, where: string, field: 'repositories' | 'tags'): Promise<string[]> {
  const body = await readManifestBody(res, where);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new FerryError('BAD_RESPONSE', `${where} is not JSON.`, { hint: 'The registry answered something other than the distribution API; check the host.' });
  }
  const list = (parsed as Record<string, unknown> | null)?.[field];
  // distribution answers `"tags": null` for a repository whose tags were all deleted.
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
    throw new FerryError('BAD_RESPONSE', `${where} has no list of ${field}.`, { hint: 'The registry answered something other than the distribution API; check the host.' });
  }
  return list as string[];
}

/** The next page of a listing from `Link: <…?last=X&n=N>; rel="next"`, resolved against the current URL. */
function nextPage(res: TransportResponse, current: URL): URL | undefined {
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(res, 'link') ?? '');
  return m ? new URL(m[1]!, current) : undefined;
}
/**
 * Downloaded bytes are passed on in pieces of this size. TLS hands them over ~16 KiB at a time, and each
 * piece crosses several stream stages (verify, progress, the writer) on the way to the disk: a 450 MB
 * mirror to disk made 27,000 such trips, at a CPU cost that bound it on a loaded machine. A quarter MiB
 * per piece cuts the trips sixteenfold for one copy, and holds at most that much more per blob in flight.
 */
const DOWNLOAD_CHUNK = 256 * 1024;

/** `bytes START-END/TOTAL` must continue exactly where we stopped. */
export function contentRangeMatches(value: string | undefined, offset: number, size: number): boolean {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '');
  if (!m) return false;
  return Number(m[1]) === offset && Number(m[2]) === size - 1 && (m[3] === '*' || Number(m[3]) === size);
}

/**
 * Splits a stream into Buffers of `size` bytes (the last one shorter), copying only at chunk borders. With
 * `flushOnError`, bytes gathered when the stream fails are passed on before the error: a download cut mid-piece
 * then resumes with Range from the last byte received, not from the start of the piece.
 */
export async function* chunksOf(stream: AsyncIterable<Buffer>, size: number, opts: { flushOnError?: boolean } = {}): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  try {
    for await (let chunk of stream) {
      while (have + chunk.length >= size) {
        const take = size - have;
        parts.push(chunk.subarray(0, take));
        yield Buffer.concat(parts, size);
        chunk = chunk.subarray(take);
        parts = [];
        have = 0;
      }
      if (chunk.length) {
        parts.push(chunk);
        have += chunk.length;
      }
    }
  } catch (e) {
    if (opts.flushOnError && have) yield Buffer.concat(parts, have);
    throw e;
  }
  if (have) yield Buffer.concat(parts, have);
}

export class RegistryClient {
  constructor(
    readonly host: string,
    private readonly transport: RegistryTransport,
    private readonly tuning: UploadTuning = DEFAULT_UPLOAD,
  ) {}

  ping(signal?: AbortSignal): Promise<void> {
    return this.transport.ping(signal);
  }

  /** What this registry's answers say of the link to it (RegistryTransport.link). */
  link(): ReturnType<RegistryTransport['link']> {
    return this.transport.link();
  }

  /** Opens `n` connections now, for requests about to go out in parallel (RegistryTransport.warm). */
  warm(n: number, signal?: AbortSignal): Promise<void> {
    return this.transport.warm(n, signal);
  }

  private where(repository: string, selector: string): string {
    return `${this.host}/${repository}${selector.includes(':') ? '@' : ':'}${selector}`;
  }

  async getManifest(repository: string, selector: string, opts: { accept?: string[]; access?: Access; signal?: AbortSignal } = {}): Promise<FetchedManifest> {
    const url = this.transport.resolve(`/v2/${repository}/manifests/${selector}`);
    const where = this.where(repository, selector);
    const res = await this.transport.send({
      method: 'GET',
      url,
      headers: { accept: (opts.accept ?? COPY_ACCEPT).join(', ') },
      auth: target(repository, opts.access ?? 'pull'),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (res.statusCode !== 200) await failFor(res, this.host, 'GET', url, `manifest ${where}`);
    const bytes = await readManifestBody(res, where);
    const isDigestSelector = selector.includes(':');
    const digest = digestOf(bytes, isDigestSelector ? digestAlgorithm(selector) : 'sha256');
    if (isDigestSelector && digest !== selector) {
      throw new FerryError('DIGEST_MISMATCH', `The manifest ${where} served by ${this.host} hashes to ${digest}.`, {
        hint: 'The registry returned different bytes than the digest names; the registry storage may be corrupt.',
        details: { expected: selector, actual: digest, host: this.host },
      });
    }
    const mediaType = (header(res, 'content-type') ?? '').split(';')[0]!.trim();
    return { bytes, mediaType, digest };
  }

  async headManifest(repository: string, selector: string, opts: { access?: Access; signal?: AbortSignal } = {}): Promise<{ digest?: string; mediaType?: string } | undefined> {
    const url = this.transport.resolve(`/v2/${repository}/manifests/${selector}`);
    const res = await this.transport.send({
      method: 'HEAD',
      url,
      headers: { accept: COPY_ACCEPT.join(', ') },
      auth: target(repository, opts.access ?? 'pull'),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    await discard(res);
    if (res.statusCode === 404) return undefined;
    if (res.statusCode !== 200) await failFor(res, this.host, 'HEAD', url, `manifest ${this.where(repository, selector)}`);
    const digest = header(res, 'docker-content-digest');
    const mediaType = header(res, 'content-type');
    return { ...(digest ? { digest } : {}), ...(mediaType ? { mediaType: mediaType.split(';')[0]!.trim() } : {}) };
  }

  /**
   * The OCI 1.1 referrers of a manifest (`GET /v2/<name>/referrers/<digest>`): an image index, or undefined
   * when the registry has no referrers API, whose clients fall back to the `sha256-<hex>` tag. The spec's
   * answer for that is 404; registries without the route also answer 400 or 405, taken the same way.
   */
  async getReferrers(repository: string, digest: string, opts: { signal?: AbortSignal } = {}): Promise<FetchedManifest | undefined> {
    const url = this.transport.resolve(`/v2/${repository}/referrers/${digest}`);
    const res = await this.transport.send({ method: 'GET', url, headers: { accept: MediaType.ociIndex }, auth: target(repository, 'pull'), ...(opts.signal ? { signal: opts.signal } : {}) });
    if (res.statusCode === 404 || res.statusCode === 400 || res.statusCode === 405) {
      await discard(res);
      return undefined;
    }
    if (res.statusCode !== 200) await failFor(res, this.host, 'GET', url, `referrers of ${this.where(repository, digest)}`);
    const bytes = await readManifestBody(res, `referrers of ${this.where(repository, digest)}`);
    return { bytes, mediaType: MediaType.ociIndex, digest: digestOf(bytes, 'sha256') };
  }

  /** PUT the exact bytes; `selector` is the tag, or the digest for untagged children. */
  async putManifest(repository: string, selector: string, manifest: FetchedManifest, signal?: AbortSignal): Promise<void> {
    const url = this.transport.resolve(`/v2/${repository}/manifests/${selector}`);
    const res = await this.transport.send({
      method: 'PUT',
      url,
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
      auth: target(repository, 'push'),
      ...(signal ? { signal } : {}),
    });
    if (res.statusCode !== 201 && res.statusCode !== 200) await failFor(res, this.host, 'PUT', url, `manifest ${this.where(repository, selector)}`);
    await discard(res);
    const stored = header(res, 'docker-content-digest');
    if (stored && stored !== manifest.digest) {
      throw new FerryError('DIGEST_MISMATCH', `${this.host} stored the manifest for ${this.where(repository, selector)} as ${stored}, not ${manifest.digest}.`, {
        hint: 'The registry rewrote the manifest; it cannot hold this image byte for byte.',
        details: { expected: manifest.digest, actual: stored, host: this.host },
      });
    }
  }

  /** The blob's size when the repository has it, else undefined. */
  async headBlob(repository: string, digest: string, opts: { access?: Access; signal?: AbortSignal } = {}): Promise<number | undefined> {
    const url = this.transport.resolve(`/v2/${repository}/blobs/${digest}`);
    const res = await this.transport.send({ method: 'HEAD', url, auth: target(repository, opts.access ?? 'pull'), ...(opts.signal ? { signal: opts.signal } : {}) });
    await discard(res);
    if (res.statusCode === 404) return undefined;
    if (res.statusCode !== 200) await failFor(res, this.host, 'HEAD', url, `blob ${digest} in ${this.host}/${repository}`);
    const length = header(res, 'content-length');
    return length === undefined ? -1 : Number(length);
  }

  /** The blob's bytes, verified; a cut connection resumes with Range while it makes progress. */
  openBlob(repository: string, blob: BlobIdentity, opts: { access?: Access; signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Readable {
    const raw = Readable.from(this.blobBytes(repository, blob, opts.access ?? 'pull', opts.signal), { objectMode: false, highWaterMark: 64 * 1024 });
    const verifier = new VerifyingStream(blob, opts.onBytes);
    return pipeline(raw, verifier, () => undefined);
  }

  private async *blobBytes(repository: string, blob: BlobIdentity, access: Access, signal?: AbortSignal): AsyncGenerator<Buffer> {
    const url = this.transport.resolve(`/v2/${repository}/blobs/${blob.digest}`);
    const subject = `blob ${blob.digest}${blob.image ? ` of ${blob.image}` : ''}`;
    let offset = 0;
    let stalled = 0;
    for (;;) {
      const res = await this.transport.send({
        method: 'GET',
        url,
        ...(offset > 0 ? { headers: { range: `bytes=${offset}-` } } : {}),
        auth: target(repository, access),
        ...(signal ? { signal } : {}),
      });
      if (offset === 0 && res.statusCode !== 200) await failFor(res, this.host, 'GET', url, subject);
      if (offset > 0 && (res.statusCode !== 206 || !contentRangeMatches(header(res, 'content-range'), offset, blob.size))) {
        await discard(res);
        throw new FerryError('UNREACHABLE', `The download of ${subject} from ${this.host} broke at byte ${offset} and the registry cannot resume it (answered ${res.statusCode}).`, {
          hint: 'Retry the copy; the registry does not support Range requests for this blob.',
          details: { host: this.host, digest: blob.digest, offset },
        });
      }
      const before = offset;
      let failure: unknown;
      try {
        // Bytes received before a cut are passed on, so the Range request asks only for the rest.
        for await (const chunk of chunksOf(res.body as AsyncIterable<Buffer>, DOWNLOAD_CHUNK, { flushOnError: true })) {
          offset += chunk.length;
          yield chunk;
        }
        // A clean end before the descriptor's size is a cut without an error; resume it too.
        if (offset >= blob.size) return;
      } catch (e) {
        if (signal?.aborted || !isRetryableError(e)) throw e instanceof FerryError ? e : transportError(e, this.host);
        failure = e;
      } finally {
        if (!res.body.destroyed) res.body.destroy();
      }
      stalled = offset > before ? 0 : stalled + 1;
      if (stalled >= DEFAULT_RETRY.attempts) throw transportError(failure ?? new Error(`${subject} ended early`), this.host);
      await sleep(backoffDelay(DEFAULT_RETRY, stalled), signal);
    }
  }

  /**
   * Puts a blob into `repository` unless it can be mounted from `mountFrom` (same registry).
   * `open` is called only when bytes must actually travel.
   */
  async uploadBlob(
    repository: string,
    blob: BlobIdentity,
    open: () => Promise<Readable>,
    opts: { mountFrom?: string; signal?: AbortSignal } = {},
  ): Promise<'mounted' | 'uploaded'> {
    const signal = opts.signal;
    const start = this.transport.resolve(`/v2/${repository}/blobs/uploads/`);
    if (opts.mountFrom) {
      start.searchParams.set('mount', blob.digest);
      start.searchParams.set('from', opts.mountFrom);
    }
    const auth = target(repository, 'push', opts.mountFrom);
    const res = await this.transport.send({ method: 'POST', url: start, auth, retry: true, ...(signal ? { signal } : {}) });
    if (res.statusCode === 201 && opts.mountFrom) {
      await discard(res);
      return 'mounted';
    }
    if (res.statusCode !== 202) await failFor(res, this.host, 'POST', start, `upload of blob ${blob.digest} to ${this.host}/${repository}`);
    await discard(res);
    const location = header(res, 'location');
    if (!location) throw new FerryError('REGISTRY_ERROR', `${this.host} started an upload to ${repository} without a Location.`, { hint: 'The registry is not OCI distribution compliant.' });
    const minChunk = Number(header(res, 'oci-chunk-min-length') ?? 0) || 0;
    let session = this.transport.resolve(location);
    let stream: Readable | undefined;
    try {
      stream = await open();
      if (blob.size <= this.tuning.monolithicLimit) await this.putMonolithic(session, repository, blob, stream, signal);
      else session = await this.putChunked(session, repository, blob, stream, Math.max(this.tuning.chunkSize, minChunk), signal);
      return 'uploaded';
    } catch (e) {
      // The upload session is abandoned explicitly so the registry frees it now, not at its GC.
      await this.transport
        .send({ method: 'DELETE', url: session, auth, retry: false })
        .then(discard)
        .catch(() => undefined);
      throw e;
    } finally {
      if (stream && !stream.destroyed) stream.destroy();
    }
  }

  private withDigest(session: URL, digest: string): URL {
    const url = new URL(session);
    url.searchParams.set('digest', digest);
    return url;
  }

  private async putMonolithic(session: URL, repository: string, blob: BlobIdentity, stream: Readable, signal?: AbortSignal): Promise<void> {
    let streamError: unknown;
    stream.once('error', (e) => (streamError = e));
    const url = this.withDigest(session, blob.digest);
    let res: TransportResponse;
    try {
      res = await this.transport.send({
        method: 'PUT',
        url,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
        body: stream,
        auth: target(repository, 'push'),
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      // The body's own failure (a digest mismatch) explains more than the aborted request.
      throw streamError ?? e;
    }
    if (streamError) {
      await discard(res);
      throw streamError;
    }
    if (res.statusCode !== 201) await failFor(res, this.host, 'PUT', url, `upload of blob ${blob.digest} to ${this.host}/${repository}`);
    await discard(res);
  }

  /** PATCH in chunks; after a failed PATCH the upload's Range says where to continue. */
  private async putChunked(session: URL, repository: string, blob: BlobIdentity, stream: Readable, chunkSize: number, signal?: AbortSignal): Promise<URL> {
    const auth = target(repository, 'push');
    let offset = 0;
    for await (const chunk of chunksOf(stream, chunkSize)) {
      let sent = 0;
      for (let failures = 0; sent < chunk.length; ) {
        const part = chunk.subarray(sent);
        let problem: unknown;
        try {
          const res = await this.transport.send({
            method: 'PATCH',
            url: session,
            headers: {
              'content-type': 'application/octet-stream',
              'content-range': `${offset + sent}-${offset + chunk.length - 1}`,
              'content-length': String(part.length),
            },
            body: part,
            auth,
            retry: false,
            ...(signal ? { signal } : {}),
          });
          if (res.statusCode === 202) {
            session = this.transport.resolve(header(res, 'location') ?? session.href);
            await discard(res);
            sent = chunk.length;
            continue;
          }
          if (res.statusCode !== 416 && !isRetryableStatus(res.statusCode)) await failFor(res, this.host, 'PATCH', session, `upload of blob ${blob.digest}`);
          await discard(res);
          problem = new Error(`PATCH answered ${res.statusCode}`);
        } catch (e) {
          if (signal?.aborted || !isRetryableError(e)) throw e;
          problem = e;
        }
        if (++failures >= DEFAULT_RETRY.attempts) throw transportError(problem, this.host);
        await sleep(backoffDelay(DEFAULT_RETRY, failures), signal);
        const have = await this.uploadedBytes(session, auth, signal);
        if (have < offset || have > offset + chunk.length) {
          throw new FerryError('REGISTRY_ERROR', `The upload of blob ${blob.digest} to ${this.host}/${repository} lost data (the registry holds ${have} bytes, expected ${offset}..${offset + chunk.length}).`, {
            hint: 'Retry the copy.',
          });
        }
        sent = have - offset;
      }
      offset += chunk.length;
    }
    const url = this.withDigest(session, blob.digest);
    const res = await this.transport.send({ method: 'PUT', url, headers: { 'content-length': '0' }, auth, retry: false, ...(signal ? { signal } : {}) });
    if (res.statusCode !== 201) await failFor(res, this.host, 'PUT', url, `upload of blob ${blob.digest} to ${this.host}/${repository}`);
    await discard(res);
    return session;
  }

  /**
   * Every repository the registry lists (`GET /v2/_catalog`, following its `Link: rel="next"` pages), or
   * undefined when it has no catalog or will not list it to these credentials (Quay answers 404 or an empty
   * page to non-admins; distribution needs the `registry:catalog:*` scope).
   */
  async listRepositories(signal?: AbortSignal): Promise<string[] | undefined> {
    const out: string[] = [];
    const auth: AuthTarget = { scopes: ['registry:catalog:*'] };
    for (let url: URL | undefined = this.transport.resolve('/v2/_catalog?n=1000'); url; ) {
      const res = await this.transport.send({ method: 'GET', url, auth, ...(signal ? { signal } : {}) });
      if (res.statusCode === 401 || res.statusCode === 403 || res.statusCode === 404 || res.statusCode === 405) {
        await discard(res);
        return undefined;
      }
      if (res.statusCode !== 200) await failFor(res, this.host, 'GET', url, 'repository catalog');
      out.push(...(await readList(res, `the repository catalog of ${this.host}`, 'repositories')));
      url = nextPage(res, url);
    }
    return out;
  }

  /** The tags of a repository (`GET /v2/<name>/tags/list`, every page); empty when the repository is gone. */
  async listTags(repository: string, signal?: AbortSignal): Promise<string[]> {
    const out: string[] = [];
    for (let url: URL | undefined = this.transport.resolve(`/v2/${repository}/tags/list?n=1000`); url; ) {
      const res = await this.transport.send({ method: 'GET', url, auth: target(repository, 'pull'), ...(signal ? { signal } : {}) });
      if (res.statusCode === 404) {
        await discard(res);
        return out;
      }
      if (res.statusCode !== 200) await failFor(res, this.host, 'GET', url, `tags of ${this.host}/${repository}`);
      out.push(...(await readList(res, `the tags of ${this.host}/${repository}`, 'tags')));
      url = nextPage(res, url);
    }
    return out;
  }

  /**
   * `DELETE /v2/<name>/manifests/<digest>`: removes the manifest and every tag on it in that repository.
   * Answers 'deleted', 'absent' (404) or 'unsupported' (405: the registry has deletes disabled).
   */
  async deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<'deleted' | 'absent' | 'unsupported'> {
    const url = this.transport.resolve(`/v2/${repository}/manifests/${digest}`);
    const res = await this.transport.send({ method: 'DELETE', url, auth: target(repository, 'delete'), retry: false, ...(signal ? { signal } : {}) });
    if (res.statusCode === 202 || res.statusCode === 200 || res.statusCode === 204) {
      await discard(res);
      return 'deleted';
    }
    if (res.statusCode === 404) {
      await discard(res);
      return 'absent';
    }
    if (res.statusCode === 405) {
      await discard(res);
      return 'unsupported';
    }
    return failFor(res, this.host, 'DELETE', url, `manifest ${this.where(repository, digest)}`);
  }

  /** How many bytes the upload session holds, from its `Range: 0-END` header. */
  private async uploadedBytes(session: URL, auth: AuthTarget, signal?: AbortSignal): Promise<number> {
    const res = await this.transport.send({ method: 'GET', url: session, auth, ...(signal ? { signal } : {}) });
    if (res.statusCode !== 204 && res.statusCode !== 200) await failFor(res, this.host, 'GET', session, 'upload status');
    await discard(res);
    const m = /^(?:bytes=)?0-(\d+)$/.exec(header(res, 'range') ?? '');
    return m ? Number(m[1]) + 1 : 0;
  }
}

