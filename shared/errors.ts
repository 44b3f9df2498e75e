/**
 * The one error type that crosses every boundary: engine → CLI, engine → worker → main → renderer,
 * and serve-mode WebSocket. `code` is stable (scripts and the UI branch on it), `message` says what
 * happened in words an operator understands, `hint` says what to do next. Never put a secret in any field.
 */
export type FerryErrorCode =
  | 'USAGE' // bad command line or malformed argument
  | 'INVALID_INPUT' // a file or value the user gave is malformed
  | 'INVALID_REFERENCE'
  | 'AUTH_REQUIRED' // no credentials for a registry that wants them
  | 'AUTH_DENIED' // credentials were refused
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'TLS_UNTRUSTED' // certificate chain does not verify
  | 'TLS_NAME_MISMATCH'
  | 'UNREACHABLE' // DNS, refused, timeout
  | 'REGISTRY_ERROR' // registry answered with an unexpected error
  | 'DIGEST_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'UNSUPPORTED'
  | 'NO_SPACE'
  | 'MEDIA_CORRUPT'
  | 'UNSAFE_ARCHIVE'
  | 'VERIFY_FAILED'
  | 'CANCELLED'
  | 'CONFLICT' // the same job (same target) is already queued or running
  | 'BAD_RESPONSE' // a service (e.g. the update graph) answered with something its protocol does not allow
  | 'INTERNAL';

export interface FerryErrorEnvelope {
  code: FerryErrorCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/** Codes that mean the user's input (or environment) is wrong rather than a check failing: CLI exit 2. */
const USAGE_CODES: ReadonlySet<FerryErrorCode> = new Set(['USAGE', 'INVALID_INPUT', 'INVALID_REFERENCE']);

export class FerryError extends Error {
  readonly code: FerryErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: FerryErrorCode, message: string, opts: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FerryError';
    this.code = code;
    this.hint = opts.hint;
    this.details = opts.details;
  }

  toEnvelope(): FerryErrorEnvelope {
    const env: FerryErrorEnvelope = { code: this.code, message: this.message };
    if (this.hint !== undefined) env.hint = this.hint;
    if (this.details !== undefined) env.details = this.details;
    return env;
  }

  static fromEnvelope(env: FerryErrorEnvelope): FerryError {
    return new FerryError(env.code, env.message, { hint: env.hint, details: env.details });
  }

  /** CLI exit status: 2 for bad usage or input, 1 for a failed operation or check. */
  get exitCode(): 1 | 2 {
    return USAGE_CODES.has(this.code) ? 2 : 1;
  }
}

/** Wraps anything thrown into the envelope; unknown errors become INTERNAL without leaking their stack. */
export function toEnvelope(e: unknown): FerryErrorEnvelope {
  if (e instanceof FerryError) return e.toEnvelope();
  if (e instanceof Error && e.name === 'AbortError') return { code: 'CANCELLED', message: 'The operation was cancelled.' };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: `Unexpected error: ${message}`, hint: 'This is a bug in Ferry; please report it with the command you ran.' };
}
