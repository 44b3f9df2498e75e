import type { Command } from 'commander';
import { formatFingerprint } from '../../../shared/fingerprint';
import { generateSigningKeys, keySha256, readPublicKey } from '../../engine/signing/keys';
import { printJson } from '../output';

/** `ferry keys generate|fingerprint`: the ed25519 keys that sign transfer manifests (`mirror --sign-key`, `verify --trust`). */
async function generate(opts: { out: string; force: boolean; json: boolean }): Promise<void> {
  const keys = await generateSigningKeys(opts.out, { force: opts.force });
  const fingerprint = formatFingerprint(keys.sha256);
  if (opts.json) {
    printJson({ privateKey: keys.privateKeyPath, publicKey: keys.publicKeyPath, fingerprint, sha256: keys.sha256 });
    return;
  }
  process.stdout.write(
    `Wrote ${keys.privateKeyPath} (private, mode 0600: keep it on the connected side, never with the media)\n` +
      `  and ${keys.publicKeyPath} (public: give it to the disconnected side by a separate way, for verify --trust)\n` +
      `Key fingerprint: ${fingerprint}\n`,
  );
}

async function fingerprint(file: string, opts: { json: boolean }): Promise<void> {
  const sha256 = keySha256(await readPublicKey(file));
  if (opts.json) printJson({ publicKey: file, fingerprint: formatFingerprint(sha256), sha256 });
  else process.stdout.write(`${formatFingerprint(sha256)}\n`);
}

export function register(program: Command): void {
  const keys = program.command('keys').description('ed25519 keys that sign transfer manifests');
  keys
    .command('generate')
    .description('write a new signing key pair: PREFIX.key (private, 0600) and PREFIX.pub')
    .requiredOption('--out <prefix>', 'path prefix of the two files, e.g. ~/ferry/signing')
    .option('--force', 'replace existing PREFIX.key / PREFIX.pub', false)
    .option('--json', 'machine-readable output', false)
    .action((opts: { out: string; force: boolean; json: boolean }) => generate(opts));
  keys
    .command('fingerprint')
    .description('show the fingerprint of a public key, to compare with what mirror and verify print')
    .argument('<pubkey>', 'public key file (PREFIX.pub)')
    .option('--json', 'machine-readable output', false)
    .action((file: string, opts: { json: boolean }) => fingerprint(file, opts));
}
