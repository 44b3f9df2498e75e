import { posix } from 'node:path';
import type { Dispatcher } from 'undici';
import { request } from '../net/undici';
import { FerryError } from '../../../shared/errors';
import { readBounded, transportError } from '../registry/errors';
import { USER_AGENT } from '../registry/http';

/**
 * Reads a release's signatures from a signature store the way the cluster-version operator does
 * (openshift/library-go pkg/verify/store/sigstore/sigstore.go): `<store>/sha256=<hex>/signature-1`,
 * `signature-2`, … until the first 404, at most nine, each body at most 50 KiB.
 */
/** openshift/cluster-update-keys stores/: the public mirror first, then the bucket behind it. */
export const DEFAULT_SIGNATURE_STORES = [
  'https://mirror.openshift.com/pub/openshift-v4/signatures/openshift/release',
  'https://storage.googleapis.com/openshift-release/official/signatures/openshift/release',
];

// library-go: `for i := 1; i < maxSignatureSearch; i++` with maxSignatureSearch = 10, and io.LimitReader(body, 50*1024).
const MAX_SIGNATURE_SEARCH = 10;
const MAX_SIGNATURE_BYTES = 50 * 1024;
const MAX_REDIRECTS = 5;
export const STORE_TIMEOUT_MS = 30_000;

export interface StoreSignature {
  index: number;
  url: string;
  bytes: Uint8Array;
}

export function hostOf(url: URL): string {
  return url.port ? `${url.hostname}:${url.port}` : url.hostname;
}

/** `<store>/sha256=<hex>/signature-<n>`, joined as Go's path.Join does (a trailing slash on the store is fine). */
export function signatureUrl(store: string, digest: string, index: number): URL {
  const url = parseStoreUrl(store);
  url.pathname = posix.join(url.pathname, digest.replace(':', '='), `signature-${index}`);
  return url;
}

export function parseStoreUrl(store: string): URL {
  let url: URL;
  try {
    url = new URL(store);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new FerryError('USAGE', `--signature-store "${store}" is not an http(s) URL.`, {
      hint: `Give the base URL of a release signature store, e.g. ${DEFAULT_SIGNATURE_STORES[0]}.`,
    });
  }
  // The URL is recorded in transfer.json and shown in every warning: it must not carry a secret.
  if (url.username !== '' || url.password !== '') {
    throw new FerryError('USAGE', `--signature-store must not hold credentials (${url.protocol}//***@${url.host}${url.pathname}).`, {
      hint: 'Signature stores are read anonymously, as the cluster-version operator reads them; give the URL without user:password@.',
    });
  }
  return url;
}

function storeError(e: unknown, url: URL): FerryError {
  const base = transportError(e, hostOf(url));
  return new FerryError(base.code, `${base.message.replace(/the registry /, 'the signature store ')}`, {
    hint: base.code === 'TLS_UNTRUSTED' ? `Trust the signature store's CA with --ca-file FILE, or put it in certs.d/${hostOf(url)}/ca.crt.` : 'Check --signature-store, the network and any proxy in between.',
    ...(base.details ? { details: base.details } : {}),
    cause: e,
  });
}

async function get(dispatcher: Dispatcher, start: URL, signal?: AbortSignal): Promise<{ status: number; body: Buffer; url: URL }> {
  let url = start;
  for (let redirects = 0; ; redirects++) {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method: 'GET', headers: { 'user-agent': USER_AGENT }, dispatcher, ...(signal ? { signal } : {}) });
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      throw storeError(e, url);
    }
    const location = res.headers.location;
    if ([301, 302, 303, 307, 308].includes(res.statusCode) && typeof location === 'string' && redirects < MAX_REDIRECTS) {
      await res.body.dump();
      url = new URL(location, url);
      continue;
    }
    // One byte more than the limit tells an over-long body from one exactly at it.
    const body = await readBounded(res.body, MAX_SIGNATURE_BYTES + 1);
    return { status: res.statusCode, body, url };
  }
}

/** Every signature the store holds for the digest, in order. A 404 for signature-1 gives none. */
export async function fetchStoreSignatures(store: string, digest: string, opts: { dispatcher: Dispatcher; signal?: AbortSignal }): Promise<StoreSignature[]> {
  const out: StoreSignature[] = [];
  for (let index = 1; index < MAX_SIGNATURE_SEARCH; index++) {
    const url = signatureUrl(store, digest, index);
    const res = await get(opts.dispatcher, url, opts.signal);
    if (res.status === 404) break;
    if (res.status < 200 || res.status >= 300) {
      throw new FerryError('BAD_RESPONSE', `The signature store answered HTTP ${res.status} for ${url.href}.`, { hint: 'Check --signature-store; retry later if the store is having trouble.' });
    }
    if (res.body.length > MAX_SIGNATURE_BYTES) {
      throw new FerryError('BAD_RESPONSE', `${url.href} is larger than ${MAX_SIGNATURE_BYTES} bytes, which no release signature is.`, { hint: 'Check that --signature-store is a release signature store.' });
    }
    // library-go skips an empty answer and reads on.
    if (res.body.length > 0) out.push({ index, url: url.href, bytes: new Uint8Array(res.body) });
  }
  return out;
}
