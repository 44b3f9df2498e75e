import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { htpasswdEntry } from './htpasswd';
import { carriedRegistryImage, writeRegistryArchive } from './image-archive';
import { CONTAINER_NAME, firewallCommands, podmanRunScript, readme, script, systemdUnit, trustCommands, type NodeKitParams } from './node-files';
import { createCa, issueServerCertificate, type KeyAlgorithm } from './pki';

export interface RegistryKitOptions {
  host: string;
  ips: string[];
  username: string;
  password: string;
  to: string;
  port?: number;
  algorithm?: KeyAlgorithm;
  caDays?: number;
  serverDays?: number;
  registryImage?: string;
  /** A transfer carrying the registry image (`ferry mirror --with-registry`): the kit writes it as an archive and runs it by digest. */
  fromDir?: string;
  /** Validity start; tests move it to make expired kits. */
  now?: Date;
}

export interface RegistryKitResult {
  dir: string;
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  htpasswdPath: string;
  caFingerprintSha256: string;
  files: string[];
  /** The registry image brought from the transfer: its archive in the kit and the reference the node runs. */
  registryImage?: { archivePath: string; ref: string; digest: string; imageId: string };
}

const ARCHIVE = 'images/registry.oci.tar';

const DNS_NAME_RE = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const DAY_MS = 86_400_000;
// Server certificates beyond 825 days are refused by some TLS clients (Apple's rule); CAs live longer.
const DEFAULT_SERVER_DAYS = 825;
const DEFAULT_CA_DAYS = 3650;

function validate(opts: RegistryKitOptions): void {
  if (!DNS_NAME_RE.test(opts.host) || isIP(opts.host)) {
    throw new FerryError('USAGE', `--host "${opts.host}" is not a DNS name.`, { hint: 'Give the registry node name clients use, e.g. registry.example.com; give addresses with --ip.' });
  }
  for (const ip of opts.ips) {
    if (!isIP(ip)) throw new FerryError('USAGE', `--ip "${ip}" is not an IPv4 or IPv6 address.`, { hint: 'Give the node address clients connect to, e.g. --ip 192.168.10.5.' });
  }
  const port = opts.port ?? 5000;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new FerryError('USAGE', `--port ${port} is not a TCP port.`, { hint: 'Use 1-65535; seed 001 uses 5000.' });
}

async function ensureEmptyTarget(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new FerryError('INVALID_INPUT', `Cannot use ${dir} for the kit: ${(e as NodeJS.ErrnoException).code}.`, { hint: 'Give a new or empty directory with --to.' });
  }
  if (entries.length > 0) {
    throw new FerryError('INVALID_INPUT', `${dir} is not empty; the kit would overwrite keys or certificates there.`, { hint: 'Give a new or empty directory with --to.' });
  }
}

/**
 * Writes a complete registry node kit under `to`. Everything is written into a sibling staging directory
 * that is renamed into place at the end, so an interrupted run leaves no half kit behind.
 */
export async function writeRegistryKit(opts: RegistryKitOptions): Promise<RegistryKitResult> {
  validate(opts);
  const dir = resolve(opts.to);
  await ensureEmptyTarget(dir);
  // Read before any key is made: a transfer without the image fails the run at once.
  const carried = opts.fromDir ? await carriedRegistryImage(opts.fromDir) : undefined;
  const htpasswd = htpasswdEntry(opts.username, opts.password);
  const algorithm = opts.algorithm ?? 'ecdsa-p256';
  const now = opts.now ?? new Date();
  // Backdated a little: a node whose clock lags the bastion's must not see a not-yet-valid certificate.
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const ca = await createCa({ commonName: `Ferry mirror registry CA for ${opts.host}`, algorithm, notBefore, notAfter: new Date(now.getTime() + (opts.caDays ?? DEFAULT_CA_DAYS) * DAY_MS) });
  const server = await issueServerCertificate(ca, {
    dnsNames: [opts.host],
    ips: opts.ips,
    algorithm,
    notBefore,
    notAfter: new Date(now.getTime() + (opts.serverDays ?? DEFAULT_SERVER_DAYS) * DAY_MS),
  });
  const params: NodeKitParams = {
    host: opts.host,
    ips: opts.ips,
    port: opts.port ?? 5000,
    username: opts.username,
    registryImage: carried?.image.imageId ?? opts.registryImage ?? 'docker.io/library/registry:2',
    caFileName: `${opts.host}-ca.crt`,
    ...(carried ? { carried: { archive: ARCHIVE, ref: carried.image.ref, platform: carried.image.platform, digest: carried.image.digest, fromDir: resolve(opts.fromDir!) } } : {}),
  };
  const fingerprint = new X509Certificate(ca.certPem).fingerprint256;

  const files: Array<[string, string, number]> = [
    ['README.md', readme(params, { caFingerprint: fingerprint, notAfter: ca.cert.notAfter.toISOString() }), 0o644],
    [`ca/${params.caFileName}`, ca.certPem, 0o644],
    ['ca/ca.key', ca.keyPem, 0o600],
    // The chain lets clients that trust only the CA verify the server; distribution serves the whole file.
    ['opt/registry/certs/domain.crt', server.certPem + ca.certPem, 0o644],
    ['opt/registry/certs/domain.key', server.keyPem, 0o600],
    ['opt/registry/auth/htpasswd', htpasswd, 0o600],
    [`etc/systemd/system/${CONTAINER_NAME}.service`, systemdUnit(params), 0o644],
    ['scripts/run-registry.sh', podmanRunScript(params), 0o755],
    ['scripts/firewall.sh', script('Opens the registry port (seed 001).', firewallCommands(params)), 0o755],
    ['scripts/trust-ca.sh', script('Trusts the registry CA on this host; run from the kit directory.', trustCommands(params)), 0o755],
  ];

  // A directory, committed whole by one rename of its staging copy: the atomic writer (confined-file.ts) is for files.
  const staging = join(dirname(dir), `.${basename(dir)}.partial-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(join(staging, 'opt/registry/data'), { recursive: true, mode: 0o755 });
    for (const [rel, content, mode] of files) {
      await mkdir(dirname(join(staging, rel)), { recursive: true });
      // Created with its final mode: a private key is never readable by others, not even for a moment.
      await writeFile(join(staging, rel), content, { mode, flag: 'wx' });
    }
    if (carried) {
      await mkdir(join(staging, dirname(ARCHIVE)), { recursive: true });
      await mkdir(join(staging, '.work'));
      await writeRegistryArchive(carried.reader, carried.image, join(staging, ARCHIVE), join(staging, '.work'));
      await rmdir(join(staging, '.work'));
    }
    // ensureEmptyTarget saw it absent or empty; rmdir refuses if someone filled it meanwhile.
    await rmdir(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    await rename(staging, dir);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    if (e instanceof FerryError) throw e;
    throw new FerryError('INVALID_INPUT', `Cannot write the kit to ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, { hint: 'Check that the parent directory exists and is writable.', cause: e });
  }
  return {
    dir,
    caCertPath: join(dir, 'ca', params.caFileName),
    serverCertPath: join(dir, 'opt/registry/certs/domain.crt'),
    serverKeyPath: join(dir, 'opt/registry/certs/domain.key'),
    htpasswdPath: join(dir, 'opt/registry/auth/htpasswd'),
    caFingerprintSha256: fingerprint,
    files: ['opt/registry/data/', ...files.map(([rel]) => rel), ...(carried ? [ARCHIVE] : [])],
    ...(carried ? { registryImage: { archivePath: join(dir, ARCHIVE), ref: carried.image.ref, digest: carried.image.digest, imageId: carried.image.imageId } } : {}),
  };
}
