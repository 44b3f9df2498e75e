import { base64ToBytes } from '../certs/encoding';
import { AUTH_KEY_FORMAT, parseAuthKey } from './auth-key';
import { parseJsonDocument, positionAt, type JsonNode, type JsonObjectNode, type JsonSyntaxIssue } from './json-document';

/**
 * Validation of a pull secret (`.dockerconfigjson` / auth.json) the way the cluster and containers tools will
 * read it. Pure, so the app can validate a pasted secret as it is typed. Nothing here ever carries a password
 * or an undecoded `auth` value into a message.
 */

export interface PullSecretFinding {
  severity: 'error' | 'warning';
  message: string;
  line: number;
  column: number;
  /** The `auths` key the finding is about, when there is one. */
  key?: string;
}

export interface PullSecretEntry {
  key: string;
  registry: string;
  namespace?: string;
  /** Decoded from `auth`; absent when `auth` does not decode to `user:password`. */
  username?: string;
  email?: string;
  line: number;
  column: number;
}

export interface PullSecretReport {
  /** No syntax error and no finding of severity `error`. */
  valid: boolean;
  /** Set when the text is not JSON; then nothing else was checked. */
  syntaxError?: JsonSyntaxIssue;
  /** The document is an object with an `auths` object, so credentials can be added to it. */
  editable: boolean;
  findings: PullSecretFinding[];
  entries: PullSecretEntry[];
}

export type DecodedAuth = { ok: true; username: string; passwordLength: number } | { ok: false; reason: string };

/** Decodes an `auth` value; the password itself is never returned, only whether it is empty. */
export function decodeAuth(auth: string): DecodedAuth {
  const bytes = base64ToBytes(auth);
  if (bytes === undefined) return { ok: false, reason: 'is not valid base64 (standard alphabet, with = padding)' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: 'decodes to bytes that are not text, so not to user:password' };
  }
  const colon = text.indexOf(':');
  if (colon < 0) return { ok: false, reason: "decodes to text without ':', so not to user:password" };
  return { ok: true, username: text.slice(0, colon), passwordLength: text.length - colon - 1 };
}

function duplicateFindings(text: string, node: JsonNode, where: string, out: PullSecretFinding[]): void {
  if (node.kind === 'array') for (const item of node.items) duplicateFindings(text, item, where, out);
  if (node.kind !== 'object') return;
  const seen = new Map<string, number>();
  for (const m of node.members) {
    const first = seen.get(m.key);
    const pos = positionAt(text, m.keySpan.start);
    if (first !== undefined) {
      out.push({
        severity: 'warning',
        message: `the key "${m.key}" appears more than once in ${where} (first at line ${positionAt(text, first).line}); JSON readers keep only the last one and ignore the others`,
        ...pos,
        key: m.key,
      });
    } else {
      seen.set(m.key, m.keySpan.start);
    }
    duplicateFindings(text, m.value, `"${m.key}"`, out);
  }
}

function checkEntry(text: string, key: string, keyStart: number, value: JsonNode, findings: PullSecretFinding[], entries: PullSecretEntry[]): void {
  const at = positionAt(text, keyStart);
  const finding = (severity: PullSecretFinding['severity'], message: string, offset = keyStart): void => {
    findings.push({ severity, message, ...positionAt(text, offset), key });
  };
  const parsed = parseAuthKey(key);
  if (!parsed) {
    finding('error', `"${key}" is not a registry key: expected ${AUTH_KEY_FORMAT}`);
  } else {
    if (parsed.scheme) finding('warning', `"${key}" starts with a URL scheme; OpenShift and containers tools match keys as host[:port][/namespace], write it without http:// or https://`);
    if (parsed.trailingSlash && parsed.namespace) {
      finding('warning', `"${key}" ends with '/': the kubelet matches it, but podman, skopeo and oc look the credential up as "${parsed.registry}/${parsed.namespace}" without the slash`);
    }
  }
  if (value.kind !== 'object') {
    finding('error', `the value of "${key}" must be an object like {"auth":"...","email":"..."}`, value.start);
    return;
  }
  const entry: PullSecretEntry = { key, registry: parsed?.registry ?? key, ...at };
  if (parsed?.namespace) entry.namespace = parsed.namespace;
  const last = (name: string): JsonNode | undefined => value.members.filter((m) => m.key === name).at(-1)?.value;
  const auth = last('auth');
  if (auth === undefined) {
    finding('error', `the entry "${key}" has no "auth" (base64 of user:password)`, value.start);
  } else if (auth.kind !== 'string') {
    finding('error', `"auth" of "${key}" must be a string (base64 of user:password)`, auth.start);
  } else {
    const decoded = decodeAuth(auth.value);
    if (!decoded.ok) {
      finding('error', `"auth" of "${key}" ${decoded.reason}`, auth.start);
    } else {
      entry.username = decoded.username;
      if (decoded.username === '') finding('warning', `"auth" of "${key}" has an empty user name`, auth.start);
      if (decoded.passwordLength === 0) finding('warning', `"auth" of "${key}" has an empty password`, auth.start);
    }
  }
  const email = last('email');
  if (email !== undefined) {
    if (email.kind !== 'string') finding('error', `"email" of "${key}" must be a string`, email.start);
    else entry.email = email.value;
  }
  entries.push(entry);
}

export function checkPullSecret(text: string): PullSecretReport {
  const parsed = parseJsonDocument(text);
  if (!parsed.ok) return { valid: false, syntaxError: parsed.error, editable: false, findings: [], entries: [] };
  const findings: PullSecretFinding[] = [];
  const entries: PullSecretEntry[] = [];
  const root = parsed.root;
  const report = (editable: boolean): PullSecretReport => ({ valid: !findings.some((f) => f.severity === 'error'), editable, findings, entries });
  if (root.kind !== 'object') {
    findings.push({ severity: 'error', message: 'the top level must be a JSON object like {"auths":{...}}', ...positionAt(text, root.start) });
    return report(false);
  }
  duplicateFindings(text, root, 'the top-level object', findings);
  const auths = findAuths(root);
  for (const m of root.members) {
    if (m.key !== 'auths') findings.push({ severity: 'warning', message: `the top-level key "${m.key}" is ignored: OpenShift reads only "auths"`, ...positionAt(text, m.keySpan.start) });
  }
  if (auths === undefined) {
    findings.push({ severity: 'error', message: 'there is no "auths" object: a pull secret looks like {"auths":{"host:port":{"auth":"..."}}}', ...positionAt(text, root.start) });
    return report(true); // `add` can still create the auths object
  }
  if (auths.kind !== 'object') {
    findings.push({ severity: 'error', message: '"auths" must be an object mapping registries to credentials', ...positionAt(text, auths.start) });
    return report(false);
  }
  if (auths.members.length === 0) findings.push({ severity: 'warning', message: '"auths" is empty: no registry has credentials', ...positionAt(text, auths.start) });
  for (const m of auths.members) checkEntry(text, m.key, m.keySpan.start, m.value, findings, entries);
  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return report(true);
}

/** The `auths` value readers use (the last one when duplicated). */
export function findAuths(root: JsonObjectNode): JsonNode | undefined {
  return root.members.filter((m) => m.key === 'auths').at(-1)?.value;
}
