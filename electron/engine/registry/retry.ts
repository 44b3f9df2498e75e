import { errorCode } from './errors';

/**
 * The one retry policy of the registry transport (like oras-go's retry.Policy). Exponential backoff
 * with jitter, Retry-After honoured but capped. Only the transport applies it, and only to requests
 * that can be sent again (no body or a buffered one); streamed bodies resume by their own protocol
 * (Range for downloads, the upload's Range for chunked uploads) instead of a second retry layer.
 */
export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is cut down to it. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8000, maxRetryAfterMs: 30000 };

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

const RETRYABLE_ERRORS = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Connection-level failures worth another try (not TLS trust, DNS or refused connections). */
export function isRetryableError(e: unknown): boolean {
  const code = errorCode(e);
  if (code !== undefined && RETRYABLE_ERRORS.has(code)) return true;
  const own = (e as { code?: unknown } | undefined)?.code;
  return typeof own === 'string' && RETRYABLE_ERRORS.has(own);
}

/** Retry-After as milliseconds (seconds or HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(at - now, 0);
}

/**
 * Delay before try number `attempt + 1` (attempt counts from 0 = after the first failure).
 * Jitter spreads parallel clients; `random` is injectable so the bounds can be tested.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfter?: string, random: () => number = Math.random): number {
  const server = parseRetryAfter(retryAfter);
  if (server !== undefined) return Math.min(server, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
