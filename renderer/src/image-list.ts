import { parseReference } from '../../shared/reference';

/** "Line 2: …" for every line of an image list that is not a valid reference; blank lines are allowed. */
export function imageListErrors(lines: string[]): string[] {
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      parseReference(line);
    } catch (e) {
      out.push(`Line ${i + 1}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  return out;
}
