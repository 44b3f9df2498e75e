import type * as OpenPgp from 'openpgp';
import { FerryError } from '../../../shared/errors';
import { openpgp } from './openpgp';

/**
 * An OpenPGP keyring as the cluster-version operator takes one (library-go verify/configmap.go
 * `loadArmoredOrUnarmoredGPGKeyRing`): armored or binary, one or several keys; a signature by any key in it
 * counts. Armored text may sit among prose, as Red Hat publishes it (openshift/cluster-update-keys keys/*
 * start with a `pub 4096R/…` listing).
 */
export interface Keyring {
  keys: OpenPgp.PublicKey[];
  /** The keys' packets as given, unarmored: what gpgv reads as a keyring file. */
  binary: Uint8Array;
}

const ARMORED_BLOCK = /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g;

function notAKeyring(why: string): FerryError {
  return new FerryError('INVALID_INPUT', `The verification keyring is not an OpenPGP public key or keyring: ${why}.`, {
    hint: 'Give the release signing public key(s), armored or binary, e.g. keys/verifier-public-key-redhat-release from openshift/cluster-update-keys.',
  });
}

async function unarmored(block: string): Promise<Uint8Array> {
  const { data } = await (await openpgp()).unarmor(block);
  return data as Uint8Array;
}

export async function readKeyring(bytes: Uint8Array): Promise<Keyring> {
  const text = new TextDecoder('latin1').decode(bytes);
  const blocks = text.match(ARMORED_BLOCK) ?? [];
  const binaries: Uint8Array[] = [];
  try {
    if (blocks.length > 0) for (const block of blocks) binaries.push(await unarmored(block));
    else if (text.includes('-----BEGIN PGP')) throw new Error('it holds no PUBLIC KEY BLOCK');
    else binaries.push(bytes);
    const keys: OpenPgp.PublicKey[] = [];
    const pgp = await openpgp();
    for (const binary of binaries) keys.push(...(await pgp.readKeys({ binaryKeys: binary })));
    if (keys.length === 0) throw new Error('it holds no key');
    const binary = new Uint8Array(Buffer.concat(binaries));
    return { keys: keys.map((k) => k.toPublic()), binary };
  } catch (e) {
    if (e instanceof FerryError) throw e;
    throw notAKeyring((e as Error).message.replace(/\.$/, ''));
  }
}

/** Upper-case fingerprints, the form library-go and `gpg` print. */
export function keyringFingerprints(ring: Keyring): string[] {
  return ring.keys.map((k) => k.getFingerprint().toUpperCase());
}
