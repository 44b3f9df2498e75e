import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { checkChannel, compareVersions, graphArchitecture, graphQueryUrl, listReleases, parseUpdateGraph } from '../../../shared/update-graph';

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
