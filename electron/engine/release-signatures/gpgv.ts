import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * GnuPG's `gpgv` as the second OpenPGP reader: it reads the packet forms openpgp.js no longer does (v3
 * signature packets, which Red Hat's release signatures used for years) and hash algorithms openpgp.js
 * refuses but Go's x/crypto/openpgp, and so the cluster-version operator, accepts. Only public material
 * is written to its private temporary directory.
 */
export type GpgvVerdict =
  | { kind: 'good'; content: Uint8Array; keyId: string; primaryFingerprint: string; created?: string }
  | { kind: 'bad'; reason: string }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'unavailable' };

const TIMEOUT_MS = 30_000;

/** gpgv's exit status says less than its status lines, which are read instead. */
function run(args: string[]): Promise<{ stdout: string; stderr: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile('gpgv', args, { timeout: TIMEOUT_MS, maxBuffer: 1024 * 1024, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, missing: (err as NodeJS.ErrnoException | null)?.code === 'ENOENT' });
    });
  });
}

/** The `[GNUPG:] KEYWORD args` lines of --status-fd, by keyword. */
function statusLines(out: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const m = /^\[GNUPG:\] (\S+) ?(.*)$/.exec(line);
    if (m) map.set(m[1]!, m[2]!.split(' '));
  }
  return map;
}

export async function gpgvVerify(signature: Uint8Array, keyringBinary: Uint8Array): Promise<GpgvVerdict> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-gpgv-'));
  try {
    const keyring = join(dir, 'keyring.gpg');
    const sigFile = join(dir, 'signature');
    const output = join(dir, 'content');
    await Promise.all([writeFile(keyring, keyringBinary), writeFile(sigFile, signature)]);
    // --homedir: an empty directory, so no default trustedkeys keyring of the user joins ours.
    const r = await run(['--homedir', dir, '--keyring', keyring, '--status-fd', '1', '--output', output, sigFile]);
    if (r.missing) return { kind: 'unavailable' };
    const status = statusLines(r.stdout);
    const why = r.stderr.split('\n').filter((l) => l.trim() !== '').map((l) => l.replace(/^gpgv: /, '')).slice(-2).join('; ');
    if (status.has('NODATA') && !status.has('NEWSIG')) return { kind: 'unreadable', reason: why || 'no OpenPGP data' };
    // library-go refuses an expired signature, not a signature by a key that has since expired.
    if (status.has('EXPSIG')) return { kind: 'bad', reason: 'the signature has expired' };
    if (status.has('BADSIG')) return { kind: 'bad', reason: 'the signed content was altered (bad signature)' };
    const errsig = status.get('ERRSIG');
    if (errsig && status.has('NO_PUBKEY')) return { kind: 'bad', reason: `it was made by key ${errsig[0]}, which is not in the keyring` };
    const valid = status.get('VALIDSIG');
    if (!valid || errsig) return { kind: errsig ? 'bad' : 'unreadable', reason: why || 'gpgv found no valid signature' };
    const sig = status.get('GOODSIG') ?? status.get('EXPKEYSIG') ?? status.get('REVKEYSIG');
    const created = Number(valid[2]);
    return {
      kind: 'good',
      content: new Uint8Array(await readFile(output)),
      keyId: (sig?.[0] ?? valid[0]!.slice(-16)).toLowerCase(),
      primaryFingerprint: (valid[9] ?? valid[0]!).toLowerCase(),
      ...(Number.isFinite(created) && created > 0 ? { created: new Date(created * 1000).toISOString() } : {}),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
