import { AUTH_KEY_FORMAT, normalizeAuthKey, parseAuthKey } from './auth-key';
import { decodeAuth, entryPath, readAuthDocument, readEntry, type AuthEntry } from './auth-file';
import { positionAt, type JsonNode, type JsonSyntaxIssue } from './json-document';

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

function checkEntry(text: string, entry: AuthEntry, findings: PullSecretFinding[], entries: PullSecretEntry[]): void {
  const { key, keyStart } = entry;
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
  const { object, fields, problems } = readEntry(text, entry, ['auth', 'email']);
  for (const p of problems) finding('error', p.message, p.offset);
  if (!object) return;
  const out: PullSecretEntry = { key, registry: parsed?.registry ?? key, ...positionAt(text, keyStart) };
  if (parsed?.namespace) out.namespace = parsed.namespace;
  const { auth, email } = fields;
  if (auth === undefined) {
    if (!problems.some((p) => p.path === entryPath(key, 'auth'))) finding('error', `the entry "${key}" has no "auth" (base64 of user:password)`, entry.value.start);
  } else {
    const decoded = decodeAuth(auth.value);
    if (!decoded.ok) {
      finding('error', `"auth" of "${key}" ${decoded.reason}`, auth.start);
    } else {
      out.username = decoded.username;
      if (decoded.username === '') finding('warning', `"auth" of "${key}" has an empty user name`, auth.start);
      if (decoded.password === '') finding('warning', `"auth" of "${key}" has an empty password`, auth.start);
    }
  }
  if (email !== undefined) out.email = email.value;
  entries.push(out);
}

/** Different keys that name one registry (`docker.io` and `https://index.docker.io/v1/`): which one a tool uses depends on the tool. */
function sameRegistryFindings(text: string, entries: readonly AuthEntry[], findings: PullSecretFinding[]): void {
  const first = new Map<string, AuthEntry>();
  for (const entry of entries) {
    const name = normalizeAuthKey(entry.key);
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, entry);
    else if (earlier.key !== entry.key) {
      findings.push({
        severity: 'warning',
        message: `"${entry.key}" and "${earlier.key}" (line ${positionAt(text, earlier.keyStart).line}) name the same registry ${name}; tools that match keys as written and tools that normalize them may use different ones, keep one`,
        ...positionAt(text, entry.keyStart),
        key: entry.key,
      });
    }
  }
}

export function checkPullSecret(text: string): PullSecretReport {
  const doc = readAuthDocument(text);
  if (!doc.ok) return { valid: false, syntaxError: doc.syntaxError, editable: false, findings: [], entries: [] };
  const findings: PullSecretFinding[] = doc.problems.map((p) => ({ severity: 'error', message: p.message, line: p.line, column: p.column }));
  const entries: PullSecretEntry[] = [];
  const root = doc.root;
  const report = (editable: boolean): PullSecretReport => {
    findings.sort((a, b) => a.line - b.line || a.column - b.column);
    return { valid: !findings.some((f) => f.severity === 'error'), editable, findings, entries };
  };
  if (root.kind !== 'object') return report(false);
  duplicateFindings(text, root, 'the top-level object', findings);
  for (const m of root.members) {
    if (m.key !== 'auths') findings.push({ severity: 'warning', message: `the top-level key "${m.key}" is ignored: OpenShift reads only "auths"`, ...positionAt(text, m.keySpan.start) });
  }
  const auths = doc.auths;
  if (auths === undefined) {
    findings.push({ severity: 'error', message: 'there is no "auths" object: a pull secret looks like {"auths":{"host:port":{"auth":"..."}}}', ...positionAt(text, root.start) });
    return report(true); // `add` can still create the auths object
  }
  if (auths.kind !== 'object') return report(false);
  if (doc.entries.length === 0) findings.push({ severity: 'warning', message: '"auths" is empty: no registry has credentials', ...positionAt(text, auths.start) });
  for (const entry of doc.entries) checkEntry(text, entry, findings, entries);
  sameRegistryFindings(text, doc.entries, findings);
  return report(true);
}
