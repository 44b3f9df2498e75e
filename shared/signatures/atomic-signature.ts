import { FerryError } from '../errors';
import { isDigest, parseReference } from '../reference';

/**
 * The payload of an OpenShift release signature: containers' "atomic container signature" JSON
 * (containers/image docs/containers-signature.5.md). Only `critical` is trusted; `optional` is informative.
 */
export const ATOMIC_SIGNATURE_TYPE = 'atomic container signature';

export interface AtomicSignatureClaims {
  /** `critical.image.docker-manifest-digest` */
  digest: string;
  /** `critical.identity.docker-reference` */
  dockerReference: string;
  creator?: string;
  /** `optional.timestamp` as an ISO date. */
  timestamp?: string;
}

function bad(why: string): FerryError {
  return new FerryError('INVALID_INPUT', `The signed content is not an atomic container signature: ${why}.`, {
    hint: 'Check that the file is a release signature (signature-1 from the release signature store), not a signature of something else.',
  });
}

function field(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const p of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

export function parseAtomicSignature(payload: string): AtomicSignatureClaims {
  let doc: unknown;
  try {
    doc = JSON.parse(payload);
  } catch {
    throw bad('it is not JSON');
  }
  const type = field(doc, ['critical', 'type']);
  if (type !== ATOMIC_SIGNATURE_TYPE) throw bad(`critical.type is ${JSON.stringify(type)}, not "${ATOMIC_SIGNATURE_TYPE}"`);
  const digest = field(doc, ['critical', 'image', 'docker-manifest-digest']);
  if (typeof digest !== 'string' || !isDigest(digest)) throw bad('critical.image.docker-manifest-digest is missing or not a sha256 digest');
  const ref = field(doc, ['critical', 'identity', 'docker-reference']);
  if (typeof ref !== 'string' || ref === '') throw bad('critical.identity.docker-reference is missing');
  const claims: AtomicSignatureClaims = { digest, dockerReference: ref };
  const creator = field(doc, ['optional', 'creator']);
  if (typeof creator === 'string') claims.creator = creator;
  const ts = field(doc, ['optional', 'timestamp']);
  if (typeof ts === 'number' && Number.isFinite(ts)) claims.timestamp = new Date(ts * 1000).toISOString();
  return claims;
}

/**
 * What a verifier must refuse even when the OpenPGP signature is good: a signature for another digest, or for
 * another repository. The tag may differ (a release signed as `:4.15.3-x86_64` is pulled by digest).
 */
export function claimProblems(claims: AtomicSignatureClaims, expected: { digest: string; reference: string }): string[] {
  const problems: string[] = [];
  if (claims.digest !== expected.digest) problems.push(`the signature is for digest ${claims.digest}, not ${expected.digest}`);
  const want = parseReference(expected.reference);
  let got;
  try {
    got = parseReference(claims.dockerReference);
  } catch {
    problems.push(`the signed identity "${claims.dockerReference}" is not an image reference`);
    return problems;
  }
  if (got.registry !== want.registry || got.repository !== want.repository) {
    problems.push(`the signature is for ${got.registry}/${got.repository}, not ${want.registry}/${want.repository}`);
  }
  return problems;
}
