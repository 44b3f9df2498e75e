import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { checkChannel, compareVersions, graphArchitecture, graphQueryUrl, listReleases, parseUpdateGraph, updateTargets } from '../../../shared/update-graph';

const fixture = readFileSync(new URL('../../fixtures/update-graph/candidate-4.15-amd64.json', import.meta.url), 'utf8');

describe('update graph (pure)', () => {
  it('orders versions by SemVer, pre-releases numerically and before their release', () => {
    const shuffled = ['4.15.10', '4.15.0', '4.15.0-rc.10', '4.14.15', '4.15.2', '4.15.0-rc.2', '4.15.0-ec.3', '4.15.0-rc.2+build.5', '4.16.0-ec.1', '4.9.60'];
    const sorted = [...shuffled].sort(compareVersions);
    assert.deepEqual(sorted, ['4.9.60', '4.14.15', '4.15.0-ec.3', '4.15.0-rc.2', '4.15.0-rc.2+build.5', '4.15.0-rc.10', '4.15.0', '4.15.2', '4.15.10', '4.16.0-ec.1']);
    assert.ok(compareVersions('1.0.0-alpha', '1.0.0-alpha.1') < 0);
    assert.ok(compareVersions('1.0.0-alpha.beta', '1.0.0-alpha.1') > 0);
    assert.equal(compareVersions('4.15.3', '4.15.3'), 0);
  });

  it('lists the recorded graph newest first with payloads, channels and where each can be updated from', () => {
    const releases = listReleases(parseUpdateGraph(fixture, 'fixture'));
    assert.deepEqual(releases.map((r) => r.version), ['4.15.11', '4.15.10', '4.15.5', '4.15.4', '4.15.3', '4.15.2', '4.15.1', '4.15.0', '4.15.0-rc.1', '4.14.15', '4.14.12', '4.14.10']);
    const byVersion = new Map(releases.map((r) => [r.version, r]));
    assert.deepEqual(byVersion.get('4.15.10')!.updatesFrom, ['4.15.5', '4.15.4', '4.15.3', '4.14.15']);
    assert.deepEqual(byVersion.get('4.15.3')!.updatesFrom, ['4.15.2', '4.15.1', '4.15.0', '4.14.12']);
    assert.deepEqual(byVersion.get('4.15.0')!.updatesFrom, ['4.15.0-rc.1', '4.14.10']);
    assert.deepEqual(byVersion.get('4.14.10')!.updatesFrom, []);
    const rc = byVersion.get('4.15.0-rc.1')!;
    assert.deepEqual(rc.channels, ['candidate-4.15']);
    assert.equal(rc.url, undefined);
    assert.match(rc.payload, /^quay\.io\/openshift-release-dev\/ocp-release@sha256:[a-f0-9]{64}$/);
    assert.equal(byVersion.get('4.15.3')!.url, 'https://access.redhat.com/errata/RHSA-2024:1255');
  });

  it('reads conditionalEdges (the CVO shape): conditional sources with their risks, and versions reached only conditionally', () => {
    const byVersion = new Map(listReleases(parseUpdateGraph(fixture, 'fixture')).map((r) => [r.version, r]));
    const onlyConditional = byVersion.get('4.15.5')!;
    assert.equal(onlyConditional.conditionalOnly, true);
    assert.deepEqual(onlyConditional.updatesFrom, []);
    const both = ['AzureDefaultVMTypeChange', 'ImageRegistryPodsCrashLoop'];
    assert.deepEqual(onlyConditional.conditionalFrom, [
      { version: '4.15.4', risks: both },
      { version: '4.15.3', risks: both },
    ]);
    assert.deepEqual(onlyConditional.risks.map((r) => r.name), both);
    assert.equal(onlyConditional.risks[0]!.url, 'https://issues.redhat.com/browse/OCPBUGS-31002');
    assert.match(onlyConditional.risks[0]!.message, /^On Azure, machines created from MachineSets/);
    const mixed = byVersion.get('4.15.10')!;
    assert.equal(mixed.conditionalOnly, false);
    assert.deepEqual(mixed.updatesFrom, ['4.15.5', '4.15.4', '4.15.3', '4.14.15']);
    assert.deepEqual(mixed.conditionalFrom, [
      { version: '4.14.12', risks: ['OVNEgressFirewallDNSStale'] },
      { version: '4.14.10', risks: ['OVNEgressFirewallDNSStale'] },
    ]);
    assert.deepEqual(byVersion.get('4.15.11')!.conditionalFrom, [{ version: '4.14.15', risks: ['MultipleDefaultStorageClasses'] }]);
    assert.deepEqual(byVersion.get('4.15.4')!.conditionalFrom, []);
    assert.deepEqual(byVersion.get('4.15.4')!.risks, []);
  });

  it('lists the updates from one version, conditional targets marked with the risks of that update', () => {
    const releases = listReleases(parseUpdateGraph(fixture, 'fixture'));
    assert.deepEqual(
      updateTargets(releases, '4.15.3').map((u) => [u.version, u.conditional, u.risks.map((r) => r.name)]),
      [
        ['4.15.10', false, []],
        ['4.15.5', true, ['AzureDefaultVMTypeChange', 'ImageRegistryPodsCrashLoop']],
        ['4.15.4', false, []],
      ],
    );
    assert.deepEqual(
      updateTargets(releases, '4.14.12').map((u) => [u.version, u.conditional, u.risks.map((r) => r.name)]),
      [
        ['4.15.10', true, ['OVNEgressFirewallDNSStale']],
        ['4.15.3', false, []],
      ],
    );
    assert.deepEqual(updateTargets(releases, '4.15.11'), []);
    assert.throws(() => updateTargets(releases, '4.99.0'), (e: unknown) => e instanceof FerryError && e.code === 'NOT_FOUND' && /4\.99\.0 is not in this update graph/.test(e.message));
  });

  it('treats an update listed both ways as conditional, merges groups, and skips edges naming unknown versions', () => {
    const risk = (name: string) => ({ url: `https://issues.example/${name}`, name, message: `${name} happens`, matchingRules: [{ type: 'Always' }] });
    const graph = {
      nodes: [
        { version: '4.15.1', payload: 'p1' },
        { version: '4.15.2', payload: 'p2' },
        { version: '4.15.3', payload: 'p3' },
      ],
      edges: [
        [0, 2],
        [1, 2],
      ],
      conditionalEdges: [
        { edges: [{ from: '4.15.1', to: '4.15.3' }, { from: '4.14.99', to: '4.15.3' }, { from: '4.15.1', to: '4.16.0' }], risks: [risk('A')] },
        { edges: [{ from: '4.15.1', to: '4.15.3' }], risks: [risk('B'), risk('A')] },
      ],
    };
    const r = listReleases(parseUpdateGraph(JSON.stringify(graph), 'svc')).find((x) => x.version === '4.15.3')!;
    assert.deepEqual(r.updatesFrom, ['4.15.2']);
    assert.deepEqual(r.conditionalFrom, [{ version: '4.15.1', risks: ['A', 'B'] }]);
    assert.equal(r.conditionalOnly, false);
    // A service without conditional updates leaves the key out, or (Go's nil slice) sends null.
    const plainGraph = { nodes: graph.nodes, edges: graph.edges };
    for (const doc of [plainGraph, { ...plainGraph, conditionalEdges: null }]) {
      const plain = listReleases(parseUpdateGraph(JSON.stringify(doc), 'svc'));
      assert.ok(plain.every((x) => x.conditionalFrom.length === 0 && !x.conditionalOnly && x.risks.length === 0));
    }
    assert.throws(
      () => parseUpdateGraph(JSON.stringify({ ...graph, conditionalEdges: [{ edges: [{ from: '4.15.1', to: '4.15.3' }], risks: [{ url: 'u', message: 'm' }] }] }), 'svc'),
      (e: unknown) => e instanceof FerryError && e.code === 'BAD_RESPONSE' && /conditionalEdges\.0\.risks\.0\.name/.test(e.message),
    );
  });

  it('refuses malformed JSON with line and column, and graphs that break the schema by path', () => {
    assert.throws(
      () => parseUpdateGraph('{\n  "nodes": [\n    {"version": "4.15.3",,}\n  ]\n}', 'https://x/graph'),
      (e: unknown) => e instanceof FerryError && e.code === 'BAD_RESPONSE' && /https:\/\/x\/graph is not valid JSON at line 3, column \d+/.test(e.message) && e.exitCode === 1,
    );
    const cases: Array<[unknown, RegExp]> = [
      [{ nodes: [{ version: 'four', payload: 'p' }] }, /nodes\.0\.version: expected a semantic version/],
      [{ nodes: [{ version: '4.15.3' }] }, /nodes\.0\.payload/],
      [{ nodes: [{ version: '4.15.3', payload: 'p' }], edges: [[0, 1]] }, /edges\.0\.1: node 1 does not exist/],
      [{ nodes: [{ version: '4.15.3', payload: 'p' }], edges: [[0]] }, /edges\.0/],
      [[], /\(top level\)/],
    ];
    for (const [doc, message] of cases) {
      assert.throws(() => parseUpdateGraph(JSON.stringify(doc), 'svc'), (e: unknown) => e instanceof FerryError && e.code === 'BAD_RESPONSE' && message.test(e.message), JSON.stringify(doc));
    }
  });

  it('builds the query with channel and arch, normalising x86_64/aarch64 and keeping other parameters', () => {
    const url = new URL(graphQueryUrl('https://osus.local:8443/api/upgrades_info/v1/graph?id=abc', 'stable-4.15', 'x86_64'));
    assert.equal(url.searchParams.get('channel'), 'stable-4.15');
    assert.equal(url.searchParams.get('arch'), 'amd64');
    assert.equal(url.searchParams.get('id'), 'abc');
    assert.equal(graphArchitecture('aarch64'), 'arm64');
    assert.equal(graphArchitecture('multi'), 'multi');
    assert.throws(() => graphArchitecture('amd64; rm'), (e: unknown) => e instanceof FerryError && e.code === 'USAGE');
    for (const bad of ['stable', '4.15', 'Stable-4.15', 'stable-4.15&arch=x']) assert.throws(() => checkChannel(bad), (e: unknown) => e instanceof FerryError && e.exitCode === 2, bad);
    assert.equal(checkChannel('eus-4.14'), 'eus-4.14');
    assert.throws(() => graphQueryUrl('ftp://x/graph', 'stable-4.15', 'amd64'), /not an http\(s\) URL/);
    assert.throws(() => graphQueryUrl('not a url', 'stable-4.15', 'amd64'), /is not a URL/);
  });
});
