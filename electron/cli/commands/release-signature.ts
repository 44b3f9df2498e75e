import { Option, type Command } from 'commander';
import { FerryError } from '../../../shared/errors';
import { verifyReleaseSignature } from '../../engine/release-signatures/verify-release-signature';
import { readBoundedFile } from '../../engine/trust/input-file';
import { printJson } from '../output';

// Release signatures and keyrings are a few kilobytes.
const MAX_SIGNATURE_BYTES = 1024 * 1024;

interface VerifyOptions {
  digest: string;
  signature: string;
  keyring?: string;
  key?: string;
  json: boolean;
}

async function verify(opts: VerifyOptions): Promise<void> {
  const keyringFile = opts.keyring ?? opts.key;
  if (keyringFile === undefined) throw new FerryError('USAGE', 'Which keys may sign releases?', { hint: 'Give --keyring FILE (one or more OpenPGP public keys, armored or binary).' });
  const [signature, keyring] = await Promise.all([
    readBoundedFile(opts.signature, 'signature file', MAX_SIGNATURE_BYTES),
    readBoundedFile(keyringFile, 'keyring file', MAX_SIGNATURE_BYTES),
  ]);
  const check = await verifyReleaseSignature({ signature, keyring, digest: opts.digest });
  if (opts.json) {
    printJson({ verified: true, ...check });
    return;
  }
  process.stdout.write(
    `Release signature verified for ${check.claims.digest}\n` +
      `  signed identity: ${check.claims.dockerReference}\n` +
      `  signed by key ${check.keyId.toUpperCase()} (key fingerprint ${check.keyFingerprint.toUpperCase()})${check.signedAt ? ` on ${check.signedAt}` : ''}, read by ${check.verifier}\n`,
  );
}

export function register(program: Command): void {
  const cmd = program.command('release-signature').description('OpenShift release signatures');
  cmd
    .command('verify')
    .description('verify a release signature as the cluster-version operator does: a key of the keyring signed an atomic container signature for this digest')
    .requiredOption('--digest <sha256:hex>', 'release image digest')
    .requiredOption('--signature <file>', 'signature file (OpenPGP signed message, e.g. signature-1 from the signature store)')
    .option('--keyring <file>', 'OpenPGP public key(s) that may sign releases (armored, possibly among other text, or binary)')
    .addOption(new Option('--key <file>', 'same as --keyring').hideHelp())
    // Accepted for older scripts; the cluster-version operator does not compare the signed identity, so neither does this.
    .addOption(new Option('--reference <ref>', 'ignored: the signed identity is reported, not compared').hideHelp())
    .option('--json', 'machine-readable output', false)
    .action((opts: VerifyOptions) => verify(opts));
}
