import type { ResponseOf } from '../../../shared/api/contract';

type Finding = ResponseOf<'pullSecret.validate'>['findings'][number];

/** "Line 3, column 14: …" — where exactly the input is wrong, as the operator's editor would count. */
export function describeFinding(f: Finding): string {
  // Some checks already lead with the position; say it once.
  if (/^line \d+/i.test(f.message)) return f.message.charAt(0).toUpperCase() + f.message.slice(1);
  const where = f.line !== undefined ? `Line ${f.line}${f.column !== undefined ? `, column ${f.column}` : ''}` : f.path ? `At ${f.path}` : '';
  return where ? `${where}: ${f.message}` : f.message;
}

export function FindingList({ findings }: { findings: Finding[] }) {
  if (findings.length === 0) return null;
  return (
    <ul className="findings">
      {findings.map((f, i) => (
        <li key={i} className={f.level === 'error' ? 'field-error' : 'muted'}>
          {f.level === 'warning' ? 'Warning — ' : ''}
          {describeFinding(f)}
        </li>
      ))}
    </ul>
  );
}
