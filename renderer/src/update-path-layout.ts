import type { ResponseOf } from '../../shared/api/contract';

export type UpdatePathView = ResponseOf<'release.path'>;

/**
 * Geometry of the update-path picture: releases left to right, oldest first, on one baseline; each update
 * an arc above it, higher the more releases it jumps, so a long jump never hides a short one. Pure, so
 * the picture's meaning (which arcs are the path, which are conditional) is tested without a browser.
 */
export const PATH_WIDTH = 800;
const MARGIN = 48;
export const BASELINE = 150;

export interface LaidNode {
  version: string;
  x: number;
  onPath: boolean;
}

export interface LaidEdge {
  from: string;
  to: string;
  /** SVG path data of the arc. */
  d: string;
  conditional: boolean;
  risks: string[];
  onPath: boolean;
}

export interface PathLayout {
  nodes: LaidNode[];
  edges: LaidEdge[];
  /** Labels turn when releases stand too close for level text. */
  slantLabels: boolean;
}

export function layoutUpdatePath(view: UpdatePathView): PathLayout {
  const n = view.releases.length;
  const step = n > 1 ? (PATH_WIDTH - 2 * MARGIN) / (n - 1) : 0;
  const index = new Map(view.releases.map((r, i) => [r.version, i]));
  const x = (v: string) => (n > 1 ? MARGIN + index.get(v)! * step : PATH_WIDTH / 2);
  const onPath = new Set(view.path);
  const pathSteps = new Set(view.path.slice(1).map((v, i) => `${view.path[i]}>${v}`));
  const maxRise = BASELINE - 20;
  return {
    nodes: view.releases.map((r) => ({ version: r.version, x: x(r.version), onPath: onPath.has(r.version) })),
    edges: view.edges
      .filter((e) => index.has(e.from) && index.has(e.to))
      .map((e) => {
        const [x1, x2] = [x(e.from), x(e.to)];
        const span = Math.abs(index.get(e.to)! - index.get(e.from)!);
        const rise = Math.min(maxRise, 18 + span * 14);
        const mid = (x1 + x2) / 2;
        return {
          from: e.from,
          to: e.to,
          d: `M ${x1} ${BASELINE} Q ${mid} ${BASELINE - 2 * rise} ${x2} ${BASELINE}`,
          conditional: (e.risks?.length ?? 0) > 0,
          risks: e.risks ?? [],
          onPath: pathSteps.has(`${e.from}>${e.to}`),
        };
      }),
    // Monospace labels at 13px take about 8px a character.
    slantLabels: n > 1 && step < 8 + 8 * Math.max(...view.releases.map((r) => r.version.length)),
  };
}
