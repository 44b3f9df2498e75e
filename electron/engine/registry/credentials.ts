import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { entryCredential, readAuthDocument, type AuthEntry, type AuthProblem, type RegistryCredential } from '../../../shared/pull-secret/auth-file';
import { authKeyLookupOrder, normalizeAuthKey } from '../../../shared/pull-secret/auth-key';

/**
 * Registry credentials found the way podman, skopeo and buildah find them (containers/image
 * pkg/docker/config): an explicit auth file alone, else the standard files in order; in each file
 * the most specific key wins (`host/a/b/img`, `host/a/b`, `host/a`, `host`).
 */
export type Credential = RegistryCredential;

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

function invalidJson(file: string, e: { line: number; column: number; reason: string }): FerryError {
  // No excerpt: the line may hold a credential.
  return new FerryError('INVALID_INPUT', `The auth file ${file} is not valid JSON at line ${e.line}, column ${e.column}: ${e.reason}.`, {
    hint: 'Fix the JSON (check ferry pull-secret check FILE), or point --authfile at another file.',
    details: { file, line: e.line, column: e.column },
  });
}

function unreadable(file: string, p: AuthProblem): FerryError {
  return new FerryError('INVALID_INPUT', `The auth file ${file} cannot be used: ${p.message} (line ${p.line}, column ${p.column}, at ${p.path}).`, {
    hint: 'Re-create the entry, e.g. with ferry pull-secret add, or point --authfile at another file.',
    details: { file, line: p.line, column: p.column, path: p.path, ...(p.key === undefined ? {} : { key: p.key }) },
  });
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

interface AuthSource {
  file: string;
  text: string;
  /** Entries by their key as written (the last of duplicates, as JSON readers keep). */
  exact: Map<string, AuthEntry>;
  /** Entries by normalized key (the first in the document), for keys written as URLs or aliases. */
  normalized: Map<string, AuthEntry>;
}

/** A malformed document fails as a whole (containers/image refuses to unmarshal it); a bad entry fails when used. */
function authsOf(text: string, file: string): AuthSource {
  const doc = readAuthDocument(text);
  if (!doc.ok) throw invalidJson(file, doc.syntaxError);
  if (doc.problems[0]) throw unreadable(file, doc.problems[0]);
  const exact = new Map<string, AuthEntry>();
  for (const entry of doc.entries) exact.set(entry.key, entry);
  const normalized = new Map<string, AuthEntry>();
  for (const entry of exact.values()) {
    const key = normalizeAuthKey(entry.key);
    if (!normalized.has(key)) normalized.set(key, entry);
  }
  return { file, text, exact, normalized };
}

export class CredentialStore {
  private constructor(private readonly files: AuthSource[]) {}

  /**
   * Reads the files now (missing ones are skipped) so a malformed file fails before any transfer.
   * `inline` auth.json texts held in memory (a job's pull secret and typed credentials, which must
   * never be written to disk) are consulted first, in order; `source` names them in errors.
   */
  static async load(paths: string[], inline: ReadonlyArray<InlineAuth> = []): Promise<CredentialStore> {
    const files: AuthSource[] = inline.map(({ source, text }) => authsOf(text, source));
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
    for (const source of this.files) {
      for (const key of keys) {
        // containers/image: a key as written first, then keys normalized (URLs, Docker Hub aliases).
        const entry = source.exact.get(key) ?? source.normalized.get(key);
        if (!entry) continue;
        const { credential, problem } = entryCredential(source.text, entry);
        if (problem) throw unreadable(source.file, problem);
        if (credential) return credential;
      }
    }
    return undefined;
  }
}
