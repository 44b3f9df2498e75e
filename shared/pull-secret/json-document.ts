/**
 * A small JSON reader that keeps positions. JSON.parse hides what an operator needs when a hand-edited pull
 * secret is wrong: its messages differ between engines, it reports no line/column everywhere, and it silently
 * keeps the last of duplicate keys. This reader reports the first syntax error with line, column and excerpt,
 * keeps every member (duplicates included) in order, and records where each value starts and ends so edits can
 * splice the original text instead of re-serialising it.
 */

interface Span {
  /** UTF-16 offset of the first character. */
  start: number;
  /** UTF-16 offset just past the last character. */
  end: number;
}

export interface JsonMember {
  key: string;
  keySpan: Span;
  value: JsonNode;
}

export type JsonNode = Span &
  (
    | { kind: 'object'; members: JsonMember[] }
    | { kind: 'array'; items: JsonNode[] }
    | { kind: 'string'; value: string }
    | { kind: 'number'; value: number }
    | { kind: 'boolean'; value: boolean }
    | { kind: 'null' }
  );

export type JsonObjectNode = Extract<JsonNode, { kind: 'object' }>;

export interface TextPosition {
  line: number;
  column: number;
}

export interface JsonSyntaxIssue extends TextPosition {
  offset: number;
  /** What is wrong, without the position (callers add it). */
  reason: string;
  /** The offending line (shortened around the column when long) and a caret line under the column. */
  excerpt: string;
}

export type JsonParseResult = { ok: true; root: JsonNode } | { ok: false; error: JsonSyntaxIssue };

/** 1-based line and column of a UTF-16 offset; a column counts characters of its line from 1. */
export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const EXCERPT_BEFORE = 50;
const EXCERPT_AFTER = 25;

/**
 * `line` with the characters of every string value (a string after ':') replaced by '*', keys kept: an
 * excerpt of a credentials file then shows where the error is without any `auth`, password or token.
 * The length is unchanged, so columns and the caret stay where they were.
 */
function maskStringValues(line: string): string {
  let out = '';
  let lastSignificant = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c !== '"') {
      if (c !== ' ' && c !== '\t') lastSignificant = c;
      out += c;
      i++;
      continue;
    }
    const isValue = lastSignificant === ':';
    lastSignificant = '"';
    let j = i + 1;
    while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
    const body = line.slice(i + 1, Math.min(j, line.length));
    out += `"${isValue ? '*'.repeat(body.length) : body}${j < line.length ? '"' : ''}`;
    i = j + 1;
  }
  return out;
}

/**
 * The line holding `offset` with a caret under it; long lines are cut around the offset and marked with `…`.
 * With `maskValues`, string values are starred out (see maskStringValues).
 */
function excerptAt(text: string, offset: number, maskValues = false): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  const raw = text.slice(lineStart, nl < 0 ? text.length : nl).replace(/\r$/, '');
  const line = maskValues ? maskStringValues(raw) : raw;
  const col = offset - lineStart;
  const from = Math.max(0, col - EXCERPT_BEFORE);
  const to = Math.min(line.length, col + EXCERPT_AFTER);
  const head = from > 0 ? '…' : '';
  const tail = to < line.length ? '…' : '';
  const shown = `${head}${line.slice(from, to)}${tail}`.replace(/\t/g, ' ');
  return `${shown}\n${' '.repeat(head.length + col - from)}^`;
}

class SyntaxFailure extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function describeChar(text: string, i: number): string {
  if (i >= text.length) return 'the end of the text';
  const c = text[i]!;
  if (c === '\n' || c === '\r') return 'a line break';
  return `'${c}'`;
}

const WS = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Far deeper than any pull secret or transfer.json; shallow enough for any stack. */
const MAX_NESTING = 256;

class Reader {
  i = 0;
  private depth = 0;
  constructor(readonly text: string) {
    // A UTF-8 byte order mark from a Windows editor is not part of the document.
    if (text.charCodeAt(0) === 0xfeff) this.i = 1;
  }

  skipWs(): void {
    while (this.i < this.text.length && WS.has(this.text[this.i]!)) this.i++;
  }

  fail(reason: string, at = this.i): never {
    throw new SyntaxFailure(at, reason);
  }

  document(): JsonNode {
    this.skipWs();
    if (this.i >= this.text.length) this.fail('the file is empty; a pull secret is a JSON object like {"auths":{...}}');
    const root = this.value('the document');
    this.skipWs();
    if (this.i < this.text.length) this.fail(`unexpected ${describeChar(this.text, this.i)} after the end of the JSON value (the document's outer braces are already closed)`);
    return root;
  }

  value(context: string): JsonNode {
    this.skipWs();
    const start = this.i;
    const c = this.text[this.i];
    if (c === '{' || c === '[') {
      // Recursive descent: a crafted document of a million '[' would otherwise end in a stack overflow.
      if (this.depth >= MAX_NESTING) this.fail(`the values are nested more than ${MAX_NESTING} levels deep`);
      this.depth++;
      try {
        return c === '{' ? this.object() : this.array();
      } finally {
        this.depth--;
      }
    }
    if (c === '"') return { kind: 'string', value: this.string(), start, end: this.i };
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, node] of [
      ['true', { kind: 'boolean', value: true }],
      ['false', { kind: 'boolean', value: false }],
      ['null', { kind: 'null' }],
    ] as const) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return { ...node, start, end: this.i };
      }
    }
    if (c === "'") this.fail(`strings must use double quotes, not single quotes (${context})`);
    return this.fail(`expected a value for ${context} but found ${describeChar(this.text, this.i)}`);
  }

  object(): JsonNode {
    const start = this.i++;
    const members: JsonMember[] = [];
    this.skipWs();
    if (this.text[this.i] === '}') {
      this.i++;
      return { kind: 'object', members, start, end: this.i };
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.i] !== '"') {
        const what = this.text[this.i] === '}' ? "'}' right after ',' (a trailing comma is not allowed in JSON)" : describeChar(this.text, this.i);
        this.fail(`expected a key in double quotes but found ${what}`);
      }
      const keyStart = this.i;
      const key = this.string();
      const keySpan = { start: keyStart, end: this.i };
      this.skipWs();
      if (this.text[this.i] !== ':') this.fail(`expected ':' after the key "${key}" but found ${describeChar(this.text, this.i)}`);
      this.i++;
      const value = this.value(`the key "${key}"`);
      members.push({ key, keySpan, value });
      this.skipWs();
      const c = this.text[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        return { kind: 'object', members, start, end: this.i };
      }
      if (c === undefined) this.fail(`the text ends inside the object opened at line ${positionAt(this.text, start).line}, column ${positionAt(this.text, start).column}: a '}' is missing`);
      this.fail(`expected ',' or '}' after the value of "${key}" but found ${describeChar(this.text, this.i)}`);
    }
  }

  array(): JsonNode {
    const start = this.i++;
    const items: JsonNode[] = [];
    this.skipWs();
    if (this.text[this.i] === ']') {
      this.i++;
      return { kind: 'array', items, start, end: this.i };
    }
    for (;;) {
      items.push(this.value(`item ${items.length + 1} of the array`));
      this.skipWs();
      const c = this.text[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return { kind: 'array', items, start, end: this.i };
      }
      if (c === undefined) this.fail(`the text ends inside the array opened at line ${positionAt(this.text, start).line}: a ']' is missing`);
      this.fail(`expected ',' or ']' in the array but found ${describeChar(this.text, this.i)}`);
    }
  }

  string(): string {
    const open = this.i++;
    let out = '';
    for (;;) {
      const c = this.text[this.i];
      if (c === undefined) this.fail('this string is never closed: a \'"\' is missing', open);
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === '\n' || c === '\r') this.fail('a line break inside a string: the string is not closed on its line (a \'"\' is missing?)');
      if (c < ' ') this.fail('a control character inside a string must be escaped');
      if (c === '\\') {
        const e = this.text[this.i + 1];
        if (e === 'u') {
          const hex = this.text.slice(this.i + 2, this.i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('\\u must be followed by four hex digits');
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 6;
          continue;
        }
        const mapped = e === undefined ? undefined : ESCAPES[e];
        if (mapped === undefined) this.fail(`invalid escape '\\${e ?? ''}' in a string`);
        out += mapped;
        this.i += 2;
        continue;
      }
      out += c;
      this.i++;
    }
  }

  number(): JsonNode {
    const start = this.i;
    NUMBER_RE.lastIndex = start;
    const m = NUMBER_RE.exec(this.text);
    if (!m || m[0] === '-') this.fail('malformed number');
    this.i = start + m[0].length;
    return { kind: 'number', value: Number(m[0]), start, end: this.i };
  }
}

/** `maskValues`: the text may hold secrets (a pull secret), so the excerpt shows no string value. */
export function parseJsonDocument(text: string, opts: { maskValues?: boolean } = {}): JsonParseResult {
  try {
    return { ok: true, root: new Reader(text).document() };
  } catch (e) {
    if (!(e instanceof SyntaxFailure)) throw e;
    return { ok: false, error: { offset: e.offset, reason: e.reason, ...positionAt(text, e.offset), excerpt: excerptAt(text, e.offset, opts.maskValues) } };
  }
}
