import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { parseUpdateGraph } from '../../../shared/update-graph';
import { updatePath } from '../../../shared/update-path';

// The graph recorded from api.openshift.com's shape (candidate-4.15, amd64), conditional edges included.
const graph = parseUpdateGraph(readFileSync(new URL('../../fixtures/update-graph/candidate-4.15-amd64.json', import.meta.url), 'utf8'), 'fixture');
const channel = 'candidate-4.15';
const versions = (p: { releases: Array<{ version: string }> }) => p.releases.map((r) => r.version);
const steps = (p: { edges: Array<{ from: string; to: string; risks?: unknown[] }> }) => p.edges.map((e) => `${e.from}>${e.to}${e.risks ? '?' : ''}`);

describe('update path (oc-mirror platform channel semantics)', () => {
  it('shortest path: breadth-first over recommended edges, newest target first, as oc-mirror core-cincinnati.go', () => {
    const p = updatePath(graph, '4.15.3', '4.15.11', { shortestPath: true, channel });
    assert.deepEqual(versions(p), ['4.15.3', '4.15.10', '4.15.11']);
    assert.deepEqual(steps(p), ['4.15.3>4.15.10', '4.15.10>4.15.11']);
    assert.ok(p.releases.every((r) => /@sha256:[a-f0-9]{64}$/.test(r.payload)));
    // A conditional shortcut (4.14.10 -> 4.15.10) is not taken while a recommended path exists.
    assert.deepEqual(versions(updatePath(graph, '4.14.10', '4.15.11', { shortestPath: true, channel })), ['4.14.10', '4.15.0', '4.15.3', '4.15.10', '4.15.11']);
  });

  it('falls back to a conditional edge only when no recommended path exists, naming its risks', () => {
    const p = updatePath(graph, '4.15.4', '4.15.5', { shortestPath: true, channel });
    assert.deepEqual(steps(p), ['4.15.4>4.15.5?']);
    assert.deepEqual(p.edges[0]!.risks!.map((r) => r.name), ['AzureDefaultVMTypeChange', 'ImageRegistryPodsCrashLoop']);
  });

  it('range: every release between the two versions inclusive, with the edges among them', () => {
    const p = updatePath(graph, '4.15.3', '4.15.11', { shortestPath: false, channel });
    assert.equal(p.mode, 'range');
    assert.deepEqual(versions(p), ['4.15.3', '4.15.4', '4.15.5', '4.15.10', '4.15.11']);
    assert.deepEqual(steps(p), ['4.15.3>4.15.4', '4.15.3>4.15.5?', '4.15.3>4.15.10', '4.15.4>4.15.5?', '4.15.4>4.15.10', '4.15.5>4.15.10', '4.15.5>4.15.11', '4.15.10>4.15.11']);
  });

  it('a path from a version to itself is that release alone', () => {
    for (const shortestPath of [true, false]) assert.deepEqual(versions(updatePath(graph, '4.15.10', '4.15.10', { shortestPath, channel })), ['4.15.10']);
  });

  it('refuses unknown versions, a reversed range and an unreachable target', () => {
    const code = (f: () => unknown, c: string, re: RegExp) =>
      assert.throws(f, (e: unknown) => e instanceof FerryError && e.code === c && re.test(e.message));
    code(() => updatePath(graph, '4.15.99', '4.15.11', { shortestPath: true, channel }), 'NOT_FOUND', /4\.15\.99 is not in candidate-4\.15/);
    code(() => updatePath(graph, '4.15.11', '4.15.3', { shortestPath: false, channel }), 'USAGE', /newer than --to/);
    code(() => updatePath(graph, '4.15.10', '4.15.5', { shortestPath: true, channel }), 'USAGE', /newer/);
    code(() => updatePath(graph, '4.15.4', '4.15.5-nope', { shortestPath: true, channel }), 'NOT_FOUND', /not in/);
    code(() => updatePath(graph, '4.15.0-rc.1', '4.15.2', { shortestPath: true, channel }), 'NOT_FOUND', /No update path leads from 4\.15\.0-rc\.1 to 4\.15\.2/);
  });
});
