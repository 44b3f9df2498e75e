import type { Command } from 'commander';
import { verifyReleaseSignature } from '../../engine/signatures/verify-release-signature';
import { readBoundedFile } from '../../engine/trust/input-file';
import { printJson } from '../output';

// Release signatures and public keys are a few kilobytes.
const MAX_SIGNATURE_BYTES = 1024 * 1024;

async function verify(opts: { digest: string; reference: string; signature: string; key: string; json: boolean }): Promise<void> {
  const [signature, publicKey] = await Promise.all([
    readBoundedFile(opts.signature, 'signature file', MAX_SIGNATURE_BYTES),
    readBoundedFile(opts.key, 'public key file', MAX_SIGNATURE_BYTES),
  ]);
  const check = await verifyReleaseSignature({ signature, publicKey, digest: opts.digest, reference: opts.reference });
  if (opts.json) {
    printJson({ verified: true, ...check });
    return;
  }
  process.stdout.write(
    `Release signature verified: ${check.claims.dockerReference}@${check.claims.digest}\n` +
      `  signed by key ${check.keyId.toUpperCase()} (key fingerprint ${check.keyFingerprint.toUpperCase()})${check.signedAt ? ` on ${check.signedAt}` : ''}\n`,
  );
}

export function register(program: Command): void {
  const cmd = program.command('release-signature').description('OpenShift release signatures');
  cmd
    .command('verify')
    .description('verify a release signature against a public key, the release digest and the release repository')
    .requiredOption('--digest <sha256:hex>', 'release image digest')
    .requiredOption('--reference <ref>', 'release reference, e.g. quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64')
    .requiredOption('--signature <file>', 'signature file (binary OpenPGP signed message, e.g. signature-1)')
    .requiredOption('--key <file>', 'OpenPGP public key that signs releases (armored or binary)')
    .option('--json', 'machine-readable output', false)
    .action((opts: { digest: string; reference: string; signature: string; key: string; json: boolean }) => verify(opts));
}
