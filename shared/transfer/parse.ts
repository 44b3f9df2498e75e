import type { z } from 'zod';
import { FerryError, type FerryErrorCode } from '../errors';
import { parseJsonDocument } from '../pull-secret/json-document';
import { NEWEST_TRANSFER_FORMAT, transferManifestSchema, type TransferManifest } from './manifest';
import { receiptSchema, type Receipt } from './receipt';

/**
 * Parsing of the JSON files a transfer carries (transfer.json, receipt.json). Operators hand-carry and
 * sometimes hand-edit them, so a failure must say exactly where: line/column for malformed JSON, the
 * field path for a schema violation. A bad transfer.json is damaged media, a failed check (MEDIA_CORRUPT,
 * exit 1: DESIGN §3 "exit 1 on any problem"); a bad receipt is the operator's input (INVALID_INPUT, exit 2).
 */
const MAX_SCHEMA_ISSUES = 5;

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || '(top level)';
}

function parseJson(text: string, label: string, what: string, code: FerryErrorCode): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch {
    // JSON.parse's message has no reliable position; the position-keeping reader says where.
    const located = parseJsonDocument(body);
    const where = located.ok ? '' : ` at line ${located.error.line}, column ${located.error.column}: ${located.error.reason}`;
    throw new FerryError(code, `${label} is not valid JSON${where}.`, {
      hint: `Restore ${what} from the original media; it is written by Ferry and should not be edited by hand.`,
      details: located.ok ? { file: label } : { file: label, line: located.error.line, column: located.error.column, excerpt: located.error.excerpt },
    });
  }
}

function validate<T>(schema: z.ZodType<T>, value: unknown, label: string, what: string, code: FerryErrorCode): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, MAX_SCHEMA_ISSUES).map((i) => `${formatPath(i.path)}: ${i.message}`);
  const more = result.error.issues.length > MAX_SCHEMA_ISSUES ? ` (and ${result.error.issues.length - MAX_SCHEMA_ISSUES} more)` : '';
  throw new FerryError(code, `${label} is not a valid ${what}: ${issues.join('; ')}${more}.`, {
    hint: `Restore ${what} from the original media, or check that it was written by a compatible Ferry version.`,
    details: { file: label, issues: result.error.issues.slice(0, MAX_SCHEMA_ISSUES).map((i) => ({ path: formatPath(i.path), message: i.message })) },
  });
}

export function parseTransferManifest(text: string, label = 'transfer.json'): TransferManifest {
  const value = parseJson(text, label, 'transfer.json', 'MEDIA_CORRUPT');
  refuseNewerFormat(value, label);
  return validate(transferManifestSchema, value, label, 'transfer manifest', 'MEDIA_CORRUPT');
}

/** A newer Ferry's transfer is not damaged media: say which Ferry reads it rather than list schema differences. */
function refuseNewerFormat(value: unknown, label: string): void {
  if (typeof value !== 'object' || value === null) return;
  const { formatVersion, tool } = value as { formatVersion?: unknown; tool?: { version?: unknown } };
  if (typeof formatVersion !== 'number' || !Number.isInteger(formatVersion) || formatVersion <= NEWEST_TRANSFER_FORMAT) return;
  const writer = typeof tool?.version === 'string' ? ` (written by Ferry ${tool.version})` : '';
  throw new FerryError('UNSUPPORTED', `${label} is transfer format ${formatVersion}${writer}; this Ferry reads formats 1 to ${NEWEST_TRANSFER_FORMAT}.`, {
    hint: 'Use a Ferry at least as new as the one that wrote the media on this side too; nothing was read or changed.',
    details: { file: label, formatVersion },
  });
}

export function parseReceipt(text: string, label = 'receipt.json'): Receipt {
  return validate(receiptSchema, parseJson(text, label, 'receipt.json', 'INVALID_INPUT'), label, 'push receipt', 'INVALID_INPUT');
}
