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
  | 'DIGEST_MISMATCH' // bytes whose hash is not the digest that names them (hashing/verified-stream.ts)
  | 'SIZE_MISMATCH' // more or fewer bytes than the descriptor's size
  | 'UNSUPPORTED'
  | 'NO_SPACE'
  | 'MEDIA_CORRUPT'
  | 'UNSAFE_ARCHIVE'
  | 'VERIFY_FAILED'
  | 'CANCELLED'
  | 'CONFLICT' // the same job (same target) is already queued or running
  | 'BAD_RESPONSE' // a service (e.g. the update graph) answered with something its protocol does not allow
  | 'DEPENDENCY_MISSING' // an operator selection lacks packages or APIs its bundles require: exit 1
  // File-system refusals of a path the user gave (systemError below): exit 2, the path is what to change.
  | 'PATH_NOT_FOUND' // ENOENT
  | 'PATH_READ_ONLY' // EROFS
  | 'PATH_DENIED' // EACCES, EPERM
  | 'PATH_NOT_DIRECTORY' // ENOTDIR
  | 'PATH_IS_DIRECTORY' // EISDIR
  | 'PATH_EXISTS' // EEXIST
  | 'IO_ERROR' // EIO: the device failed; a failed operation, exit 1
  | 'INTERNAL';

export interface FerryErrorEnvelope {
  code: FerryErrorCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/** Codes that mean the user's input (or environment) is wrong rather than a check failing: CLI exit 2. */
const USAGE_CODES: ReadonlySet<FerryErrorCode> = new Set([
  'USAGE',
  'INVALID_INPUT',
  'INVALID_REFERENCE',
  'PATH_NOT_FOUND',
  'PATH_READ_ONLY',
  'PATH_DENIED',
  'PATH_NOT_DIRECTORY',
  'PATH_IS_DIRECTORY',
  'PATH_EXISTS',
]);

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

/**
 * Anything thrown, as the FerryError the CLI, the job runner and the API report: a FerryError as is,
 * an abort as CANCELLED, an everyday file-system error as what it means for its path (systemError),
 * and only what is left as INTERNAL "a bug in Ferry".
 */
export function asFerryError(e: unknown): FerryError {
  if (e instanceof FerryError) return e;
  if (e instanceof Error && e.name === 'AbortError') return new FerryError('CANCELLED', 'The operation was cancelled.');
  const system = systemError(e);
  if (system) return system;
  const message = e instanceof Error ? e.message : String(e);
  return new FerryError('INTERNAL', `Unexpected error: ${message}`, { hint: 'This is a bug in Ferry; please report it with the command you ran.', cause: e });
}

/** Wraps anything thrown into the envelope; unknown errors become INTERNAL without leaking their stack. */
export function toEnvelope(e: unknown): FerryErrorEnvelope {
  return asFerryError(e).toEnvelope();
}

interface SystemErrorLike {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
}

const VERBS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the directory',
  rename: 'move a file into',
  unlink: 'remove',
  rmdir: 'remove',
  rm: 'remove',
  stat: 'look at',
  lstat: 'look at',
  scandir: 'list',
  copyfile: 'copy',
  symlink: 'create a link at',
  chmod: 'change the mode of',
  fsync: 'flush',
  statfs: 'measure the free space of',
};

/**
 * The everyday errors of a file system (Node's ErrnoException: code, syscall, path) as errors an operator
 * can act on: what happened to which path and what to do. Undefined for anything else. Pure (no node:fs),
 * so the same words reach the CLI, a job's report and the app. `path` and `action` override the error's own
 * (a write through a temp file is about writing the file it replaces). Exit 2 for a path to change, 1 when
 * the device failed.
 */
export function systemError(e: unknown, path?: string, action?: string): FerryError | undefined {
  if (typeof e !== 'object' || e === null || typeof (e as SystemErrorLike).code !== 'string') return undefined;
  const { code, syscall, path: ownPath } = e as SystemErrorLike;
  const where = path ?? ownPath;
  const target = where === undefined ? 'a file' : where;
  const verb = action ?? (syscall && VERBS[syscall]) ?? 'use';
  const details = { errno: code, ...(syscall === undefined ? {} : { syscall }), ...(where === undefined ? {} : { path: where }) };
  const make = (ferryCode: FerryErrorCode, message: string, hint: string) => new FerryError(ferryCode, message, { hint, details, cause: e });
  switch (code) {
    case 'ENOENT':
      return make('PATH_NOT_FOUND', `Cannot ${verb} ${target}: it does not exist.`, 'Check the path (a typo, or a disk that is not mounted), or create the directory first.');
    case 'EROFS':
      return make('PATH_READ_ONLY', `Cannot ${verb} ${target}: the file system is mounted read-only.`, 'Remount the disk read-write (or flip its write-protect switch), or choose a directory on a writable disk.');
    case 'EACCES':
    case 'EPERM':
      return make('PATH_DENIED', `Cannot ${verb} ${target}: permission denied.`, 'Check its owner and permissions (ls -ld), run as a user who may write there, or choose another directory.');
    case 'ENOTDIR':
      return make('PATH_NOT_DIRECTORY', `Cannot ${verb} ${target}: a part of that path is a file, not a directory.`, 'Check the path: one of its folders is actually a file. Move that file away or choose another directory.');
    case 'EISDIR':
      return make('PATH_IS_DIRECTORY', `Cannot ${verb} ${target}: it is a directory where a file was expected.`, 'Give the path of a file, not of a folder (or remove the folder that has the file\'s name).');
    case 'EEXIST':
      return make('PATH_EXISTS', `Cannot ${verb} ${target}: something already exists there.`, 'Move or remove what is there, or choose another name.');
    case 'ENOSPC':
    case 'EDQUOT':
      return make('NO_SPACE', `Cannot ${verb} ${target}: the disk is full${code === 'EDQUOT' ? ' (quota reached)' : ''}.`, 'Free space on that disk or choose a larger one, then run the command again (work already written is kept where Ferry can resume).');
    case 'EIO':
      return make('IO_ERROR', `Cannot ${verb} ${target}: the device reported an input/output error.`, 'The disk may be failing or was unplugged: check its connection (and dmesg), then try again, or copy the data to another disk.');
    default:
      return undefined;
  }
}
