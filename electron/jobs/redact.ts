/**
 * Job parameters are kept in history and shown in the UI; secrets in them must never be. Keys that
 * hold a secret are replaced, and every secret value seen is also scrubbed from any other string
 * (an engine error message that quotes a password must not reach the history file either), and so are
 * credentials written into any URL (`http://user:pass@proxy:3128`).
 */
const REDACTED = '[redacted]';

const SECRET_KEY = /^(password|passwd|token|auth|identitytoken|registrytoken|secret|value|pullsecret)$/i;

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Every secret string found under a secret key, anywhere in `value`. */
export function collectSecrets(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) collectSecrets(v, found);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (isSecretKey(k) && typeof v === 'string' && v !== '') {
        found.add(v);
        collectFromJsonText(v, found);
      }
      else collectSecrets(v, found);
    }
  }
  return found;
}

/** A pull secret is JSON whose `auth` entries are secrets of their own. */
function collectFromJsonText(text: string, found: Set<string>): void {
  if (!text.trimStart().startsWith('{')) return;
  try {
    collectSecrets(JSON.parse(text), found);
  } catch {
    // not JSON: the whole string is already collected
  }
}

/** A deep copy with secret keys replaced and known secret values removed from every string. */
export function redact<T>(value: T, secrets: ReadonlySet<string> = new Set()): T {
  return walk(value, secrets) as T;
}

function walk(value: unknown, secrets: ReadonlySet<string>): unknown {
  if (typeof value === 'string') return scrub(value, secrets);
  if (Array.isArray(value)) return value.map((v) => walk(v, secrets));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = isSecretKey(k) && typeof v === 'string' ? REDACTED : walk(v, secrets);
    }
    return out;
  }
  return value;
}

/** `scheme://user:password@` in any URL (a proxy's, typically): the credentials are secret wherever the URL is quoted. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;

function scrub(text: string, secrets: ReadonlySet<string>): string {
  let out = text.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
}
