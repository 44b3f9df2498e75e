import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, type TempDir } from './tmp';

/**
 * A throwaway GnuPG home with one signing key made by real `gpg`, for release signatures in the forms Red Hat
 * has shipped: `gpg --sign` (a compressed, one-pass signed message), with the compression and packet-format
 * options given. Nothing here is a real key; the home is deleted by `cleanup`.
 */
export interface GpgSigner {
  home: TempDir;
  /** Fingerprint of the primary key, upper-case hex. */
  fingerprint: string;
  publicArmored: string;
  publicBinary: Uint8Array;
  /** `gpg --sign` of the content with the extra options, e.g. ['--compress-algo', 'bzip2'], ['--rfc2440'] or ['--faked-system-time', T]. */
  sign(content: Uint8Array, options?: string[]): Promise<Uint8Array>;
  cleanup(): Promise<void>;
}

function gpg(home: string, args: string[], input?: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile('gpg', ['--homedir', home, '--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`gpg ${args.join(' ')} failed: ${stderr.toString()}`));
      else resolve(stdout);
    });
    if (input) child.stdin!.end(input);
  });
}

/** `expire` (gpg's form, e.g. '2d') with `at` (a gpg --faked-system-time, e.g. '20200101T000000') makes a key that has expired since. */
export async function gpgSigner(name: string, opts: { keyType?: 'rsa2048' | 'rsa3072' | 'ed25519'; expire?: string; at?: string } = {}): Promise<GpgSigner> {
  const home = tempDir(`gpg-${name}`);
  const at = opts.at ? ['--faked-system-time', opts.at] : [];
  await gpg(home.path, [...at, '--quick-generate-key', `${name} <${name}@example.com>`, opts.keyType ?? 'rsa2048', 'sign', opts.expire ?? 'never']);
  const listing = (await gpg(home.path, ['--with-colons', '--list-keys'])).toString();
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listing)![1]!;
  const publicArmored = (await gpg(home.path, ['--armor', '--export', fingerprint])).toString();
  const publicBinary = new Uint8Array(await gpg(home.path, ['--export', fingerprint]));
  let n = 0;
  return {
    home,
    fingerprint,
    publicArmored,
    publicBinary,
    async sign(content, options = []) {
      const file = join(home.path, `content-${++n}`);
      await writeFile(file, content);
      await gpg(home.path, ['--local-user', fingerprint, ...options, '--output', `${file}.gpg`, '--sign', file]);
      return new Uint8Array(await readFile(`${file}.gpg`));
    },
    cleanup: () => home.cleanup(),
  };
}

/** The atomic container signature JSON a release signer writes (containers-signature(5)). */
export function atomicSignaturePayload(digest: string, reference: string, extra: Record<string, unknown> = {}): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      critical: { type: 'atomic container signature', image: { 'docker-manifest-digest': digest }, identity: { 'docker-reference': reference } },
      optional: { creator: 'Ferry test signer', timestamp: 1700000000 },
      ...extra,
    }),
  );
}
