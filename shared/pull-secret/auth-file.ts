import { base64ToBytes } from '../certs/encoding';
import { parseJsonDocument, positionAt, type JsonNode, type JsonObjectNode, type JsonSyntaxIssue, type TextPosition } from './json-document';

/**
 * The one reader of registry credential documents. A pull secret (`.dockerconfigjson`), containers'
 * auth.json and Docker's config.json share one form, {"auths":{"host[:port][/ns]":{"auth":"…"}}}, and
 * credential lookup, `ferry pull-secret check/add` and the app's pull-secret editor all read it here, so
 * they agree on what a document holds, where a problem is (line, column and JSON path) and how an entry
 * decodes (containers/image pkg/docker/config/config.go: decodeDockerAuth, dockerAuthConfig).
 * No problem or message ever carries a value: `auth`, passwords and tokens stay out of every error.
 */

/** What a registry client logs in with: user and password, or an OAuth2 refresh token (`identitytoken`). */
export type RegistryCredential = { username: string; password: string } | { identityToken: string; username?: string };

export interface AuthEntry {
  /** The key as written in `auths`. */
  key: string;
  keyStart: number;
  value: JsonNode;
}

/** Something that keeps a document or an entry from being read: what, where, and at which JSON path. */
export interface AuthProblem extends TextPosition {
  offset: number;
  /** JSON path of the value at fault, e.g. `auths["quay.io"].auth`. */
  path: string;
  message: string;
  /** The `auths` key the problem is about, when there is one. */
  key?: string;
}

export type AuthDocument =
  | { ok: false; syntaxError: JsonSyntaxIssue }
  | {
      ok: true;
      text: string;
      root: JsonNode;
      /** The `auths` value readers use (the last one when duplicated); undefined when there is none. */
      auths: JsonNode | undefined;
      /** Every member of `auths` in document order, duplicates included (empty unless `auths` is an object). */
      entries: AuthEntry[];
      /** The top level or `auths` is not an object, so no entry can be read. */
      problems: AuthProblem[];
    };

export function entryPath(key: string, field?: string): string {
  return `auths[${JSON.stringify(key)}]${field === undefined ? '' : `.${field}`}`;
}

function problem(text: string, offset: number, path: string, message: string, key?: string): AuthProblem {
  return { ...positionAt(text, offset), offset, path, message, ...(key === undefined ? {} : { key }) };
}

/** The `auths` value readers use (the last one when duplicated). */
function findAuths(root: JsonObjectNode): JsonNode | undefined {
  return root.members.filter((m) => m.key === 'auths').at(-1)?.value;
}

export function readAuthDocument(text: string): AuthDocument {
  const parsed = parseJsonDocument(text, { maskValues: true });
  if (!parsed.ok) return { ok: false, syntaxError: parsed.error };
  const root = parsed.root;
  const doc = { ok: true as const, text, root, auths: undefined as JsonNode | undefined, entries: [] as AuthEntry[], problems: [] as AuthProblem[] };
  if (root.kind !== 'object') {
    doc.problems.push(problem(text, root.start, '(top level)', 'the top level must be a JSON object like {"auths":{...}}'));
    return doc;
  }
  doc.auths = findAuths(root);
  if (doc.auths === undefined) return doc;
  if (doc.auths.kind !== 'object') {
    doc.problems.push(problem(text, doc.auths.start, 'auths', '"auths" must be an object mapping registries to credentials'));
    return doc;
  }
  doc.entries = doc.auths.members.map((m) => ({ key: m.key, keyStart: m.keySpan.start, value: m.value }));
  return doc;
}

/** The string fields of an entry Ferry reads; `email` is kept by pull secrets, the others are dockerAuthConfig's. */
export type EntryField = 'auth' | 'identitytoken' | 'username' | 'password' | 'email';

const FIELD_FORM: Partial<Record<EntryField, string>> = { auth: ' (base64 of user:password)' };

export interface EntryFields {
  /** The entry's value is an object (otherwise no field was read). */
  object: boolean;
  fields: Partial<Record<EntryField, { value: string; start: number }>>;
  problems: AuthProblem[];
}

/** The named fields of an entry (the last of duplicates, as JSON readers keep), each required to be a string. */
export function readEntry(text: string, entry: AuthEntry, names: readonly EntryField[]): EntryFields {
  const { key, value } = entry;
  if (value.kind !== 'object') {
    return { object: false, fields: {}, problems: [problem(text, value.start, entryPath(key), `the value of "${key}" must be an object like {"auth":"...","email":"..."}`, key)] };
  }
  const out: EntryFields = { object: true, fields: {}, problems: [] };
  for (const name of names) {
    const node = value.members.filter((m) => m.key === name).at(-1)?.value;
    if (node === undefined) continue;
    if (node.kind === 'string') out.fields[name] = { value: node.value, start: node.start };
    else out.problems.push(problem(text, node.start, entryPath(key, name), `"${name}" of "${key}" must be a string${FIELD_FORM[name] ?? ''}`, key));
  }
  return out;
}

export type DecodedAuth = { ok: true; username: string; password: string } | { ok: false; reason: string };

/**
 * Decodes an `auth` value as containers/image does: strict standard base64 of `user:password`, split at
 * the first ':', NULs trimmed from the password. The reason for a failure never quotes the value.
 */
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
  return { ok: true, username: text.slice(0, colon), password: text.slice(colon + 1).replace(/^\0+|\0+$/g, '') };
}

/**
 * The credential a registry client uses from an entry: an identity token first, else `auth`, else
 * Docker's plain `username`/`password` fields; undefined for an entry with none (Docker writes `{}` for
 * a credential helper). A malformed entry is a problem, not silently skipped: it would log in wrongly.
 */
export function entryCredential(text: string, entry: AuthEntry): { credential?: RegistryCredential; problem?: AuthProblem } {
  const { fields, problems } = readEntry(text, entry, ['identitytoken', 'auth', 'username', 'password']);
  if (problems[0]) return { problem: problems[0] };
  const { identitytoken, auth, username, password } = fields;
  if (identitytoken && identitytoken.value !== '') {
    return { credential: { identityToken: identitytoken.value, ...(username ? { username: username.value } : {}) } };
  }
  if (auth && auth.value !== '') {
    const decoded = decodeAuth(auth.value);
    const path = entryPath(entry.key, 'auth');
    if (!decoded.ok) return { problem: problem(text, auth.start, path, `"auth" of "${entry.key}" ${decoded.reason}`, entry.key) };
    // A registry rejects an empty user name; said here rather than as a puzzling 401 later.
    if (decoded.username === '') return { problem: problem(text, auth.start, path, `"auth" of "${entry.key}" has an empty user name`, entry.key) };
    return { credential: { username: decoded.username, password: decoded.password } };
  }
  if (username && password) return { credential: { username: username.value, password: password.value } };
  return {};
}
