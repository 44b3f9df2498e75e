import { useId } from 'react';
import { formatBytes } from '../format';
import { rates, type RateSample } from '../transfer-trace';

const WIDTH = 360;
const HEIGHT = 64;
const PAD = 4;

/**
 * Throughput over time as a small line chart (one point per second of progress events). The peak
 * and the latest rate are written beside it, and the title and description say the same for a screen reader.
 */
export function Throughput({ samples }: { samples: readonly RateSample[] }) {
  const id = useId();
  const points = rates(samples);
  if (points.length < 2) return null;
  const peak = Math.max(...points, 1);
  const latest = points[points.length - 1]!;
  const step = (WIDTH - 2 * PAD) / (points.length - 1);
  const xy = points.map((r, i) => [PAD + i * step, HEIGHT - PAD - (r / peak) * (HEIGHT - 2 * PAD)] as const);
  const line = xy.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  const area = `${line} L${xy[xy.length - 1]![0].toFixed(1)},${HEIGHT - PAD} L${PAD},${HEIGHT - PAD} Z`;
  const seconds = Math.round((samples[samples.length - 1]!.atMs - samples[0]!.atMs) / 1000);
  const words = `Throughput over the last ${seconds} s: now ${formatBytes(latest)}/s, peak ${formatBytes(peak)}/s.`;
  return (
    <figure className="picture throughput">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-t ${id}-d`} className="picture-svg" style={{ maxWidth: WIDTH }} data-testid="throughput-chart">
        <title id={`${id}-t`}>Throughput</title>
        <desc id={`${id}-d`}>{words}</desc>
        <line x1={PAD} x2={WIDTH - PAD} y1={HEIGHT - PAD} y2={HEIGHT - PAD} className="picture-axis" />
        <path d={area} className="picture-area" />
        <path d={line} className="picture-line" />
      </svg>
      <figcaption className="muted">{words}</figcaption>
    </figure>
  );
}
