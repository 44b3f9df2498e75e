import * as openpgp from 'openpgp';
import { FerryError } from '../../../shared/errors';
import { isDigest, parseReference } from '../../../shared/reference';
import { claimProblems, parseAtomicSignature, type AtomicSignatureClaims } from '../../../shared/signatures/atomic-signature';

export interface ReleaseSignatureCheck {
  /** Long key id (16 hex) of the key that made the signature. */
  keyId: string;
  /** Fingerprint of the verification key given. */
  keyFingerprint: string;
  signedAt?: string;
  claims: AtomicSignatureClaims;
}

function isArmored(bytes: Uint8Array): boolean {
  return new TextDecoder('latin1').decode(bytes.subarray(0, 64)).trimStart().startsWith('-----BEGIN PGP');
}

async function readPublicKey(bytes: Uint8Array): Promise<openpgp.Key> {
  try {
    const key = isArmored(bytes)
      ? await openpgp.readKey({ armoredKey: new TextDecoder().decode(bytes) })
      : await openpgp.readKey({ binaryKey: bytes });
    return key;
  } catch (e) {
    throw new FerryError('INVALID_INPUT', `The verification key is not an OpenPGP public key: ${(e as Error).message}.`, {
      hint: 'Give the release signing public key (armored or binary), e.g. the one in openshift/cluster-update-keys.',
    });
  }
}

async function readSignedMessage(bytes: Uint8Array): Promise<openpgp.Message<Uint8Array>> {
  try {
    return isArmored(bytes)
      ? ((await openpgp.readMessage({ armoredMessage: new TextDecoder().decode(bytes) })) as openpgp.Message<Uint8Array>)
      : await openpgp.readMessage({ binaryMessage: bytes });
  } catch (e) {
    throw new FerryError('INVALID_INPUT', `The signature file is not an OpenPGP signed message: ${(e as Error).message}.`, {
      hint: 'Give the release signature file (signature-1 from the signature store), not a detached or text signature.',
    });
  }
}

/**
 * Verifies an OpenShift release signature: a good OpenPGP signature by `publicKey` over an atomic container
 * signature whose digest is the release digest and whose identity is the release repository. Any failure
 * throws: INVALID_INPUT for unreadable inputs (exit 2), VERIFY_FAILED for a signature that does not hold (exit 1).
 */
export async function verifyReleaseSignature(input: { signature: Uint8Array; publicKey: Uint8Array; digest: string; reference: string }): Promise<ReleaseSignatureCheck> {
  if (!isDigest(input.digest)) {
    throw new FerryError('USAGE', `"${input.digest}" is not a release digest.`, { hint: 'Give --digest sha256:<64 hex>, e.g. from `ferry release info`.' });
  }
  parseReference(input.reference); // a malformed reference is a usage error before any crypto
  const key = await readPublicKey(input.publicKey);
  const message = await readSignedMessage(input.signature);
  let verified;
  try {
    verified = await openpgp.verify({ message, verificationKeys: key, expectSigned: true, format: 'binary' });
  } catch (e) {
    throw new FerryError('VERIFY_FAILED', `The release signature does not verify with key ${key.getFingerprint().toUpperCase()}: ${(e as Error).message}.`, {
      hint: 'The signature was made by another key or the file was altered. Do not trust this release until it verifies with the right key.',
    });
  }
  const sig = verified.signatures[0]!;
  const claims = parseAtomicSignature(new TextDecoder().decode(verified.data as Uint8Array));
  const problems = claimProblems(claims, input);
  if (problems.length > 0) {
    throw new FerryError('VERIFY_FAILED', `The release signature is valid but not for this release: ${problems.join('; ')}.`, {
      hint: `Check --digest and --reference; this signature vouches for ${claims.dockerReference}@${claims.digest}.`,
      details: { claims },
    });
  }
  const packet = await sig.signature;
  const check: ReleaseSignatureCheck = { keyId: sig.keyID.toHex(), keyFingerprint: key.getFingerprint(), claims };
  const created = packet.packets[0]?.created;
  if (created) check.signedAt = created.toISOString();
  return check;
}
