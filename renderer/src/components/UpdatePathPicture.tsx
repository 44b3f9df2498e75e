import { useId } from 'react';
import { BASELINE, layoutUpdatePath, PATH_WIDTH, type UpdatePathView } from '../update-path-layout';

/**
 * The releases between a cluster's version and the chosen one with the updates among them; the shortest
 * path a cluster takes drawn bold, conditional updates dashed with their risks in the tooltip. The list
 * under the picture says the same in words.
 */
export function UpdatePathPicture({ view }: { view: UpdatePathView }) {
  const id = useId();
  const layout = layoutUpdatePath(view);
  const height = BASELINE + (layout.slantLabels ? 70 : 40);
  const steps = view.path.slice(1).map((to, i) => view.edges.find((e) => e.from === view.path[i] && e.to === to));
  const summary = `A cluster at ${view.from} reaches ${view.to} in ${Math.max(view.path.length - 1, 0)} update(s): ${view.path.join(' → ')}.`;
  return (
    <figure className="picture">
      <svg viewBox={`0 0 ${PATH_WIDTH} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`} className="picture-svg" data-testid="update-path-picture">
        <title id={`${id}-t`}>{`Update path from ${view.from} to ${view.to} in ${view.channel}`}</title>
        <desc id={`${id}-d`}>{`${summary} ${view.releases.length} release(s) of the channel lie between them; the other arcs are updates off the path.`}</desc>
        {layout.edges.map((e) => (
          <path key={`${e.from}>${e.to}`} d={e.d} className={`path-edge${e.onPath ? ' path-edge-on' : ''}${e.conditional ? ' path-edge-conditional' : ''}`} data-edge={`${e.from}>${e.to}`}>
            <title>{`${e.from} → ${e.to}${e.conditional ? ` (conditional: ${e.risks.join(', ')})` : ''}`}</title>
          </path>
        ))}
        {layout.nodes.map((node) => (
          <g key={node.version} data-release={node.version} data-on-path={node.onPath || undefined}>
            <circle cx={node.x} cy={BASELINE} r={node.onPath ? 7 : 5} className={node.onPath ? 'path-node-on' : 'path-node'} />
            <text
              x={node.x}
              y={BASELINE + 22}
              textAnchor={layout.slantLabels ? 'end' : 'middle'}
              transform={layout.slantLabels ? `rotate(-40 ${node.x} ${BASELINE + 22})` : undefined}
              className="mono"
            >
              {node.version}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>
        <p>{summary}</p>
        <p className="muted">Bold: the shortest path. Dashed: conditional updates (known risks). Thin: other updates between these releases.</p>
        {steps.some((e) => e?.risks?.length) ? (
          <ul>
            {steps
              .filter((e) => e?.risks?.length)
              .map((e) => (
                <li key={`${e!.from}>${e!.to}`}>
                  {e!.from} → {e!.to} is a conditional update (risks: {e!.risks!.join(', ')}); the cluster takes it only after its admin accepts them.
                </li>
              ))}
          </ul>
        ) : null}
      </figcaption>
    </figure>
  );
}
