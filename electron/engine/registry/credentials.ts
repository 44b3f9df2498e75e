import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';

/**
 * Registry credentials found the way podman, skopeo and buildah find them (containers/image
 * pkg/docker/config): an explicit auth file alone, else the standard files in order; in each file
 * the most specific key wins (`host/a/b/img`, `host/a/b`, `host/a`, `host`).
 */
export type Credential = { username: string; password: string } | { identityToken: string; username?: string };

export function credentialUser(c: Credential | undefined): string {
  if (!c) return 'anonymous';
  return c.username ?? '<identity token>';
}

export interface AuthFileEnv {
  REGISTRY_AUTH_FILE?: string;
  XDG_RUNTIME_DIR?: string;
  XDG_CONFIG_HOME?: string;
  DOCKER_CONFIG?: string;
}

/** The auth files to consult, in order. An explicit file (flag or REGISTRY_AUTH_FILE) is used alone. */
export function authFilePaths(authfile: string | undefined, env: AuthFileEnv = process.env, home = homedir()): string[] {
  const explicit = authfile ?? env.REGISTRY_AUTH_FILE;
  if (explicit) return [explicit];
  const paths: string[] = [];
  if (env.XDG_RUNTIME_DIR) paths.push(join(env.XDG_RUNTIME_DIR, 'containers/auth.json'));
  paths.push(join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers/auth.json'));
  paths.push(env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : join(home, '.docker/config.json'));
  return paths;
}

/** Keys as written by docker login (`https://index.docker.io/v1/`) or by hand (`host/ns/`) → `host[/path]`. */
export function normalizeAuthKey(key: string): string {
  let k = key.trim();
  const hadScheme = /^https?:\/\//.test(k);
  k = k.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  // A URL-style key names a registry, not a namespace: its path (/v1/, /v2/) is not a repository prefix.
  if (hadScheme) k = k.split('/')[0]!;
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') k = 'docker.io';
  return k;
}

/** `host/a/b/img` → [`host/a/b/img`, `host/a/b`, `host/a`, `host`]. */
export function authKeyLookupOrder(registry: string, repository: string): string[] {
  const keys: string[] = [];
  let key = repository ? `${registry}/${repository}` : registry;
  for (;;) {
    keys.push(key);
    const slash = key.lastIndexOf('/');
    if (slash < 0) break;
    key = key.slice(0, slash);
  }
  return keys;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const m = /at position (\d+)/.exec((e as Error).message);
    const offset = m ? Number(m[1]) : text.length;
    const { line, column } = lineColumn(text, offset);
    throw new FerryError('INVALID_INPUT', `The auth file ${file} is not valid JSON at line ${line}, column ${column}.`, {
      hint: 'Fix the JSON (check ferry pull-secret check FILE), or point --authfile at another file.',
      details: { file, line, column },
    });
  }
}

function entryCredential(entry: unknown, file: string, key: string): Credential | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const e = entry as Record<string, unknown>;
  if (typeof e.identitytoken === 'string' && e.identitytoken !== '') {
    const out: Credential = { identityToken: e.identitytoken };
    if (typeof e.username === 'string') out.username = e.username;
    return out;
  }
  if (typeof e.auth === 'string' && e.auth !== '') {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new FerryError('INVALID_INPUT', `The "auth" value for ${key} in ${file} is not base64 of user:password.`, {
        hint: 'Re-create the entry, e.g. with ferry pull-secret add.',
        details: { file, key },
      });
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof e.username === 'string' && typeof e.password === 'string') return { username: e.username, password: e.password };
  return undefined;
}

/** An auth.json document held in memory; `source` says where it came from (never the secret). */
export interface InlineAuth {
  source: string;
  text: string;
}

/** `{username, password}` credentials as an auth.json document (what `InlineAuth` takes). */
export function authJsonOf(credentials: ReadonlyArray<{ registry: string; username: string; password: string }>): string {
  return JSON.stringify({ auths: Object.fromEntries(credentials.map((c) => [c.registry, { username: c.username, password: c.password }])) });
}

function authsOf(text: string, file: string): { file: string; auths: Map<string, unknown> } {
  const json = parseJsonFile(text, file);
  const auths = (json as { auths?: unknown } | null)?.auths;
  const map = new Map<string, unknown>();
  if (typeof auths === 'object' && auths !== null) {
    for (const [key, value] of Object.entries(auths)) {
      const k = normalizeAuthKey(key);
      if (!map.has(k)) map.set(k, value);
    }
  }
  return { file, auths: map };
}

export class CredentialStore {
  private constructor(private readonly files: Array<{ file: string; auths: Map<string, unknown> }>) {}

  /**
   * Reads the files now (missing ones are skipped) so a malformed file fails before any transfer.
   * `inline` auth.json texts held in memory (a job's pull secret and typed credentials, which must
   * never be written to disk) are consulted first, in order; `source` names them in errors.
   */
  static async load(paths: string[], inline: ReadonlyArray<InlineAuth> = []): Promise<CredentialStore> {
    const files: Array<{ file: string; auths: Map<string, unknown> }> = inline.map(({ source, text }) => authsOf(text, source));
    for (const file of paths) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' && paths.length > 1) continue;
        throw new FerryError('INVALID_INPUT', `Cannot read the auth file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, {
          hint: 'Check the path given to --authfile or REGISTRY_AUTH_FILE.',
          cause: e,
        });
      }
      files.push(authsOf(text, file));
    }
    return new CredentialStore(files);
  }

  lookup(registry: string, repository: string): Credential | undefined {
    const keys = authKeyLookupOrder(registry, repository);
    for (const { file, auths } of this.files) {
      for (const key of keys) {
        if (!auths.has(key)) continue;
        const cred = entryCredential(auths.get(key), file, key);
        if (cred) return cred;
      }
    }
    return undefined;
  }
}
