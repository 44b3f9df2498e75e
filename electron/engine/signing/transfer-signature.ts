import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { formatFingerprint } from '../../../shared/fingerprint';
import { TRANSFER_FILE } from '../../../shared/transfer/manifest';
import { SIGNATURE_FILE, transferSignatureSchema, type TransferSignature } from '../../../shared/transfer/signature';
import { readConfined } from '../media/confined-file';
import { readBoundedFile } from '../trust/input-file';
import { writeFileAtomic } from '../trust/secret-file';
import { keySha256, publicKeyDer, readPrivateKey } from './keys';

/**
 * Signs and checks transfer.json. The signature covers the file's exact bytes (no canonicalisation: any
 * change at all, even whitespace, breaks it), so it is made after the writer's final rename and checked
 * before anything else trusts the manifest. Whether a valid signature is good enough is the trust policy's
 * call (trust-policy.ts); this module only says what the signature file proves about the bytes.
 */
const MAX_SIGNATURE_FILE_BYTES = 64 * 1024;

export interface SignResult {
  /** The signing key's fingerprint in its human form (formatFingerprint): what mirror prints and verify prints back. */
  fingerprint: string;
  /** SHA-256 (hex) of the signing key's SPKI DER. */
  sha256: string;
}

export async function readManifestBytes(dir: string, purpose: string): Promise<Buffer> {
  try {
    return await readConfined(join(dir, TRANSFER_FILE));
  } catch (e) {
    if (e instanceof FerryError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new FerryError('INVALID_INPUT', `Cannot ${purpose}: ${dir} holds no readable ${TRANSFER_FILE} (${code}).`, {
      hint: 'Point at the transfer directory (holding transfer.json and the ferry-*.tar volumes); an interrupted transfer has no transfer.json until it is resumed and finished.',
      cause: e,
    });
  }
}

/** Writes DIR/transfer.json.sig (atomically) for the transfer.json now in DIR. */
export async function signTransfer(dir: string, keyPath: string): Promise<SignResult> {
  return signTransferWith(dir, await readPrivateKey(keyPath));
}

/** The same signature from a key already in memory (the app's key lives in the OS secret store, never in a file). */
export async function signTransferWith(dir: string, privateKey: KeyObject): Promise<SignResult> {
  const manifest = await readManifestBytes(dir, 'sign the transfer');
  const publicKey = createPublicKey(privateKey);
  const sha256 = keySha256(publicKey);
  const doc: TransferSignature = {
    algorithm: 'ed25519',
    publicKey: publicKeyDer(publicKey).toString('base64'),
    fingerprint: sha256,
    signature: sign(null, manifest, privateKey).toString('base64'),
  };
  await writeFileAtomic(join(dir, SIGNATURE_FILE), `${JSON.stringify(doc, null, 2)}\n`, 0o644);
  return { fingerprint: formatFingerprint(sha256), sha256 };
}

type Loaded = { kind: 'missing' } | { kind: 'garbled'; reason: string } | { kind: 'ok'; doc: TransferSignature; key: KeyObject; sha256: string };

async function loadSignature(dir: string): Promise<Loaded> {
  const path = join(dir, SIGNATURE_FILE);
  const present = await stat(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw new FerryError('INVALID_INPUT', `Cannot read ${path} (${e.code ?? e.message}).`, { hint: 'Check the permissions of the transfer directory.', cause: e });
    },
  );
  if (!present) return { kind: 'missing' };
  let text: string;
  try {
    text = Buffer.from(await readBoundedFile(path, 'signature file', MAX_SIGNATURE_FILE_BYTES)).toString('utf8');
  } catch (e) {
    return { kind: 'garbled', reason: (e as Error).message };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'garbled', reason: `${SIGNATURE_FILE} is not JSON` };
  }
  const parsed = transferSignatureSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'garbled', reason: `${SIGNATURE_FILE} is not a ferry signature file (${issue ? `${issue.path.join('.') || 'top level'}: ${issue.message}` : 'wrong shape'})` };
  }
  const doc = parsed.data;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(doc.publicKey, 'base64'), format: 'der', type: 'spki' });
  } catch {
    return { kind: 'garbled', reason: `the public key in ${SIGNATURE_FILE} is not a readable key` };
  }
  if (key.asymmetricKeyType !== 'ed25519') return { kind: 'garbled', reason: `the key in ${SIGNATURE_FILE} is ${key.asymmetricKeyType ?? 'unknown'}, not ed25519` };
  const sha256 = keySha256(key);
  if (sha256 !== doc.fingerprint) return { kind: 'garbled', reason: `${SIGNATURE_FILE} names key ${formatFingerprint(doc.fingerprint)} but carries key ${formatFingerprint(sha256)}` };
  return { kind: 'ok', doc, key, sha256 };
}

/**
 * What transfer.json.sig proves about `manifest` (the exact bytes of transfer.json):
 * - `missing`: there is no signature file;
 * - `garbled`: it cannot be used (not a ferry signature, or its key and fingerprint disagree);
 * - `mismatch`: it was made by key `sha256` over other bytes (transfer.json changed after signing);
 * - `valid`: key `sha256` signed exactly these bytes (which says nothing yet about whether to trust that key).
 */
export type SignatureEvidence =
  | { kind: 'missing' }
  | { kind: 'garbled'; reason: string }
  | { kind: 'mismatch'; sha256: string }
  | { kind: 'valid'; sha256: string };

export async function readSignatureEvidence(dir: string, manifest: Buffer): Promise<SignatureEvidence> {
  const loaded = await loadSignature(dir);
  if (loaded.kind !== 'ok') return loaded;
  let valid: boolean;
  try {
    valid = verify(null, manifest, loaded.key, Buffer.from(loaded.doc.signature, 'base64'));
  } catch {
    valid = false;
  }
  return { kind: valid ? 'valid' : 'mismatch', sha256: loaded.sha256 };
}
