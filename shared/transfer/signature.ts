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
 * - `trusted`: signed, and by a key the operator trusts (--trust KEY.pub or FINGERPRINT).
 * - `untrusted`: the signature matches the key it carries, but that key is none the operator trusts: anyone
 *   can re-sign an edited manifest, so this fails unless the operator explicitly allows it (--allow-untrusted).
 * - `unsigned`: no transfer.json.sig (a failure unless allowed).
 * - `invalid`: transfer.json changed after signing, or a garbled .sig: always a failure, nothing allows it.
 */
export type SignatureStatus = 'trusted' | 'untrusted' | 'unsigned' | 'invalid';

export interface SignatureCheck {
  status: SignatureStatus;
  /** False stops the verification: every other check would be about a manifest nobody vouches for. */
  ok: boolean;
  message: string;
  hint?: string;
  /** Fingerprint (formatFingerprint) of the key that signed, when the .sig carries a usable one. */
  fingerprint?: string;
  /** Fingerprints (formatFingerprint) of the keys the operator trusts. */
  trustedFingerprints?: string[];
}

/** The lines every face prints for a signature check: the verdict, then the fingerprints to compare. */
export function renderSignatureCheck(check: SignatureCheck): string[] {
  const verdict = !check.ok ? 'FAILED' : check.status === 'trusted' ? 'OK' : 'WARNING';
  const lines = [`Signature: ${verdict}: ${check.message}`];
  if (check.fingerprint) lines.push(`  signing key fingerprint: ${check.fingerprint}`);
  for (const trusted of check.trustedFingerprints ?? []) if (trusted !== check.fingerprint) lines.push(`  trusted key fingerprint: ${trusted}`);
  if (check.hint) lines.push(`  hint: ${check.hint}`);
  return lines;
}
