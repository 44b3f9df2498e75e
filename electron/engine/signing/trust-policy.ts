import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { formatFingerprint, parseFingerprint } from '../../../shared/fingerprint';
import { TRANSFER_FILE, type TransferManifest } from '../../../shared/transfer/manifest';
import { parseTransferManifest } from '../../../shared/transfer/parse';
import { SIGNATURE_FILE, type SignatureCheck } from '../../../shared/transfer/signature';
import { keySha256, readPublicKey } from './keys';
import { readManifestBytes, readSignatureEvidence, type SignatureEvidence } from './transfer-signature';

/**
 * The one place that decides whether a transfer's signature is good enough to act on. `ferry verify`,
 * `ferry push`, the app's verify and push jobs and its signature preview all ask `checkTransferTrust`,
 * so every face gives the same verdict in the same words.
 *
 * A signature proves only that someone holding some key wrote these exact bytes; anyone can re-sign an
 * edited transfer.json with a key of their own. So a signature counts only when its key is one the
 * operator trusts. Everything else needs an explicit, named choice: an unsigned transfer `allowUnsigned`,
 * one signed by an unknown key `allowUntrusted`. A transfer.json that does not match its signature is
 * refused whatever the policy says.
 */
export interface TrustPolicy {
  /** Keys to trust: PREFIX.pub files, or fingerprints as Ferry prints them (or the full SHA-256 of the key). */
  trust?: readonly string[];
  /** Accept a transfer that carries no signature (shown as a warning). */
  allowUnsigned?: boolean;
  /** Accept a valid signature by a key none of `trust` names (shown as a warning). */
  allowUntrusted?: boolean;
}

interface TrustedKey {
  /** Lower-case hex: the key's full SHA-256, or the 32 digits of its printed fingerprint. */
  hex: string;
  fingerprint: string;
}

async function trustedKey(spec: string): Promise<TrustedKey> {
  const hex = parseFingerprint(spec);
  // Something that reads as a fingerprint is one: a key file named like 32 hex digits is not a real risk.
  if (hex) return { hex, fingerprint: formatFingerprint(hex) };
  if (/^(sha256:)?[0-9a-f\s:]+$/i.test(spec.trim())) {
    // Hex that is not a whole fingerprint: a digit missing or extra, not a file name.
    throw new FerryError('USAGE', `"${spec}" is not a whole key fingerprint.`, {
      hint: 'Give all 8 groups of 4 hex digits, as ferry mirror and ferry keys fingerprint print them (or the full SHA-256), or the path of the PREFIX.pub file.',
    });
  }
  const sha256 = keySha256(await readPublicKey(spec));
  return { hex: sha256, fingerprint: formatFingerprint(sha256) };
}

async function resolveTrustedKeys(trust: readonly string[] = []): Promise<TrustedKey[]> {
  return Promise.all(trust.map(trustedKey));
}

const RECOPY_HINT = `Do not use these media: copy ${TRANSFER_FILE} and ${SIGNATURE_FILE} again from the original, or write the transfer again on the connected side.`;

/** The verdict for one transfer directory's signature evidence under a policy. Pure: same inputs, same words. */
function judgeSignature(dir: string, evidence: SignatureEvidence, keys: readonly TrustedKey[], policy: TrustPolicy): SignatureCheck {
  const trustedFingerprints = keys.length ? { trustedFingerprints: [...new Set(keys.map((k) => k.fingerprint))] } : {};
  switch (evidence.kind) {
    case 'garbled':
      return { status: 'invalid', ok: false, message: `${SIGNATURE_FILE} in ${dir} cannot be used: ${evidence.reason}.`, hint: RECOPY_HINT, ...trustedFingerprints };
    case 'mismatch':
      return {
        status: 'invalid',
        ok: false,
        message: `${TRANSFER_FILE} in ${dir} does not match its signature: it was changed after it was signed.`,
        hint: RECOPY_HINT,
        fingerprint: formatFingerprint(evidence.sha256),
        ...trustedFingerprints,
      };
    case 'missing': {
      const ok = policy.allowUnsigned === true;
      return {
        status: 'unsigned',
        ok,
        message: `${TRANSFER_FILE} in ${dir} is not signed (no ${SIGNATURE_FILE}): nothing proves these media are the ones that were written.`,
        hint: ok
          ? `Nothing vouches for it, so push takes it only with --allow-unsigned. Sign transfers with \`ferry mirror --sign-key KEY\` and check them with --trust KEY.pub.`
          : `Copy ${SIGNATURE_FILE} from the original media, or have the transfer written with \`ferry mirror --sign-key KEY\`. To use it unsigned anyway, pass --allow-unsigned.`,
        ...trustedFingerprints,
      };
    }
    case 'valid': {
      const fingerprint = formatFingerprint(evidence.sha256);
      if (keys.some((k) => evidence.sha256.startsWith(k.hex))) {
        return { status: 'trusted', ok: true, message: `${TRANSFER_FILE} is signed by a trusted key.`, fingerprint, ...trustedFingerprints };
      }
      const ok = policy.allowUntrusted === true;
      return {
        status: 'untrusted',
        ok,
        message: `${TRANSFER_FILE} is signed by an unknown key (fingerprint ${fingerprint}).`,
        hint: ok
          ? 'Accepted from an unknown key because it was explicitly allowed (--allow-untrusted): compare the fingerprint with the one shown when the transfer was written.'
          : `Compare the fingerprint with the one shown when the transfer was written (read it over the phone). If they match, trust it: --trust '${fingerprint}' or --trust THEIR-KEY.pub. To go on without trusting it, pass --allow-untrusted.`,
        fingerprint,
        ...trustedFingerprints,
      };
    }
  }
}

/**
 * The signature verdict for DIR/transfer.json. `manifest` is the exact bytes the caller goes on to use, when
 * it has read them already. Every verdict is a result; only a bad --trust entry or an unreadable transfer
 * directory throws (INVALID_INPUT).
 */
export async function checkTransferTrust(dir: string, policy: TrustPolicy, manifest?: Buffer): Promise<SignatureCheck> {
  const keys = await resolveTrustedKeys(policy.trust);
  const bytes = manifest ?? (await readManifestBytes(dir, 'check the transfer signature'));
  return judgeSignature(dir, await readSignatureEvidence(dir, bytes), keys, policy);
}

/**
 * transfer.json for a push: read once, its signature judged on exactly those bytes, and parsed from them,
 * so nothing written between the check and the use can slip in. A verdict that is not ok is a refusal
 * (VERIFY_FAILED, exit 1) before any registry is contacted.
 */
export async function openTrustedTransfer(dir: string, policy: TrustPolicy): Promise<{ manifest: TransferManifest; signature: SignatureCheck }> {
  const bytes = await readManifestBytes(dir, 'push the transfer');
  const signature = await checkTransferTrust(dir, policy, bytes);
  if (!signature.ok) {
    throw new FerryError('VERIFY_FAILED', `Refusing to push: ${signature.message}`, {
      ...(signature.hint ? { hint: signature.hint } : {}),
      details: { signature },
    });
  }
  return { manifest: parseTransferManifest(bytes.toString('utf8'), join(dir, TRANSFER_FILE)), signature };
}
