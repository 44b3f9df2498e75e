import { parseAllDocuments } from 'yaml';
import { FerryError } from '../../../shared/errors';

/**
 * The declcfg objects of one catalog file, one at a time, as operator-registry's `WalkMetasReader`
 * (`alpha/declcfg/load.go`) reads them with k8s `yaml.NewYAMLOrJSONDecoder`: a file whose first
 * non-blank byte is `{` is a stream of JSON values one after another (how `opm render` writes
 * `catalog.json`); anything else is YAML documents split at `---` lines (k8s `YAMLReader`).
 * Only one object is in memory at a time, capped at `maxObjectBytes`, so a catalog of any size streams.
 */
export async function* fbcObjects(content: AsyncIterable<Buffer | Uint8Array>, where: string, maxObjectBytes = 64 * 1024 * 1024): AsyncGenerator<unknown> {
  const chunks = content[Symbol.asyncIterator]();
  let first: Buffer | undefined;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return;
    const buf = Buffer.from(next.value);
    const at = buf.findIndex((b) => !isSpace(b));
    if (at >= 0) {
      first = buf.subarray(at);
      break;
    }
  }
  const rest = (async function* () {
    yield first!;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield Buffer.from(next.value);
    }
  })();
  if (first[0] === 0x7b) yield* jsonValues(rest, where, maxObjectBytes);
  else yield* yamlDocuments(rest, where, maxObjectBytes);
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function tooBig(where: string, max: number): FerryError {
  return new FerryError('UNSUPPORTED', `An object in ${where} is larger than ${max} bytes.`, { hint: 'Ferry reads catalog objects one at a time and caps each to bound memory.' });
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FerryError('INVALID_INPUT', `${where} is not valid JSON: ${(e as Error).message}.`, { hint: 'Check the catalog with `opm validate`.' });
  }
}

/** Top-level JSON values of a stream, split by tracking brace depth outside strings. */
async function* jsonValues(content: AsyncIterable<Buffer>, where: string, max: number): AsyncGenerator<unknown> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of content) {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (depth === 0) {
        if (isSpace(b)) {
          start = i + 1;
          continue;
        }
        if (b !== 0x7b) throw new FerryError('INVALID_INPUT', `${where} has something other than a JSON object between its objects.`, { hint: 'Check the catalog with `opm validate`.' });
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (b === 0x5c) escaped = true;
        else if (b === 0x22) inString = false;
      } else if (b === 0x22) inString = true;
      else if (b === 0x7b || b === 0x5b) depth++;
      else if (b === 0x7d || b === 0x5d) {
        depth--;
        if (depth === 0) {
          parts.push(chunk.subarray(start, i + 1));
          const text = Buffer.concat(parts).toString('utf8');
          parts = [];
          size = 0;
          start = i + 1;
          yield parseJson(text, where);
        }
      }
    }
    if (depth > 0 && start < chunk.length) {
      size += chunk.length - start;
      if (size > max) throw tooBig(where, max);
      parts.push(chunk.subarray(start));
    }
  }
  if (depth !== 0) throw new FerryError('INVALID_INPUT', `${where} ends in the middle of a JSON object.`, { hint: 'Check the catalog with `opm validate`.' });
}

/** YAML documents split at lines that are `---` (and trailing blanks) only, as k8s' YAMLReader splits them. */
async function* yamlDocuments(content: AsyncIterable<Buffer>, where: string, max: number): AsyncGenerator<unknown> {
  let pending = '';
  let doc: string[] = [];
  let size = 0;
  const flush = function* (): Generator<unknown> {
    const text = doc.join('');
    doc = [];
    size = 0;
    if (text.trim() === '') return;
    const docs = parseAllDocuments(text);
    for (const d of Array.isArray(docs) ? docs : [docs]) {
      if (d.errors.length) throw new FerryError('INVALID_INPUT', `${where} is not valid YAML: ${d.errors[0]!.message}`, { hint: 'Check the catalog with `opm validate`.' });
      const value: unknown = d.toJS();
      if (value !== null && value !== undefined) yield value;
    }
  };
  const take = function* (line: string): Generator<unknown> {
    if (/^---\s*$/.test(line)) {
      yield* flush();
      return;
    }
    size += line.length;
    if (size > max) throw tooBig(where, max);
    doc.push(line);
  };
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of content) {
    pending += decoder.decode(chunk, { stream: true });
    let from = 0;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n', from)) {
      yield* take(pending.slice(from, nl + 1));
      from = nl + 1;
    }
    pending = pending.slice(from);
    if (pending.length > max) throw tooBig(where, max);
  }
  pending += decoder.decode();
  if (pending !== '') yield* take(pending);
  yield* flush();
}
