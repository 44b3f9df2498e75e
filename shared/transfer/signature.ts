import { z } from 'zod';

/**
 * `transfer.json.sig` (DESIGN §3): a detached ed25519 signature over the exact bytes of transfer.json,
 * with the public key that made it. The key inside proves nothing by itself (anyone can re-sign an edited
 * manifest with their own key); trust comes from `verify --trust PUBKEY` or from people comparing the
 * fingerprint read aloud. Pure schema, result type and rendering: the renderer shows the same words.
 */
export const SIGNATURE_FILE = 'transfer.json.sig';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const base64Schema = z.string().regex(BASE64, 'expected base64');

export const transferSignatureSchema = z.object({
  algorithm: z.literal('ed25519'),
  /** Base64 of the SPKI DER public key. */
  publicKey: base64Schema,
  /** SHA-256 of that SPKI DER, 64 lowercase hex digits. */
  fingerprint: z.string().regex(/^[a-f0-9]{64}$/, 'expected 64 lowercase hex digits'),
  /** Base64 of the 64-byte ed25519 signature. */
  signature: base64Schema,
});

export type TransferSignature = z.infer<typeof transferSignatureSchema>;

/**
 * - `trusted`: signed, and by the key given with --trust.
 * - `signed`: the signature matches the key it carries, but no key to trust was given: only the fingerprint,
 *   compared by people, says whose key it is.
 * - `unsigned`: no transfer.json.sig (a failure only when a signature is required).
 * - `invalid`: transfer.json changed after signing, a different key than the trusted one, or a garbled .sig.
 */
export type SignatureStatus = 'trusted' | 'signed' | 'unsigned' | 'invalid';

export interface SignatureCheck {
  status: SignatureStatus;
  /** False stops the verification: every other check would be about a manifest nobody vouches for. */
  ok: boolean;
  message: string;
  hint?: string;
  /** Fingerprint (formatFingerprint) of the key that signed, when the .sig carries a usable one. */
  fingerprint?: string;
  /** Fingerprint (formatFingerprint) of the key given with --trust. */
  trustedFingerprint?: string;
}

/** The lines every face prints for a signature check: the verdict, then the fingerprints to compare. */
export function renderSignatureCheck(check: SignatureCheck): string[] {
  const verdict = check.status === 'unsigned' && check.ok ? 'WARNING' : check.ok ? 'OK' : 'FAILED';
  const lines = [`Signature: ${verdict}: ${check.message}`];
  if (check.fingerprint) lines.push(`  signing key fingerprint: ${check.fingerprint}`);
  if (check.trustedFingerprint && check.trustedFingerprint !== check.fingerprint) lines.push(`  trusted key fingerprint: ${check.trustedFingerprint}`);
  if (check.hint) lines.push(`  hint: ${check.hint}`);
  return lines;
}
