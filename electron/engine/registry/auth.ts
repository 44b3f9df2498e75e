import { FerryError } from '../../../shared/errors';
import { credentialUser, type Credential } from './credentials';

/**
 * Registry authentication, apart from the transport (like regclient's internal/auth): what the
 * registry asked for (WWW-Authenticate), which credential answers it, and a token cache keyed by
 * (host, scope set) with one fetch in flight per key, renewed before it expires. The transport asks
 * for a header per request and reports 401s; it alone decides which host a header goes to.
 */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/** Parses `Bearer realm="...",service="...",scope="a b", Basic realm="..."` into challenges. */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let current: Challenge | undefined;
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i]!)) i++;
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const m = TOKEN_RE.exec(header.slice(i));
    if (!m) {
      i++;
      continue;
    }
    const token = m[0];
    i += token.length;
    skip(/\s/);
    if (header[i] === '=' && current) {
      i++;
      skip(/\s/);
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < header.length && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < header.length) i++;
          value += header[i];
          i++;
        }
        i++;
      } else {
        const v = /^[^\s,]*/.exec(header.slice(i))![0];
        value = v;
        i += v.length;
      }
      current.params[token.toLowerCase()] = value;
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}
export function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}
/** distribution checks the `delete` action for DELETE of manifests (registry/handlers/app.go). */
export function deleteScope(repository: string): string {
  return `repository:${repository}:delete`;
}

export interface TokenResponse {
  token: string;
  /** Seconds. */
  expiresIn: number;
}

/** Performs the token request; supplied by the transport so it uses the registry's TLS trust. */
export type TokenFetcher = (url: URL, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }) => Promise<{ status: number; body: unknown }>;

interface CacheEntry {
  promise: Promise<TokenResponse>;
  renewAt: number;
}

/** Tokens by (host, scope set). Concurrent askers of the same key share one fetch. */
export class TokenCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(private readonly now: () => number = Date.now) {}

  static key(host: string, scopes: string[]): string {
    return `${host}|${[...new Set(scopes)].sort().join(' ')}`;
  }

  get(key: string, fetch: () => Promise<TokenResponse>): Promise<TokenResponse> {
    const hit = this.entries.get(key);
    if (hit && this.now() < hit.renewAt) return hit.promise;
    const entry: CacheEntry = { promise: fetch(), renewAt: Number.POSITIVE_INFINITY };
    this.entries.set(key, entry);
    entry.promise.then(
      (t) => {
        // Renew a quarter of the lifetime early (at most 30 s) so no request carries a token about to lapse.
        const life = t.expiresIn * 1000;
        entry.renewAt = this.now() + life - Math.min(30_000, life / 4);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.promise;
  }

  invalidate(key: string): void {
    this.entries.delete(key);
  }
}

export interface AuthTarget {
  /** Repository whose credentials apply (namespaced auth keys); undefined for registry-wide calls. */
  repository?: string;
  scopes: string[];
}

export type CredentialLookup = (repository: string | undefined) => Credential | undefined;

export class Authenticator {
  private challenge: Challenge | undefined;
  private readonly cache: TokenCache;

  constructor(
    readonly host: string,
    private readonly credentials: CredentialLookup,
    private readonly fetchToken: TokenFetcher,
    cache?: TokenCache,
  ) {
    this.cache = cache ?? new TokenCache();
  }

  /**
   * Records what a 401 asked for. Returns the scopes the challenge named (to add to the retry),
   * and forgets the token that was refused so the retry gets a fresh one.
   */
  learn(wwwAuthenticate: string | undefined, target: AuthTarget): string[] {
    const challenges = parseChallenges(wwwAuthenticate ?? '');
    const chosen = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (chosen) this.challenge = chosen;
    this.cache.invalidate(TokenCache.key(this.host, target.scopes));
    const scope = chosen?.params.scope;
    return scope ? scope.split(' ').filter((s) => s && !target.scopes.includes(s)) : [];
  }

  get knowsChallenge(): boolean {
    return this.challenge !== undefined;
  }

  /** The Authorization header for a request to this registry, or undefined when none is needed or possible. */
  async authorization(target: AuthTarget): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    const cred = this.credentials(target.repository);
    if (ch.scheme === 'basic') {
      if (!cred || !('password' in cred)) return undefined;
      return `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    }
    if (ch.scheme !== 'bearer') return undefined;
    const key = TokenCache.key(this.host, target.scopes);
    const token = await this.cache.get(key, () => this.requestToken(ch, target.scopes, cred));
    return `Bearer ${token.token}`;
  }

  /** The error for a 401 that persisted after fresh credentials were used. */
  refused(target: AuthTarget): FerryError {
    return this.refusedError(this.credentials(target.repository), target.repository);
  }

  private refusedError(cred: Credential | undefined, repository: string | undefined): FerryError {
    const where = repository ? ` (repository ${repository})` : '';
    if (!cred) {
      return new FerryError('AUTH_REQUIRED', `The registry ${this.host} requires credentials${where} and none were found for it.`, {
        hint: `Give an auth file with an entry for ${this.host} (--authfile FILE), or add one with ferry pull-secret add.`,
        details: { host: this.host },
      });
    }
    return new FerryError('AUTH_DENIED', `The registry ${this.host} refused the credentials for ${credentialUser(cred)}${where}.`, {
      hint: `Check the user name and password for ${this.host} in the auth file (--authfile), or replace them with ferry pull-secret add.`,
      details: { host: this.host, user: credentialUser(cred) },
    });
  }

  private async requestToken(ch: Challenge, scopes: string[], cred: Credential | undefined): Promise<TokenResponse> {
    const realm = ch.params.realm;
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      throw new FerryError('REGISTRY_ERROR', `The registry ${this.host} named an unusable token service "${realm ?? ''}".`, {
        hint: 'The registry is misconfigured (WWW-Authenticate realm); report it to its operator.',
      });
    }
    // Credentials never travel in clear text, whatever the registry says.
    if (url.protocol !== 'https:' && cred) {
      throw new FerryError('REGISTRY_ERROR', `The registry ${this.host} asks for credentials to be sent to ${url.origin}, which is not HTTPS; refused.`, {
        hint: 'Configure the registry with an HTTPS token realm.',
      });
    }
    const service = ch.params.service;
    const headers: Record<string, string> = { accept: 'application/json' };
    let init: Parameters<TokenFetcher>[1];
    if (cred && 'identityToken' in cred) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: cred.identityToken, client_id: 'ferry' });
      if (service) form.set('service', service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      headers['content-type'] = 'application/x-www-form-urlencoded';
      init = { method: 'POST', headers, body: form.toString() };
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (cred) headers.authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
      init = { method: 'GET', headers };
    }
    const res = await this.fetchToken(url, init);
    if (res.status === 401 || res.status === 403) throw this.refusedError(cred, undefined);
    if (res.status !== 200) {
      throw new FerryError('REGISTRY_ERROR', `The token service of ${this.host} (${url.host}) answered ${res.status}.`, {
        hint: `The registry's authentication service failed; retry later or check ${url.host}.`,
        details: { host: this.host, status: res.status },
      });
    }
    const body = res.body as { token?: unknown; access_token?: unknown; expires_in?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) {
      throw new FerryError('REGISTRY_ERROR', `The token service of ${this.host} (${url.host}) returned no token.`, {
        hint: 'The registry is misconfigured; report it to its operator.',
      });
    }
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    return { token, expiresIn };
  }
}
