import type { Command } from 'commander';
import { FerryError } from '../../../shared/errors';
import { DEFAULT_CA_CONFIGMAP_NAME, ocCreateCaConfigMapCommand, ocPatchAdditionalTrustedCaCommand } from '../../../shared/certs/ca-configmap';
import { configKind, generateConfig } from '../../../shared/config/kinds';
import { parseAuthKey } from '../../../shared/pull-secret/auth-key';
import { proxyConfig } from '../../engine/net/proxy';
import { inspectCertificates, readCertificateFile, type CertificateInfo } from '../../engine/trust/certificates';
import { carriedReleaseSignatures } from '../../engine/release-signatures/carried';
import type { SignedRelease } from '../../../shared/signatures/signature-configmap';
import { readBoundedFile } from '../../engine/trust/input-file';
import { writeFileAtomic } from '../../engine/trust/secret-file';
import { checkRegistryTls, type TlsCheckResult } from '../../engine/trust/tls-check';
import { printJson } from '../output';
import { addCommonOptions } from '../program';

function describe(c: CertificateInfo, label: string): string {
  const lines = [
    `${label}`,
    `  subject:      ${c.subject}`,
    `  issuer:       ${c.issuer}${c.selfSigned ? ' (self-signed)' : ''}`,
    `  SANs:         ${c.subjectAltNames.join(', ') || '(none)'}`,
    `  valid:        ${c.notBefore} to ${c.notAfter} (${c.daysLeft} days left)`,
    `  is CA:        ${c.isCA ? 'yes' : 'no'}`,
    `  SHA-256:      ${c.fingerprintSha256}`,
  ];
  if (c.validityMessage) lines.push(`  ${c.status === 'expiring' ? 'warning' : 'error'}:      ${c.validityMessage}`);
  return lines.join('\n') + '\n';
}

/** Certificates that cannot be used at all today: expired or not yet valid. */
function unusable(certs: CertificateInfo[]): CertificateInfo | undefined {
  return certs.find((c) => c.status === 'expired' || c.status === 'not-yet-valid');
}

/** The certificates of a CA file that must be usable today, and whether the file was PEM already. */
async function loadCa(file: string): Promise<{ certs: CertificateInfo[]; pem: boolean }> {
  const bytes = await readCertificateFile(file);
  const certs = inspectCertificates(bytes, file);
  const bad = unusable(certs);
  if (bad) {
    throw new FerryError('INVALID_INPUT', `The certificate "${bad.subject}" in ${file} ${bad.validityMessage}.`, {
      hint: 'A TLS client rejects it: get a renewed CA (or regenerate the registry kit) and use that file.',
      details: { file, certificates: certs.map(({ pem: _pem, ...rest }) => rest) },
    });
  }
  return { certs, pem: new TextDecoder().decode(bytes.subarray(0, 4096)).includes('-----BEGIN CERTIFICATE-----') };
}

async function inspect(file: string, opts: { json: boolean }): Promise<void> {
  const certs = inspectCertificates(await readCertificateFile(file), file);
  if (opts.json) printJson({ file, certificates: certs.map(({ pem: _pem, ...rest }) => rest) });
  else certs.forEach((c, i) => process.stdout.write(describe(c, certs.length > 1 ? `certificate ${i + 1} of ${certs.length}` : file)));
  const bad = unusable(certs);
  if (bad) {
    throw new FerryError('INVALID_INPUT', `The certificate "${bad.subject}" in ${file} ${bad.validityMessage}.`, { hint: 'TLS clients reject it: renew it before using it as a registry CA.' });
  }
}

/** `HOST[:PORT]` (default 443), IPv6 in brackets. */
function parseHostPort(value: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:/\s]+)(?::(\d{1,5}))?$/.exec(value);
  const port = m?.[2] === undefined ? 443 : Number(m[2]);
  if (!m || port < 1 || port > 65535) throw new FerryError('USAGE', `--registry "${value}" is not HOST[:PORT].`, { hint: 'e.g. --registry mirror.example.com:5000' });
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

function checkReport(r: TlsCheckResult): string {
  const leaf = r.chain[0];
  return [
    `TLS check of ${r.host}:${r.port}`,
    `  chain:  ${r.chainVerified ? 'verifies with the given CA and the system roots' : `does NOT verify (${r.chainError})`}`,
    `  name:   ${r.nameMatches ? `the certificate is valid for ${r.host}` : `does NOT match: ${r.nameError}`}`,
    ...r.chain.map((c, i) => `  ${i === 0 ? 'server' : `chain ${i}`}: ${c.subject}; SANs ${c.subjectAltNames.join(', ') || '(none)'}; until ${c.notAfter} (${c.daysLeft} days)${c.validityMessage ? ` — ${c.validityMessage}` : ''}`),
    leaf ? '' : '  (the server sent no certificate)',
  ]
    .filter(Boolean)
    .join('\n') + '\n';
}

async function check(opts: { registry: string; caFile: string[]; proxy?: string; json: boolean }): Promise<void> {
  if (opts.caFile.length === 0) throw new FerryError('USAGE', 'Give the CA to check with: --ca-file FILE.', { hint: 'ferry ca check --registry HOST:PORT --ca-file ca.crt' });
  const { host, port } = parseHostPort(opts.registry);
  const caPems: string[] = [];
  for (const f of opts.caFile) caPems.push(...(await loadCa(f)).certs.map((c) => c.pem));
  const result = await checkRegistryTls({ host, port, caPems, proxy: proxyConfig({ proxy: opts.proxy }) });
  if (!opts.json) process.stdout.write(checkReport(result));
  if (!result.ok) {
    const code = !result.chainVerified ? 'TLS_UNTRUSTED' : !result.nameMatches ? 'TLS_NAME_MISMATCH' : 'TLS_UNTRUSTED';
    const why = !result.chainVerified
      ? `its certificate chain does not verify with ${opts.caFile.join(', ')} (${result.chainError})`
      : !result.nameMatches
        ? `its certificate is not valid for the name ${host}`
        : 'a certificate of its chain is expired or not yet valid';
    throw new FerryError(code, `${host}:${port} would be rejected: ${why}.`, {
      hint: !result.chainVerified ? 'Use the CA that issued the registry certificate (see "chain" above), or regenerate the registry kit.' : 'Reissue the server certificate with this name (SAN) and a valid date.',
      details: { ...result, chain: result.chain.map(({ pem: _pem, ...rest }) => rest) },
    });
  }
  if (opts.json) printJson({ ...result, chain: result.chain.map(({ pem: _pem, ...rest }) => rest) });
}

export function register(program: Command): void {
  const cmd = program.command('ca').description('registry CA certificates: inspect and check');
  addCommonOptions(cmd.command('inspect').description('show subject, issuer, SANs, validity, is-CA and SHA-256 of a PEM or DER certificate file').argument('<file>')).action(
    (file: string, opts: { json: boolean }) => inspect(file, opts),
  );
  addCommonOptions(
    cmd
      .command('check')
      .description('connect to a registry with TLS trusting only --ca-file (plus system roots): chain, name, expiry')
      .requiredOption('--registry <host:port>', 'registry to connect to'),
  ).action((opts: { registry: string; caFile: string[]; proxy?: string; json: boolean }) => check(opts));
}

async function output(yaml: string, out: string | undefined, commands: string[], json: boolean, object: unknown): Promise<void> {
  if (out !== undefined) await writeFileAtomic(out, yaml, 0o644);
  if (json) {
    printJson({ ...(out === undefined ? {} : { file: out }), object, commands });
    return;
  }
  if (out === undefined) process.stdout.write(yaml);
  // With the YAML on stdout (to redirect into a file), the commands go to stderr as shell comments.
  const stream = out === undefined ? process.stderr : process.stdout;
  if (out !== undefined) stream.write(`Wrote ${out}.\n`);
  if (commands.length > 0) stream.write(`# then:\n${commands.map((c) => `#   ${c}\n`).join('')}`);
}

interface CaConfigMapOptions {
  mirror: string;
  caFile: string[];
  name: string;
  out?: string;
  json: boolean;
}

async function caConfigMapCommand(opts: CaConfigMapOptions): Promise<void> {
  const key = parseAuthKey(opts.mirror);
  if (!key || key.scheme) throw new FerryError('USAGE', `--mirror "${opts.mirror}" is not HOST[:PORT][/NAMESPACE].`, { hint: 'e.g. --mirror mirror.example.com:5000/ocp4' });
  if (opts.caFile.length === 0) throw new FerryError('USAGE', 'Give the mirror CA: --ca-file FILE (PEM or DER).', { hint: 'ferry config ca-configmap --mirror HOST:PORT --ca-file ca.crt' });
  const pems: string[] = [];
  let pemInput = true;
  for (const f of opts.caFile) {
    const loaded = await loadCa(f);
    pemInput &&= loaded.pem;
    pems.push(...loaded.certs.map((c) => c.pem));
  }
  const cm = generateConfig(configKind('ca-configmap'), { target: { registry: key.registry, namespace: '' }, caPem: pems.join(''), name: opts.name });
  const commands = [`oc apply -f ${opts.out ?? 'FILE.yaml'}`, ocPatchAdditionalTrustedCaCommand(opts.name)];
  // seed 003's way needs the file to be PEM already: offer it only then.
  if (opts.caFile.length === 1 && pemInput) commands.push(`# or instead of oc apply: ${ocCreateCaConfigMapCommand([{ registry: key.registry, file: opts.caFile[0]! }], opts.name)}`);
  await output(cm.text, opts.out, commands, opts.json, cm.object);
}

interface SignatureConfigMapOptions {
  signature: string[];
  digest?: string;
  fromDir?: string;
  name?: string;
  out?: string;
  json: boolean;
}

/** From the transfer (the release's carried signatures), or from signature files and the digest they are for. */
async function signatureConfigMapInput(opts: SignatureConfigMapOptions): Promise<{ releases: SignedRelease[]; warnings?: string[] }> {
  if (opts.fromDir !== undefined) {
    if (opts.signature.length > 0 || opts.digest !== undefined) throw new FerryError('USAGE', '--from-dir takes the signatures from the transfer; drop --signature and --digest.');
    return carriedReleaseSignatures(opts.fromDir);
  }
  if (opts.signature.length === 0 || opts.digest === undefined) {
    throw new FerryError('USAGE', 'Which release signatures?', { hint: 'Give --from-dir DIR (the transfer), or --signature FILE (repeatable) with --digest sha256:<hex>.' });
  }
  return { releases: [{ digest: opts.digest, signatures: await Promise.all(opts.signature.map((f) => readBoundedFile(f, 'signature file', 1024 * 1024))) }] };
}

async function signatureConfigMapCommand(opts: SignatureConfigMapOptions): Promise<void> {
  const signatures = await signatureConfigMapInput(opts);
  const cm = generateConfig(configKind('signature-configmap'), { signatures, ...(opts.name !== undefined ? { name: opts.name } : {}) });
  if (!opts.json) for (const w of cm.findings) process.stderr.write(`warning: ${w.message}\n`);
  await output(cm.text, opts.out, [`oc apply -f ${opts.out ?? '<this YAML>'}`], opts.json, cm.object);
}

/**
 * `ferry config ca-configmap` and `ferry config signature-configmap`: registered under the `config` command
 * that the mirror-configuration module owns, which calls this with its command.
 */
export function registerConfigTrustCommands(configCmd: Command): void {
  addCommonOptions(
    configCmd
      .command('ca-configmap')
      .description(configKind('ca-configmap').description)
      .requiredOption('--mirror <host[:port][/ns]>', 'mirror registry the CA is for')
      .option('--name <name>', 'ConfigMap name', DEFAULT_CA_CONFIGMAP_NAME)
      .option('--out <file>', 'write the YAML here instead of standard output'),
  ).action((opts: CaConfigMapOptions) => caConfigMapCommand(opts));
  addCommonOptions(
    configCmd
      .command('signature-configmap')
      .description(configKind('signature-configmap').description)
      .option('--from-dir <dir>', 'transfer directory: the signatures it carries for its release(s), all in one ConfigMap')
      .option('--signature <file>', 'release signature file (signature-1, ...); repeatable in order', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('--digest <sha256:hex>', 'with --signature: release image digest the signature is for')
      .option('--name <name>', 'ConfigMap name (default: sha256-<hex>)')
      .option('--out <file>', 'write the YAML here instead of standard output'),
  ).action((opts: SignatureConfigMapOptions) => signatureConfigMapCommand(opts));
}
