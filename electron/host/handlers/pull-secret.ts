import type { ParsedRequestOf, ResponseOf } from '../../../shared/api/contract';
import { addCredential } from '../../../shared/pull-secret/add';
import { checkPullSecret, type PullSecretReport } from '../../../shared/pull-secret/validate';
import { savedSecret } from '../../jobs/secrets/saved-secret';
import type { SecretStore } from '../../jobs/secrets/secret-store';

function entriesOf(report: PullSecretReport): ResponseOf<'pullSecret.validate'>['entries'] {
  return report.entries.map((e) => ({ registry: e.key, username: e.username, email: e.email }));
}

export function validatePullSecret(req: ParsedRequestOf<'pullSecret.validate'>): ResponseOf<'pullSecret.validate'> {
  const report = checkPullSecret(req.text);
  const findings: ResponseOf<'pullSecret.validate'>['findings'] = report.findings.map((f) => ({
    level: f.severity,
    message: f.message,
    line: f.line,
    column: f.column,
    ...(f.key === undefined ? {} : { path: `auths.${f.key}` }),
  }));
  if (report.syntaxError) {
    const { line, column, reason } = report.syntaxError;
    findings.unshift({ level: 'error', message: `line ${line}, column ${column}: ${reason}`, line, column });
  }
  return { valid: report.valid, findings, entries: entriesOf(report) };
}

/** Merges a credential into pasted text, or into a stored pull secret without the text ever leaving main. */
export async function addPullSecretCredential(
  store: SecretStore,
  req: ParsedRequestOf<'pullSecret.addCredential'>,
): Promise<ResponseOf<'pullSecret.addCredential'>> {
  const cred = { registry: req.registry, username: req.username, password: req.password, ...(req.email ? { email: req.email } : {}) };
  if (req.target.kind === 'text') {
    const { text } = addCredential(req.target.text, cred);
    return { entries: entriesOf(checkPullSecret(text)), text };
  }
  const name = req.target.name;
  const current = await savedSecret(store, name, { kind: 'pull-secret', what: 'pull secret', hint: 'Save the pull secret first (Credentials step).' });
  const { text } = addCredential(current.value, cred);
  await store.save({ name, kind: 'pull-secret' }, text);
  return { entries: entriesOf(checkPullSecret(text)) };
}
