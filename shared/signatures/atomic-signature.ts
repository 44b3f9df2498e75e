import { FerryError } from '../errors';

/**
 * The payload of an OpenShift release signature: containers' "atomic container signature" JSON
 * (containers/image docs/containers-signature.5.md), read the way the cluster-version operator reads it
 * (openshift/library-go pkg/verify/verify.go `verifyAtomicContainerSignature`): Go's encoding/json into a
 * fixed struct with DisallowUnknownFields, so field names match case-insensitively, a field the struct
 * lacks is refused, a JSON null leaves the zero value and a value of the wrong type is refused.
 */
const ATOMIC_SIGNATURE_TYPE = 'atomic container signature';

export interface AtomicSignatureClaims {
  /** `critical.image.docker-manifest-digest` */
  digest: string;
  /** `critical.identity.docker-reference`: informative; the cluster-version operator does not compare it. */
  dockerReference: string;
  creator?: string;
  /** `optional.timestamp` as an ISO date. */
  timestamp?: string;
}

type Shape = 'string' | 'int64' | { [field: string]: Shape };

// library-go's `signature` struct and its nested structs, field for field.
const SIGNATURE_SHAPE: Shape = {
  critical: { type: 'string', image: { 'docker-manifest-digest': 'string' }, identity: { 'docker-reference': 'string' } },
  optional: { creator: 'string', timestamp: 'int64' },
};

function bad(why: string): FerryError {
  return new FerryError('INVALID_INPUT', `The signed content is not an atomic container signature: ${why}.`, {
    hint: 'Check that the file is a release signature (signature-1 from the release signature store), not a signature of something else.',
  });
}

/** Go's decoding of `value` into a struct of `shape`: the zero value for null, an error for anything it would refuse. */
function decode(value: unknown, shape: Shape, path: string): unknown {
  if (shape === 'string') {
    if (value === null) return '';
    if (typeof value !== 'string') throw bad(`${path} is not a string`);
    return value;
  }
  if (shape === 'int64') {
    if (value === null) return 0;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw bad(`${path} is not an integer`);
    return value;
  }
  const out: Record<string, unknown> = {};
  if (value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(`${path || 'the document'} is not an object`);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = Object.keys(shape).find((f) => f === key) ?? Object.keys(shape).find((f) => f.toLowerCase() === key.toLowerCase());
    if (field === undefined) throw bad(`unknown field ${path ? `${path}.` : ''}${key}`);
    out[field] = decode(v, shape[field]!, path ? `${path}.${field}` : field);
  }
  return out;
}

function at(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const p of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

/**
 * The claims of a signed payload, refused exactly where the cluster-version operator refuses it (except for
 * the digest, which `claimProblems` compares): not JSON, an unknown field, a wrong type, another `critical.type`,
 * no identity.
 */
export function parseAtomicSignature(payload: string): AtomicSignatureClaims {
  let doc: unknown;
  try {
    doc = JSON.parse(payload);
  } catch {
    throw bad('it is not JSON');
  }
  const sig = decode(doc, SIGNATURE_SHAPE, '');
  const type = at(sig, 'critical', 'type') ?? '';
  if (type !== ATOMIC_SIGNATURE_TYPE) throw bad(`critical.type is ${JSON.stringify(type)}, not "${ATOMIC_SIGNATURE_TYPE}"`);
  const ref = (at(sig, 'critical', 'identity', 'docker-reference') as string | undefined) ?? '';
  if (ref === '') throw bad('critical.identity.docker-reference is missing (a signature must have an identity)');
  const claims: AtomicSignatureClaims = { digest: (at(sig, 'critical', 'image', 'docker-manifest-digest') as string | undefined) ?? '', dockerReference: ref };
  const creator = at(sig, 'optional', 'creator');
  if (typeof creator === 'string' && creator !== '') claims.creator = creator;
  const ts = at(sig, 'optional', 'timestamp');
  if (typeof ts === 'number' && ts !== 0) claims.timestamp = new Date(ts * 1000).toISOString();
  return claims;
}

/**
 * What the cluster-version operator refuses even when the OpenPGP signature is good: a signature for another
 * digest (compared as exact strings, as library-go does). The signed identity is not compared: a release
 * mirrored under another name keeps its signature.
 */
export function claimProblems(claims: AtomicSignatureClaims, expected: { digest: string }): string[] {
  return claims.digest === expected.digest ? [] : [`the signature is for digest ${claims.digest || '(none)'}, not ${expected.digest}`];
}
