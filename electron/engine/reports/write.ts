import { writeOutputFile } from '../config/output-file';
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
  await writeOutputFile(path, `${JSON.stringify(report, null, 2)}\n`);
  await writeOutputFile(markdown, renderReportMarkdown(report));
  return { json: path, markdown };
}
