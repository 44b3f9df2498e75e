import type { Command } from 'commander';
import { dirname, join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { addCredential } from '../../../shared/pull-secret/add';
import { dockerConfigSecret, ocSecretsLinkCommand, ocSetPullSecretCommand } from '../../../shared/pull-secret/cluster';
import { checkPullSecret, type PullSecretFinding, type PullSecretReport } from '../../../shared/pull-secret/validate';
import { readBoundedFile } from '../../engine/trust/input-file';
import { readSecretFromStdin, writeFileAtomic } from '../../engine/trust/secret-file';
import { printJson } from '../output';
import { addCommonOptions } from '../program';

// Pull secrets are a few kilobytes; a cap keeps a wrong path from being read whole.
const MAX_PULL_SECRET_BYTES = 4 * 1024 * 1024;

async function readPullSecret(file: string): Promise<string> {
  const bytes = await readBoundedFile(file, 'pull secret', MAX_PULL_SECRET_BYTES);
  return new TextDecoder().decode(bytes);
}

function formatFinding(f: PullSecretFinding): string {
  return `${f.severity}: line ${f.line}, column ${f.column}: ${f.message}`;
}

function syntaxFailure(file: string, report: PullSecretReport): FerryError {
  const e = report.syntaxError!;
  return new FerryError('INVALID_INPUT', `${file} is not valid JSON: line ${e.line}, column ${e.column}: ${e.reason}.\n${e.excerpt}`, {
    hint: 'Fix the file at that position; a pull secret looks like {"auths":{"host:port":{"auth":"...","email":"..."}}}.',
    details: { file, line: e.line, column: e.column, reason: e.reason, excerpt: e.excerpt },
  });
}

async function check(file: string, opts: { json: boolean }): Promise<void> {
  const report = checkPullSecret(await readPullSecret(file));
  if (report.syntaxError) throw syntaxFailure(file, report);
  const errors = report.findings.filter((f) => f.severity === 'error');
  if (!opts.json) for (const f of report.findings) process.stderr.write(`${file}: ${formatFinding(f)}\n`);
  if (errors.length > 0) {
    throw new FerryError('INVALID_INPUT', `${file} is not a valid pull secret: ${errors.length} error(s), the first at line ${errors[0]!.line}, column ${errors[0]!.column}: ${errors[0]!.message}.`, {
      hint: 'Fix the errors listed; `ferry pull-secret add` can write a correct entry for a registry.',
      details: { file, findings: report.findings, entries: report.entries },
    });
  }
  if (opts.json) {
    printJson({ file, valid: true, findings: report.findings, entries: report.entries });
    return;
  }
  process.stdout.write(`${file}: valid pull secret, ${report.entries.length} registr${report.entries.length === 1 ? 'y' : 'ies'}${report.findings.length ? `, ${report.findings.length} warning(s)` : ''}\n`);
  for (const e of report.entries) process.stdout.write(`  ${e.key}  user ${e.username ?? '?'}${e.email ? `  <${e.email}>` : ''}\n`);
}

interface AddOptions {
  registry: string;
  username: string;
  passwordStdin?: boolean;
  email?: string;
  out?: string;
  secretYaml?: string;
  namespace?: string;
  json: boolean;
}

async function add(file: string, opts: AddOptions): Promise<void> {
  if (!opts.passwordStdin) {
    throw new FerryError('USAGE', 'The password is read only from standard input: add --password-stdin.', { hint: "printf '%s' \"$PASSWORD\" | ferry pull-secret add FILE --registry HOST:PORT --username U --password-stdin" });
  }
  // Read and check the file before consuming stdin, so a bad file fails fast and nothing is written.
  const text = await readPullSecret(file);
  const report = checkPullSecret(text);
  if (report.syntaxError) throw syntaxFailure(file, report);
  const password = await readSecretFromStdin('password or token');
  const cred = { registry: opts.registry, username: opts.username, password, ...(opts.email === undefined ? {} : { email: opts.email }) };
  const secret = opts.secretYaml === undefined ? undefined : dockerConfigSecret({ ...cred, name: opts.secretYaml, ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }) });
  const result = addCredential(text, cred);
  const out = opts.out ?? file;
  await writeFileAtomic(out, result.text, 0o600);
  const commands = [ocSetPullSecretCommand(out)];
  let secretFile: string | undefined;
  if (secret) {
    secretFile = join(dirname(out), `${opts.secretYaml}.secret.yaml`);
    await writeFileAtomic(secretFile, secret.yaml, 0o600);
    commands.push(`oc create -f ${secretFile}${opts.namespace === undefined ? '' : ` -n ${opts.namespace}`}`, ocSecretsLinkCommand(opts.secretYaml!));
  }
  // Problems in entries other than the one written are the operator's to know, not a reason to refuse.
  const warnings = report.findings.filter((f) => f.key !== opts.registry);
  if (opts.json) {
    printJson({ file: out, registry: opts.registry, replaced: result.replaced, ...(secretFile ? { secretYaml: secretFile } : {}), warnings, commands });
    return;
  }
  for (const w of warnings) process.stderr.write(`${file}: ${formatFinding(w)}\n`);
  process.stdout.write(`${result.replaced ? 'Replaced' : 'Added'} the credential for ${opts.registry} (user ${opts.username}) in ${out} (mode 0600).\n`);
  if (secretFile) process.stdout.write(`Wrote the kubernetes.io/dockerconfigjson Secret ${opts.secretYaml} to ${secretFile} (mode 0600).\n`);
  process.stdout.write(`Next, on the cluster:\n${commands.map((c) => `  ${c}\n`).join('')}`);
}

export function register(program: Command): void {
  const cmd = program.command('pull-secret').description('validate a pull secret and add mirror credentials to it');
  addCommonOptions(
    cmd
      .command('check')
      .description('validate a pull secret: JSON syntax with line and column, auths keys, base64 user:password, duplicates')
      .argument('<file>', 'pull secret (.dockerconfigjson or auth.json)'),
  ).action((file: string, opts: { json: boolean }) => check(file, opts));
  addCommonOptions(
    cmd
      .command('add')
      .description('add or replace one registry credential, keeping every other entry; writes atomically with mode 0600')
      .argument('<file>', 'pull secret to update')
      .requiredOption('--registry <host[:port][/ns]>', 'registry key, optionally namespaced')
      .requiredOption('--username <user>', 'user name (any non-empty name for a token)')
      .option('--password-stdin', 'read the password or token from standard input')
      .option('--email <email>', 'email recorded with the credential')
      .option('--out <file>', 'write here instead of replacing FILE')
      .option('--secret-yaml <name>', 'also write a kubernetes.io/dockerconfigjson Secret NAME for this credential (seed 004)')
      .option('--namespace <ns>', 'namespace of that Secret'),
  ).action((file: string, opts: AddOptions) => add(file, opts));
}
