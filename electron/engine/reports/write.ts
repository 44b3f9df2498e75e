import { writeFileAtomic } from '../trust/secret-file';
import { renderReportMarkdown, type OperatorReport } from './model';

/** FILE.json → FILE.md; any other name gets `.md` appended. */
export function markdownPathFor(path: string): string {
  return path.toLowerCase().endsWith('.json') ? `${path.slice(0, -'.json'.length)}.md` : `${path}.md`;
}

/**
 * Writes the report as JSON at `path` and as Markdown beside it, each replaced atomically so an old report
 * is never left half-overwritten. Returns both paths.
 */
export async function writeReport(path: string, report: OperatorReport): Promise<{ json: string; markdown: string }> {
  const markdown = markdownPathFor(path);
  await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`, 0o644);
  await writeFileAtomic(markdown, renderReportMarkdown(report), 0o644);
  return { json: path, markdown };
}
