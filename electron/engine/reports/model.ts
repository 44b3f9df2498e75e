import { formatBytes } from '../../../shared/format';
import type { SignatureCheck } from '../../../shared/transfer/signature';
import { renderSignatureCheck } from '../../../shared/transfer/signature';

/**
 * The operator-facing report of a verify or push: what was checked and with what result, counts, bytes,
 * durations and the signing key's fingerprint. One model for every operation so an operator (or an auditor
 * on the disconnected side) reads the same shape each time; the JSON is the record, the Markdown its
 * readable twin, rendered here once.
 */
export type CheckStatus = 'passed' | 'failed' | 'warning' | 'skipped';

export interface ReportCheck {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface ReportProblem {
  code: string;
  message: string;
  volume?: string;
  blob?: string;
  image?: string;
  images?: string[];
}

export interface OperatorReport {
  kind: 'verify' | 'push';
  ok: boolean;
  /** What the operation was about, e.g. {directory, transfer, target}; shown in this order. */
  subject: Record<string, string>;
  startedAt: string;
  finishedAt: string;
  signature?: SignatureCheck;
  checks: ReportCheck[];
  counts: Record<string, number>;
  bytes: Record<string, number>;
  durationsMs: Record<string, number>;
  problems: ReportProblem[];
}

const STATUS_WORD: Record<CheckStatus, string> = { passed: 'passed', failed: '**FAILED**', warning: 'warning', skipped: 'not run' };

/** Table cells stay on one line and cannot end the cell early. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(header: [string, string], rows: Array<[string, string]>): string[] {
  return [`| ${header[0]} | ${header[1]} |`, '|---|---|', ...rows.map(([a, b]) => `| ${cell(a)} | ${cell(b)} |`)];
}

function humanBytes(n: number): string {
  return `${formatBytes(n)} (${n} bytes)`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function renderReportMarkdown(r: OperatorReport): string {
  const title = r.kind === 'verify' ? 'Verification' : 'Push';
  const lines = [`# Ferry ${title.toLowerCase()} report: ${r.ok ? 'PASSED' : 'FAILED'}`, ''];
  lines.push(...table(['', ''], [...Object.entries(r.subject), ['started', r.startedAt], ['finished', r.finishedAt]]), '');
  if (r.signature) lines.push('## Signature', '', ...renderSignatureCheck(r.signature).map((l) => l.trim()).map((l) => `- ${l}`), '');
  lines.push('## Checks', '', '| Check | Result | Details |', '|---|---|---|', ...r.checks.map((c) => `| ${cell(c.name)} | ${STATUS_WORD[c.status]} | ${cell(c.detail)} |`), '');
  if (Object.keys(r.counts).length) lines.push('## Counts', '', ...table(['What', 'Count'], Object.entries(r.counts).map(([k, v]) => [k, String(v)])), '');
  if (Object.keys(r.bytes).length) lines.push('## Bytes', '', ...table(['What', 'Size'], Object.entries(r.bytes).map(([k, v]) => [k, humanBytes(v)])), '');
  if (Object.keys(r.durationsMs).length) lines.push('## Durations', '', ...table(['What', 'Time'], Object.entries(r.durationsMs).map(([k, v]) => [k, seconds(v)])), '');
  lines.push('## Problems', '');
  if (r.problems.length === 0) lines.push('None.');
  for (const p of r.problems) {
    const where = [p.volume && `volume ${p.volume}`, p.blob && `blob ${p.blob}`, p.image && `image ${p.image}`, p.images?.length && `used by ${p.images.join(', ')}`].filter(Boolean);
    lines.push(`- \`${p.code}\`: ${cell(p.message)}${where.length ? ` (${where.join('; ')})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
