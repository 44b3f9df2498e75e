import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { formatFingerprint } from '../../../shared/fingerprint';
import { TRANSFER_FILE } from '../../../shared/transfer/manifest';
import { SIGNATURE_FILE, transferSignatureSchema, type SignatureCheck, type TransferSignature } from '../../../shared/transfer/signature';
import { readConfined } from '../media/confined-file';
import { readBoundedFile } from '../trust/input-file';
import { writeFileAtomic } from '../trust/secret-file';
import { keySha256, publicKeyDer, readPrivateKey, readPublicKey } from './keys';

/**
 * Signs and checks transfer.json. The signature covers the file's exact bytes (no canonicalisation: any
 * change at all, even whitespace, breaks it), so it is made after the writer's final rename and checked
 * before anything else trusts the manifest.
 */
const MAX_SIGNATURE_FILE_BYTES = 64 * 1024;

export interface SignResult {
  /** The signing key's fingerprint in its human form (formatFingerprint): what mirror prints and verify prints back. */
  fingerprint: string;
  /** SHA-256 (hex) of the signing key's SPKI DER. */
  sha256: string;
}

export interface SignatureOptions {
  /** Path of the public key (PEM) the transfer must be signed with. Implies `require`. */
  trust?: string;
  /** An unsigned transfer fails instead of passing with a warning. */
  require?: boolean;
}

async function readManifestBytes(dir: string, purpose: string): Promise<Buffer> {
  try {
    return await readConfined(join(dir, TRANSFER_FILE));
  } catch (e) {
    if (e instanceof FerryError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new FerryError('INVALID_INPUT', `Cannot ${purpose}: ${dir} holds no readable ${TRANSFER_FILE} (${code}).`, {
      hint: 'Point at the transfer directory, and sign only a finished transfer (one whose transfer.json has been written).',
      cause: e,
    });
  }
}

/** Writes DIR/transfer.json.sig (atomically) for the transfer.json now in DIR. */
export async function signTransfer(dir: string, keyPath: string): Promise<SignResult> {
  const privateKey = await readPrivateKey(keyPath);
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

const RECOPY_HINT = 'Do not use these media: copy transfer.json and transfer.json.sig again from the original, or write the transfer again on the connected side.';

/**
 * Checks DIR/transfer.json against DIR/transfer.json.sig. Every verdict is a result (the report shows it);
 * only a bad --trust file or an unreadable directory throws (INVALID_INPUT).
 */
export async function verifyTransferSignature(dir: string, opts: SignatureOptions = {}): Promise<SignatureCheck> {
  const trusted = opts.trust !== undefined ? await readPublicKey(opts.trust) : undefined;
  const trustedSha = trusted ? keySha256(trusted) : undefined;
  const trustedFingerprint = trustedSha ? { trustedFingerprint: formatFingerprint(trustedSha) } : {};
  const manifest = await readManifestBytes(dir, 'check the transfer signature');
  const loaded = await loadSignature(dir);

  if (loaded.kind === 'missing') {
    const required = opts.require === true || trusted !== undefined;
    return required
      ? {
          status: 'unsigned',
          ok: false,
          message: `transfer.json in ${dir} is not signed (no ${SIGNATURE_FILE}), and a signature is required.`,
          hint: `Copy ${SIGNATURE_FILE} from the original media, or have the transfer written with \`ferry mirror --sign-key KEY\`.`,
          ...trustedFingerprint,
        }
      : {
          status: 'unsigned',
          ok: true,
          message: `transfer.json in ${dir} is not signed: nothing proves these media are the ones that were written.`,
          hint: 'Sign with `ferry mirror --sign-key KEY` and check with `ferry verify --trust KEY.pub`; --require-signature refuses unsigned transfers.',
        };
  }
  if (loaded.kind === 'garbled') {
    return { status: 'invalid', ok: false, message: `${SIGNATURE_FILE} in ${dir} cannot be used: ${loaded.reason}.`, hint: RECOPY_HINT, ...trustedFingerprint };
  }

  const fingerprint = formatFingerprint(loaded.sha256);
  if (trusted && !publicKeyDer(trusted).equals(publicKeyDer(loaded.key))) {
    return {
      status: 'invalid',
      ok: false,
      message: `transfer.json in ${dir} is signed by another key than the trusted one.`,
      hint: 'Check that --trust names the public key of whoever wrote this transfer (compare fingerprints by phone); a transfer signed by another key must not be used.',
      fingerprint,
      ...trustedFingerprint,
    };
  }
  let valid: boolean;
  try {
    valid = verify(null, manifest, trusted ?? loaded.key, Buffer.from(loaded.doc.signature, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) {
    return {
      status: 'invalid',
      ok: false,
      message: `transfer.json in ${dir} does not match its signature: it was changed after it was signed.`,
      hint: RECOPY_HINT,
      fingerprint,
      ...trustedFingerprint,
    };
  }
  if (trusted) return { status: 'trusted', ok: true, message: 'transfer.json is signed by the trusted key.', fingerprint, ...trustedFingerprint };
  return {
    status: 'signed',
    ok: true,
    message: 'transfer.json is signed, but no key to trust was given.',
    hint: 'Compare this fingerprint with the one shown when the transfer was written, or pass --trust KEY.pub.',
    fingerprint,
  };
}
