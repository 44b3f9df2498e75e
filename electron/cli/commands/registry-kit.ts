import { Option, type Command } from 'commander';
import { writeRegistryKit } from '../../engine/registry-kit/kit';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../../engine/registry-kit/pki';
import { readSecretFromStdin } from '../../engine/trust/secret-file';
import { FerryError } from '../../../shared/errors';
import { printJson } from '../output';

interface KitOptions {
  host: string;
  ip: string[];
  user: string;
  passwordStdin?: boolean;
  to: string;
  port: string;
  keyAlgorithm: KeyAlgorithm;
  registryImage?: string;
  fromDir?: string;
  json: boolean;
}

async function kit(opts: KitOptions): Promise<void> {
  if (!opts.passwordStdin) {
    throw new FerryError('USAGE', 'The registry password is read only from standard input: add --password-stdin.', { hint: "printf '%s' \"$PASSWORD\" | ferry registry-kit ... --password-stdin" });
  }
  const password = await readSecretFromStdin('registry password');
  const result = await writeRegistryKit({
    host: opts.host,
    ips: opts.ip,
    username: opts.user,
    password,
    to: opts.to,
    port: Number(opts.port),
    algorithm: opts.keyAlgorithm,
    ...(opts.registryImage ? { registryImage: opts.registryImage } : {}),
    ...(opts.fromDir ? { fromDir: opts.fromDir } : {}),
  });
  if (opts.json) {
    printJson(result);
    return;
  }
  process.stdout.write(`Wrote the registry kit for ${opts.host}:${opts.port} to ${result.dir}:\n${result.files.map((f) => `  ${f}\n`).join('')}`);
  if (result.registryImage) {
    process.stdout.write(`Registry image ${result.registryImage.ref} from the transfer: ${result.registryImage.archivePath} (podman load -i; manifest ${result.registryImage.digest}), run as image ID ${result.registryImage.imageId}\n`);
  }
  process.stdout.write(`CA SHA-256 fingerprint: ${result.caFingerprintSha256}\nNext: follow ${result.dir}/README.md on the registry node.\n`);
}

export function register(program: Command): void {
  program
    .command('registry-kit')
    .description('write a mirror registry node kit: CA and server certificate, htpasswd, /opt/registry layout, podman/systemd, firewall and trust commands')
    .requiredOption('--host <name>', 'DNS name of the registry node (certificate SAN)')
    .option('--ip <address>', 'IP address of the node (certificate SAN); repeatable', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .requiredOption('--user <name>', 'registry user for htpasswd')
    .option('--password-stdin', 'read the registry password from standard input')
    .requiredOption('--to <dir>', 'new or empty directory for the kit')
    .option('--port <port>', 'registry port on the node', '5000')
    .addOption(new Option('--key-algorithm <alg>', 'key type of CA and server').choices([...KEY_ALGORITHMS]).default('ecdsa-p256'))
    .addOption(new Option('--registry-image <ref>', 'registry container image the node runs (default docker.io/library/registry:2)').conflicts('fromDir'))
    .option('--from-dir <dir>', 'a transfer written with ferry mirror --with-registry: put its registry image in the kit (oci-archive) and run it by digest')
    .option('--json', 'machine-readable output', false)
    .action((opts: KitOptions) => kit(opts));
}
