import { FerryError, type FerryErrorCode } from '../../../shared/errors';

/**
 * Registry failures as FerryErrors. An HTTP answer carries status, method, URL path and the
 * distribution error codes (like go-containerregistry's transport.Error); a transport failure is
 * classified by its socket/TLS code. Response bodies are read bounded: a hostile or broken
 * registry cannot make us buffer more than MAX_ERROR_BODY.
 */
const MAX_ERROR_BODY = 64 * 1024;

export interface DistributionError {
  code: string;
  message?: string;
}

export interface HttpFailure {
  host: string;
  method: string;
  /** Path and query only: never a full URL that could carry credentials. */
  path: string;
  status: number;
  errors: DistributionError[];
  /** What the request was about, e.g. "manifest quay.io/x/y:1.0", used to start the message. */
  subject?: string;
}

/** Reads at most `limit` bytes of a body, discarding the rest so the connection can be reused. */
export async function readBounded(body: AsyncIterable<Uint8Array>, limit = MAX_ERROR_BODY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < limit) {
      const part = Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.byteLength, limit - size));
      chunks.push(part);
      size += part.length;
    }
  }
  return Buffer.concat(chunks, size);
}

export function parseDistributionErrors(body: Buffer): DistributionError[] {
  try {
    const json = JSON.parse(body.toString('utf8')) as { errors?: unknown };
    if (!Array.isArray(json.errors)) return [];
    return json.errors
      .filter((e): e is { code: unknown; message?: unknown } => typeof e === 'object' && e !== null && 'code' in e)
      .map((e) => ({ code: String(e.code), ...(typeof e.message === 'string' ? { message: e.message } : {}) }));
  } catch {
    return [];
  }
}

const NOT_FOUND_CODES = new Set(['MANIFEST_UNKNOWN', 'BLOB_UNKNOWN', 'NAME_UNKNOWN', 'BLOB_UPLOAD_UNKNOWN']);

function codeFor(f: HttpFailure): FerryErrorCode {
  const codes = new Set(f.errors.map((e) => e.code));
  if ([...codes].some((c) => NOT_FOUND_CODES.has(c)) || f.status === 404) return 'NOT_FOUND';
  if (codes.has('DENIED') || f.status === 403) return 'FORBIDDEN';
  if (codes.has('UNAUTHORIZED') || f.status === 401) return 'AUTH_DENIED';
  if (codes.has('UNSUPPORTED') || f.status === 415) return 'UNSUPPORTED';
  return 'REGISTRY_ERROR';
}

export function httpError(f: HttpFailure): FerryError {
  const code = codeFor(f);
  const said = f.errors.length ? `: ${f.errors.map((e) => (e.message ? `${e.code} (${e.message})` : e.code)).join(', ')}` : '';
  const what = f.subject ?? `${f.method} ${f.path}`;
  const hint =
    code === 'NOT_FOUND'
      ? 'Check the repository, tag or digest; the registry does not have it.'
      : code === 'FORBIDDEN'
        ? `The account has no permission for this on ${f.host}; check the repository name and the account's rights.`
        : code === 'AUTH_DENIED'
          ? `Check the credentials for ${f.host} in the auth file (--authfile) or add them with ferry pull-secret add.`
          : `The registry ${f.host} failed; retry later or check its logs.`;
  return new FerryError(code, `${what}: the registry ${f.host} answered ${f.status} to ${f.method} ${f.path}${said}.`, {
    hint,
    details: { host: f.host, method: f.method, path: f.path, status: f.status, errors: f.errors },
  });
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** The socket/TLS error code of an error or anything in its cause chain. */
export function errorCode(e: unknown): string | undefined {
  for (let cur = e, depth = 0; cur && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    // A FerryError's code is ours, not the socket's: look at what it wraps.
    const ours = cur instanceof FerryError;
    if (!ours && typeof code === 'string' && code !== 'UND_ERR_SOCKET' && code !== 'UND_ERR_ABORTED') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return e instanceof FerryError ? undefined : (e as { code?: string } | undefined)?.code;
}

/** A failure before any HTTP answer: TLS trust, name mismatch, unreachable, or a broken connection. */
export function transportError(e: unknown, host: string): FerryError {
  if (e instanceof FerryError) return e;
  const code = errorCode(e) ?? 'UNKNOWN';
  if (UNTRUSTED.has(code)) {
    return new FerryError('TLS_UNTRUSTED', `The TLS certificate of ${host} is not trusted (${code}).`, {
      hint: `Trust the registry's CA with --ca-file FILE (PEM or DER), or put it in certs.d/${host}/ca.crt under --cert-dir, /etc/containers/certs.d or /etc/docker/certs.d.`,
      details: { host, tlsError: code },
      cause: e,
    });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new FerryError('TLS_NAME_MISMATCH', `The TLS certificate of ${host} does not name ${host.replace(/:\d+$/, '')}.`, {
      hint: 'Connect with the host name (or IP) the certificate was issued for, or reissue the certificate with that name in its subjectAltName.',
      details: { host, tlsError: code },
      cause: e,
    });
  }
  if (UNREACHABLE.has(code)) {
    return new FerryError('UNREACHABLE', `Cannot reach the registry ${host} (${code}).`, {
      hint: 'Check the host name and port, that the registry is running, and any firewall or proxy in between.',
      details: { host, error: code },
      cause: e,
    });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new FerryError('UNREACHABLE', `The connection to ${host} failed: ${message} (${code}).`, {
    hint: 'The network or the registry dropped the connection; retry, and check the registry if it keeps happening.',
    details: { host, error: code },
    cause: e,
  });
}
