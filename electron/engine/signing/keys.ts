import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { FerryError } from '../../../shared/errors';
import { readBoundedFile } from '../trust/input-file';
import { writeFileAtomic } from '../trust/secret-file';

/**
 * ed25519 signing keys for transfer manifests (node:crypto only). The private key is PKCS#8 PEM, mode 0600,
 * and stays on the connected side; the public key is SPKI PEM and travels (separately from the media) to
 * whoever verifies. A key's identity is the SHA-256 of its SPKI DER.
 */
const MAX_KEY_BYTES = 64 * 1024;

export interface GeneratedKeys {
  privateKeyPath: string;
  publicKeyPath: string;
  /** SHA-256 (hex) of the public key's SPKI DER. */
  sha256: string;
}

export function publicKeyDer(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' });
}

/** SHA-256 (hex) of the SPKI DER of a public key, or of the public half of a private key. */
export function keySha256(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(publicKeyDer(pub)).digest('hex');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => e.code !== 'ENOENT',
  );
}

/** Writes PREFIX.key and PREFIX.pub; refuses to replace either unless `force`, since a lost key cannot be remade. */
export async function generateSigningKeys(prefix: string, opts: { force?: boolean } = {}): Promise<GeneratedKeys> {
  const privateKeyPath = `${prefix}.key`;
  const publicKeyPath = `${prefix}.pub`;
  if (!opts.force) {
    for (const path of [privateKeyPath, publicKeyPath]) {
      if (await exists(path)) {
        throw new FerryError('USAGE', `${path} already exists; ferry does not overwrite signing keys.`, {
          hint: 'Choose another --out prefix, or pass --force if the old key is really no longer needed (transfers signed with it can then only be checked with its .pub).',
        });
      }
    }
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // The private key is written first: a crash between the two leaves a usable key without its .pub, which can be re-derived.
  await writeFileAtomic(privateKeyPath, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 0o600);
  await writeFileAtomic(publicKeyPath, publicKey.export({ format: 'pem', type: 'spki' }) as string, 0o644);
  return { privateKeyPath, publicKeyPath, sha256: keySha256(publicKey) };
}

function requireEd25519(key: KeyObject, path: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new FerryError('INVALID_INPUT', `${path} holds an ${key.asymmetricKeyType ?? 'unknown'} key, not an ed25519 key.`, {
      hint: 'Transfers are signed with ed25519 keys made by `ferry keys generate --out PREFIX`.',
    });
  }
  return key;
}

/** The private key to sign with (PKCS#8 or traditional PEM). */
export async function readPrivateKey(path: string): Promise<KeyObject> {
  return parsePrivateKey(Buffer.from(await readBoundedFile(path, 'private key file', MAX_KEY_BYTES)), path);
}

/** A new private key as PKCS#8 PEM, for a host that keeps it in a secret store rather than a file. */
export function newPrivateKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
}

/** What a key file of each kind must hold, and what to say when it holds the other kind. */
const KEY_KINDS = {
  private: {
    other: /-----BEGIN PUBLIC KEY-----/,
    isOther: (source: string) => `${source} is a public key; signing needs the private key.`,
    otherHint: 'Pass the PREFIX.key file written by `ferry keys generate`, not PREFIX.pub.',
    create: createPrivateKey,
    unreadableHint: 'Pass the PREFIX.key file written by `ferry keys generate` (an unencrypted PKCS#8 ed25519 key).',
  },
  public: {
    other: /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
    isOther: (source: string) => `${source} is a private key; --trust takes the public key.`,
    otherHint: 'Pass PREFIX.pub. The private PREFIX.key should stay on the connected side and never be carried with the media.',
    create: createPublicKey,
    unreadableHint: 'Pass the PREFIX.pub file written by `ferry keys generate` (-----BEGIN PUBLIC KEY-----).',
  },
} as const;

/** An ed25519 key of `kind` from PEM; `source` names where it was kept in messages (never the key itself). */
function parseKey(pem: Buffer, source: string, kind: keyof typeof KEY_KINDS): KeyObject {
  const k = KEY_KINDS[kind];
  if (k.other.test(pem.toString('latin1'))) throw new FerryError('INVALID_INPUT', k.isOther(source), { hint: k.otherHint });
  let key: KeyObject;
  try {
    key = k.create({ key: pem, format: 'pem' });
  } catch {
    // The parser's message could quote key material; say only what is wrong.
    throw new FerryError('INVALID_INPUT', `${source} is not a readable PEM ${kind} key.`, { hint: k.unreadableHint });
  }
  return requireEd25519(key, source);
}

/** `pem` read from wherever it was kept; `source` names that place in messages (never the key itself). */
export function parsePrivateKey(pem: Buffer, source: string): KeyObject {
  return parseKey(pem, source, 'private');
}

/** The public key to trust (SPKI PEM). A private key is refused: it must not travel with the media. */
export async function readPublicKey(path: string): Promise<KeyObject> {
  return parseKey(Buffer.from(await readBoundedFile(path, 'public key file', MAX_KEY_BYTES)), path, 'public');
}
