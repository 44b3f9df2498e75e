import { formatBytes, formatDuration } from '../format';
import { shownDone } from '../transfer-trace';

/** One labelled bar. Uses <progress> so assistive tech reads the value; the text repeats it for sighted users. */
export function ProgressBar({ label, done, total, unit = 'bytes', bytesPerSecond, etaSeconds }: { label: string; done: number; total: number; unit?: 'bytes' | 'items'; bytesPerSecond?: number; etaSeconds?: number }) {
  const fmt = (n: number) => (unit === 'bytes' ? formatBytes(n) : String(n));
  // A figure never shows past its total, whatever a job sent (the job layer bounds it too: shared/progress.ts withinTotals).
  const shown = shownDone(done, total);
  const pct = total > 0 ? Math.floor((shown / total) * 100) : 0;
  const extras = [bytesPerSecond !== undefined ? `${formatBytes(bytesPerSecond)}/s` : '', etaSeconds !== undefined ? `ETA ${formatDuration(etaSeconds)}` : '']
    .filter(Boolean)
    .join(' · ');
  return (
    <div className="progress">
      <div className="label">
        <span>{label}</span>
        <span className="muted">
          {fmt(shown)} / {fmt(total)} ({pct}%){extras ? ` · ${extras}` : ''}
        </span>
      </div>
      <progress aria-label={label} max={total > 0 ? total : 1} value={total > 0 ? shown : 0} />
    </div>
  );
}
