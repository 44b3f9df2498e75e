import { FerryError } from '../errors';
import { utf8ToBase64 } from '../certs/encoding';
import { AUTH_KEY_FORMAT, parseAuthKey } from './auth-key';
import { readAuthDocument } from './auth-file';
import type { JsonObjectNode } from './json-document';

export interface Credential {
  /** `host[:port]` or `host[:port]/namespace` as it should appear in `auths`. */
  registry: string;
  username: string;
  /** A password or a token (seed 004: a service-account token is used as the password). */
  password: string;
  email?: string;
}

/** The `auths` entry for a credential: `auth` is base64 of `user:password` (seed 000). */
export function authEntry(cred: Credential): { auth: string; email?: string } {
  const entry: { auth: string; email?: string } = { auth: utf8ToBase64(`${cred.username}:${cred.password}`) };
  if (cred.email !== undefined) entry.email = cred.email;
  return entry;
}

/** Refuses what the cluster or containers tools would misread; the password itself is never quoted. */
export function validateCredential(cred: Credential): void {
  const key = parseAuthKey(cred.registry);
  if (!key || key.scheme) {
    throw new FerryError('USAGE', `"${cred.registry}" is not a registry for a pull secret.`, { hint: `Give ${AUTH_KEY_FORMAT} (no http:// or https://).` });
  }
  if (cred.username === '' || /[:\r\n]/.test(cred.username)) {
    throw new FerryError('USAGE', 'The user name is empty or contains a colon or line break.', { hint: "auth is base64 of user:password, so the user name cannot contain ':'. For a token, any non-empty user name works." });
  }
  if (cred.password === '') throw new FerryError('USAGE', 'The password (or token) is empty.', { hint: 'Pass it on standard input, e.g. printf %s "$TOKEN" | ferry pull-secret add ... --password-stdin.' });
}

interface Style {
  multiline: boolean;
  /** Indentation of a member line inside the object being edited. */
  indent: string;
  /** One level of indentation. */
  unit: string;
  /** Text between a key and its value, e.g. `:` or `: `. */
  colon: string;
}

function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** Copies the formatting already used around `obj`, so an added entry looks like its neighbours. */
function styleOf(text: string, obj: JsonObjectNode): Style {
  const multiline = text.slice(obj.start, obj.end).includes('\n') || (obj.members.length === 0 && text.trim().includes('\n'));
  const outer = lineIndent(text, obj.start);
  const last = obj.members.at(-1);
  const indent = last && multiline ? lineIndent(text, last.keySpan.start) : outer + '  ';
  const unit = indent.startsWith(outer) && indent.length > outer.length ? indent.slice(outer.length) : '  ';
  const colon = last ? text.slice(last.keySpan.end, last.value.start) : multiline ? ': ' : ':';
  return { multiline, indent, unit, colon };
}

function render(value: unknown, style: Style): string {
  if (!style.multiline) return JSON.stringify(value);
  return JSON.stringify(value, null, style.unit).replace(/\n/g, `\n${style.indent}`);
}

function insertMember(text: string, obj: JsonObjectNode, key: string, value: unknown): string {
  const style = styleOf(text, obj);
  const member = `${JSON.stringify(key)}${style.colon}${render(value, style)}`;
  const last = obj.members.at(-1);
  if (last) {
    const sep = style.multiline ? `,\n${style.indent}` : ',';
    return text.slice(0, last.value.end) + sep + member + text.slice(last.value.end);
  }
  const body = style.multiline ? `{\n${style.indent}${member}\n${lineIndent(text, obj.start)}}` : `{${member}}`;
  return text.slice(0, obj.start) + body + text.slice(obj.end);
}

function notAPullSecret(): FerryError {
  return new FerryError('INVALID_INPUT', 'The pull secret is JSON but not of the form {"auths":{...}}, so no credential can be added to it.', {
    hint: 'Run `ferry pull-secret check FILE` to see what is wrong; nothing was written.',
  });
}

/**
 * Adds a credential to a pull secret, or replaces the entry with the same key, and returns the new text.
 * Every other entry, key order and formatting stay byte for byte: the change is spliced into the original.
 * A duplicated key has every copy replaced, so whichever one a reader keeps holds the new credential.
 */
export function addCredential(text: string, cred: Credential): { text: string; replaced: boolean } {
  validateCredential(cred);
  const doc = readAuthDocument(text);
  if (!doc.ok) {
    const e = doc.syntaxError;
    throw new FerryError('INVALID_INPUT', `The pull secret is not valid JSON: line ${e.line}, column ${e.column}: ${e.reason}.\n${e.excerpt}`, {
      hint: 'Fix the file at that position (or download a fresh pull secret) and run the command again; nothing was written.',
      details: { line: e.line, column: e.column },
    });
  }
  const { root, auths } = doc;
  if (root.kind !== 'object') throw notAPullSecret();
  const entry = authEntry(cred);
  if (auths === undefined) return { text: insertMember(text, root, 'auths', { [cred.registry]: entry }), replaced: false };
  if (auths.kind !== 'object') throw notAPullSecret();
  const same = auths.members.filter((m) => m.key === cred.registry);
  if (same.length === 0) return { text: insertMember(text, auths, cred.registry, entry), replaced: false };
  const style = styleOf(text, auths);
  let out = text;
  // Splice from the end so earlier offsets stay valid.
  for (const m of [...same].reverse()) {
    const memberStyle = { ...style, indent: lineIndent(text, m.keySpan.start) };
    out = out.slice(0, m.value.start) + render(entry, memberStyle) + out.slice(m.value.end);
  }
  return { text: out, replaced: true };
}
