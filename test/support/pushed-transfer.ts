import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TransferManifest } from '../../shared/transfer/manifest';
import type { Receipt } from '../../shared/transfer/receipt';
import { ferry, worldFlags } from './cli';

/** A transfer as an operator holds it after pushing: its transfer.json and the receipt push wrote beside it. */
export interface PushedTransfer {
  manifest: TransferManifest;
  receipt: Receipt;
}

/**
 * `ferry mirror MIRROR_ARGS --to-dir DIR` from the world's source, then `ferry push --from-dir DIR --to TARGET`
 * (unsigned: the tests that use it are about what the mirror holds, not about signatures).
 */
export async function mirrorAndPush(
  world: { authfile: string; ca: { certPath: string } },
  mirrorArgs: readonly string[],
  dir: string,
  target: string,
): Promise<PushedTransfer> {
  const m = await ferry(['mirror', ...mirrorArgs, '--to-dir', dir, ...worldFlags(world)]);
  assert.equal(m.code, 0, m.stderr);
  const p = await ferry(['push', '--from-dir', dir, '--to', target, '--allow-unsigned', ...worldFlags(world)]);
  assert.equal(p.code, 0, p.stderr);
  const json = async <T>(name: string) => JSON.parse(await readFile(join(dir, name), 'utf8')) as T;
  return { manifest: await json<TransferManifest>('transfer.json'), receipt: await json<Receipt>('receipt.json') };
}

/** Every manifest (children included) of a pushed transfer, as REPOSITORY@DIGEST in the mirror. */
export function pushedManifests(t: PushedTransfer): Set<string> {
  const out = new Set<string>();
  for (const image of t.manifest.images) {
    const at = t.receipt.images.find((r) => r.source === image.source)!.mirror;
    const repository = at.slice(at.indexOf('/') + 1, at.indexOf('@'));
    for (const d of image.manifests) out.add(`${repository}@${d}`);
  }
  return out;
}
