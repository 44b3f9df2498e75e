import type * as OpenPgp from 'openpgp';
import { FerryError } from '../../../shared/errors';
import { isDigest } from '../../../shared/reference';
import { claimProblems, parseAtomicSignature, type AtomicSignatureClaims } from '../../../shared/signatures/atomic-signature';
import { gpgvVerify } from './gpgv';
import { keyringFingerprints, readKeyring, type Keyring } from './keyring';
import { openpgp } from './openpgp';

/**
 * Verifies an OpenShift release signature the way the cluster-version operator does (openshift/library-go
 * pkg/verify/verify.go `verifySignatureWithKeyring` + `verifyAtomicContainerSignature`): a signed OpenPGP
 * message by any key of the keyring, not expired, whose content is an atomic container signature for exactly
 * this digest with some identity. Nothing more: the signed repository name is reported, not compared.
 *
 * openpgp.js reads the message first; whatever it cannot read or refuses (v3 signature packets, SHA-1) goes
 * to Debian's gpgv, whose verdict is final. Without gpgv, openpgp.js's refusal stands.
 */
export interface ReleaseSignatureCheck {
  /** Long key id (16 hex) of the key that made the signature. */
  keyId: string;
  /** Fingerprint of the keyring's key (primary key) that made it. */
  keyFingerprint: string;
  /** Which OpenPGP reader verified it. */
  verifier: 'openpgp.js' | 'gpgv';
  signedAt?: string;
  claims: AtomicSignatureClaims;
}

interface CryptoResult {
  content: Uint8Array;
  keyId: string;
  keyFingerprint: string;
  verifier: ReleaseSignatureCheck['verifier'];
  signedAt?: string;
}

function isArmored(bytes: Uint8Array): boolean {
  return new TextDecoder('latin1').decode(bytes.subarray(0, 64)).trimStart().startsWith('-----BEGIN PGP');
}

function failed(ring: Keyring, reason: string): FerryError {
  return new FerryError('VERIFY_FAILED', `The release signature does not verify with the keyring (${keyringFingerprints(ring).join(', ')}): ${reason}.`, {
    hint: 'The signature was made by another key or the file was altered. Do not trust this release until it verifies with the right key.',
  });
}

function unreadable(reason: string): FerryError {
  return new FerryError('INVALID_INPUT', `The signature file is not an OpenPGP signed message: ${reason}.`, {
    hint: 'Give the release signature file (signature-1 from the signature store), not a detached or text signature.',
  });
}

/** openpgp.js's verdict: good, or the reason it refused or could not read the message. */
async function withOpenpgp(signature: Uint8Array, ring: Keyring): Promise<CryptoResult | { error: string; readable: boolean }> {
  const pgp = await openpgp();
  let message: OpenPgp.Message<Uint8Array>;
  try {
    message = isArmored(signature)
      ? ((await pgp.readMessage({ armoredMessage: new TextDecoder().decode(signature) })) as OpenPgp.Message<Uint8Array>)
      : await pgp.readMessage({ binaryMessage: signature });
  } catch (e) {
    return { error: (e as Error).message, readable: false };
  }
  try {
    const verified = await pgp.verify({ message, verificationKeys: ring.keys, expectSigned: true, format: 'binary' });
    const sig = verified.signatures[0]!;
    await sig.verified;
    const packet = (await sig.signature).packets[0];
    const key = ring.keys.find((k) => k.getKeys(sig.keyID).length > 0)!;
    return {
      content: verified.data as Uint8Array,
      keyId: sig.keyID.toHex(),
      keyFingerprint: key.getFingerprint(),
      verifier: 'openpgp.js',
      ...(packet?.created ? { signedAt: packet.created.toISOString() } : {}),
    };
  } catch (e) {
    const msg = (e as Error).message.replace(/^Error verifying signed message: /, '');
    return { error: msg, readable: !/not signed/i.test(msg) };
  }
}

async function verifyCrypto(signature: Uint8Array, ring: Keyring): Promise<CryptoResult> {
  const first = await withOpenpgp(signature, ring);
  if ('content' in first) return first;
  const second = await gpgvVerify(signature, ring.binary);
  switch (second.kind) {
    case 'good':
      return {
        content: second.content,
        keyId: second.keyId,
        keyFingerprint: second.primaryFingerprint,
        verifier: 'gpgv',
        ...(second.created ? { signedAt: second.created } : {}),
      };
    case 'bad':
      throw failed(ring, second.reason);
    case 'unreadable':
      throw unreadable(first.readable ? second.reason : first.error);
    case 'unavailable':
      if (first.readable) throw failed(ring, first.error);
      throw new FerryError('UNSUPPORTED', `openpgp.js cannot read this signature (${first.error}) and gpgv, which reads older OpenPGP forms, is not installed.`, {
        hint: 'Install GnuPG\'s gpgv (Debian/Ubuntu: apt-get install gpgv; Fedora/RHEL: dnf install gnupg2) and run the command again.',
      });
  }
}

export async function verifyReleaseSignature(input: { signature: Uint8Array; keyring: Uint8Array | Keyring; digest: string }): Promise<ReleaseSignatureCheck> {
  if (!isDigest(input.digest)) {
    throw new FerryError('USAGE', `"${input.digest}" is not a release digest.`, { hint: 'Give --digest sha256:<64 hex>, e.g. from `ferry release info`.' });
  }
  const ring = input.keyring instanceof Uint8Array ? await readKeyring(input.keyring) : input.keyring;
  const result = await verifyCrypto(input.signature, ring);
  const claims = parseAtomicSignature(new TextDecoder().decode(result.content));
  const problems = claimProblems(claims, input);
  if (problems.length > 0) {
    throw new FerryError('VERIFY_FAILED', `The release signature is valid but not for this release: ${problems.join('; ')}.`, {
      hint: `Check --digest; this signature vouches for ${claims.dockerReference}@${claims.digest}.`,
      details: { claims },
    });
  }
  const { content: _content, ...rest } = result;
  return { ...rest, claims };
}
