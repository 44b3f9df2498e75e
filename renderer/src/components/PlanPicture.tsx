import { useId } from 'react';
import { formatBytes } from '../format';
import { volumeFills, type Plan, type PlanGroup, type VolumeFill } from '../plan-groups';
import { Table } from './Table';

/**
 * Where the bytes go: the target's free space against what the transfer needs, then every volume file
 * against the volume size, each split by group. Drawn with the theme's colours (CSS variables), so it
 * reads in light and dark; the table below says the same in words for screen readers and copy-paste.
 */
const WIDTH = 800;
const LABEL = 140;
const BAR = 380;
/** A part too small to see at scale still gets a sliver, so no group that has bytes vanishes from the picture. */
const MIN_SEGMENT = 2;
const ROW = 30;
const BAR_H = 16;
const OVERHEAD_COLOR = '--chart-overhead';

const pct = (part: number, whole: number) => (whole > 0 ? Math.min(100, Math.round((part / whole) * 100)) : 0);

interface Segment {
  key: string;
  label: string;
  bytes: number;
  color: string;
}

/** Stacked segments of one bar, scaled so `scale` bytes fill the bar; never drawn past the bar's end. */
function Bar({ y, segments, scale, title }: { y: number; segments: Segment[]; scale: number; title: string }) {
  let x = LABEL;
  const end = LABEL + BAR;
  return (
    <g>
      <rect x={LABEL} y={y} width={BAR} height={BAR_H} className="picture-empty">
        <title>{title}</title>
      </rect>
      {segments.map((s) => {
        const w = Math.min(scale > 0 && s.bytes > 0 ? Math.max((s.bytes / scale) * BAR, MIN_SEGMENT) : 0, end - x);
        const rect =
          w > 0 ? (
            <rect key={s.key} x={x} y={y} width={w} height={BAR_H} style={{ fill: `var(${s.color})` }}>
              <title>{`${s.label}: ${formatBytes(s.bytes)}`}</title>
            </rect>
          ) : null;
        x += Math.max(w, 0);
        return rect;
      })}
    </g>
  );
}

function volumeSegments(v: VolumeFill, groups: readonly PlanGroup[]): Segment[] {
  return [
    ...v.groups.map((p, i) => ({ key: p.id, label: groups[i]!.kind.title, bytes: p.bytes, color: groups[i]!.kind.color })),
    { key: 'overhead', label: 'Tar headers and index', bytes: v.overhead, color: OVERHEAD_COLOR },
  ];
}

export function PlanPicture({ plan, groups, target }: { plan: Plan; groups: readonly PlanGroup[]; target: string }) {
  const id = useId();
  const fills = volumeFills(plan, groups);
  const needed = plan.volumes.bytes;
  const free = plan.freeBytes;
  const groupBytes = groups.reduce((n, g) => n + g.uniqueBytes, 0);
  const diskSegments: Segment[] = [
    ...groups.map((g) => ({ key: g.kind.id, label: g.kind.title, bytes: g.uniqueBytes, color: g.kind.color })),
    { key: 'overhead', label: 'Tar headers, index and transfer.json', bytes: Math.max(needed - groupBytes, 0), color: OVERHEAD_COLOR },
  ];
  const diskScale = Math.max(free, needed);
  const freeX = LABEL + (diskScale > 0 ? (free / diskScale) * BAR : 0);
  const top = 34;
  const height = top + ROW * (fills.length + 1) + 8;
  const summary = `${formatBytes(needed)} needed of ${formatBytes(free)} free on the target (${pct(needed, free)}%), in ${fills.length} volume file(s) of up to ${formatBytes(plan.volumes.volumeSize)}.`;
  return (
    <figure className="picture">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`} className="picture-svg" data-testid="plan-picture">
        <title id={`${id}-t`}>Where the bytes go</title>
        <desc id={`${id}-d`}>{`${summary} The table below lists every volume file by group.`}</desc>
        <text x={0} y={top + BAR_H - 3} className="picture-label">
          Target disk
        </text>
        <Bar y={top} segments={diskSegments} scale={diskScale} title={`Free space on ${target}: ${formatBytes(free)}`} />
        {needed > free ? (
          <line x1={freeX} x2={freeX} y1={top - 6} y2={top + BAR_H + 6} className="picture-limit">
            <title>{`Free space ends here: ${formatBytes(free)}`}</title>
          </line>
        ) : null}
        <text x={LABEL + BAR + 10} y={top + BAR_H - 3} className="picture-value">
          {`${formatBytes(needed)} of ${formatBytes(free)} free`}
        </text>
        <text x={0} y={16} className="picture-heading">
          Bar length: free space on the target (top), the volume size (each file).
        </text>
        {fills.map((v, i) => {
          const y = top + ROW * (i + 1);
          return (
            <g key={v.name} data-volume={v.name}>
              <text x={0} y={y + BAR_H - 3} className="picture-label mono">
                {v.name}
              </text>
              <Bar y={y} segments={volumeSegments(v, groups)} scale={v.capacity} title={`${v.name}: up to ${formatBytes(v.capacity)}`} />
              <text x={LABEL + BAR + 10} y={y + BAR_H - 3} className="picture-value">
                {`${formatBytes(v.size)} of ${formatBytes(v.capacity)} (${pct(v.size, v.capacity)}%)`}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="legend" aria-label="Legend">
          {[...groups.map((g) => ({ key: g.kind.id, label: g.kind.title, color: g.kind.color })), { key: 'overhead', label: 'Tar headers and index', color: OVERHEAD_COLOR }].map((l) => (
            <li key={l.key}>
              <span className="swatch" aria-hidden="true" style={{ background: `var(${l.color})` }} />
              {l.label}
            </li>
          ))}
        </ul>
      </figcaption>
      <Table
        caption="Volume files by group"
        rows={fills}
        rowKey={(v) => v.name}
        columns={[
          { header: 'Volume file', cell: (v) => <span className="mono">{v.name}</span> },
          ...groups.map((g, gi) => ({ header: g.kind.title, numeric: true, cell: (v: VolumeFill) => formatBytes(v.groups[gi]!.bytes) })),
          { header: 'Headers and index', numeric: true, cell: (v) => formatBytes(v.overhead) },
          { header: 'File size', numeric: true, cell: (v) => <span data-bytes={v.size}>{formatBytes(v.size)}</span> },
          { header: 'Of volume size', numeric: true, cell: (v) => `${pct(v.size, v.capacity)}%` },
        ]}
      />
    </figure>
  );
}
