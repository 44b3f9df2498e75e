import { readFile } from 'node:fs/promises';
import { FerryError } from '../../../shared/errors';
import type { ParentRef } from '../../../shared/transfer/manifest';
import { parseReceipt, parseTransferManifest } from '../../../shared/transfer/parse';
import { digestOf } from '../hashing/verified-stream';

/**
 * `ferry mirror --since FILE`: what the disconnected mirror already holds, read from the receipt a push
 * wrote there (or from the transfer.json of the transfer that was pushed). Blobs in `held` are recorded
 * in the new transfer as taken from the parent instead of written.
 */
export interface SinceParent {
  ref: ParentRef;
  /** Every digest (manifests included) the parent put into the mirror. */
  held: Set<string>;
}

export async function readSince(path: string): Promise<SinceParent> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new FerryError('INVALID_INPUT', `Cannot read --since ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, {
      hint: 'Give the receipt.json that ferry push wrote on the disconnected side, or the transfer.json of the transfer that was pushed.',
    });
  }
  const digest = digestOf(bytes);
  const text = bytes.toString('utf8');
  let kind: unknown;
  try {
    kind = (JSON.parse(text) as { kind?: unknown }).kind;
  } catch {
    kind = undefined; // the parsers below report where the JSON is broken
  }
  if (kind === 'receipt') {
    const receipt = parseReceipt(text, path);
    return {
      ref: { id: receipt.transferId, kind: 'receipt', digest },
      held: new Set([...receipt.blobs, ...receipt.images.map((i) => i.digest)]),
    };
  }
  const parent = parseTransferManifest(text, path);
  // A delta's own parent blobs were in the mirror before it was pushed: they count as held too.
  return { ref: { id: parent.id, kind: 'transfer', digest }, held: new Set(parent.blobs.map((b) => b.digest)) };
}
