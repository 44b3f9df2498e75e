import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseUpdateGraph } from '../../../shared/update-graph';
import { updatePathView } from '../../../shared/update-path';
import { layoutUpdatePath, type UpdatePathView } from '../../../renderer/src/update-path-layout';

const graph = parseUpdateGraph(readFileSync(new URL('../../fixtures/update-graph/candidate-4.15-amd64.json', import.meta.url), 'utf8'), 'fixture');

/** What the release.path handler answers for the recorded graph. */
const view = (from: string, to: string): UpdatePathView => updatePathView(graph, { channel: 'candidate-4.15', arch: 'amd64', from, to });

describe('update path picture layout', () => {
  it('places releases oldest first, marks the shortest path and dashes conditional updates', () => {
    const layout = layoutUpdatePath(view('4.15.3', '4.15.11'));
    assert.deepEqual(layout.nodes.map((n) => n.version), ['4.15.3', '4.15.4', '4.15.5', '4.15.10', '4.15.11']);
    assert.ok(layout.nodes.every((n, i) => i === 0 || n.x > layout.nodes[i - 1]!.x));
    assert.deepEqual(layout.nodes.filter((n) => n.onPath).map((n) => n.version), ['4.15.3', '4.15.10', '4.15.11']);
    assert.deepEqual(layout.edges.filter((e) => e.onPath).map((e) => `${e.from}>${e.to}`), ['4.15.3>4.15.10', '4.15.10>4.15.11']);
    assert.deepEqual(layout.edges.filter((e) => e.conditional).map((e) => `${e.from}>${e.to}`), ['4.15.3>4.15.5', '4.15.4>4.15.5']);
    assert.equal(layout.slantLabels, false);
  });

  it('raises longer jumps higher so a short update is never hidden under a long one', () => {
    const layout = layoutUpdatePath(view('4.15.3', '4.15.11'));
    const peak = (e: { d: string }) => Number(e.d.split(' ')[5]);
    const short = layout.edges.find((e) => e.from === '4.15.3' && e.to === '4.15.4')!;
    const long = layout.edges.find((e) => e.from === '4.15.3' && e.to === '4.15.10')!;
    assert.ok(peak(long) < peak(short), 'the jump over three releases peaks above the step to the next one');
  });

  it('turns the labels when many releases share the width', () => {
    assert.equal(layoutUpdatePath(view('4.14.10', '4.15.11')).slantLabels, true);
  });
});
