import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ReleaseEntry } from '../../shared/update-graph';
import { ferry } from '../support/cli';
import { createPki, type TestPki } from '../support/pki';
import { tempDir } from '../support/tmp';

/**
 * `ferry release list` against an update service served over TLS by this test (certificate from a throwaway
 * CA), answering with the graph recorded in test/fixtures/update-graph, or with broken answers.
 */
interface Seen {
  path: string;
  channel: string | null;
  arch: string | null;
  accept: string | undefined;
}

describe('ferry release list against a TLS update service', () => {
  const tmp = tempDir('update-graph');
  let pki: TestPki;
  let server: Server;
  let base: string;
  let closedPort: number;
  const seen: Seen[] = [];

  before(async () => {
    pki = await createPki(tmp.path);
    const graph = await readFile(new URL('../fixtures/update-graph/candidate-4.15-amd64.json', import.meta.url));
    const answers: Record<string, [number, string | Buffer]> = {
      '/api/upgrades_info/v1/graph': [200, graph],
      '/malformed/graph': [200, '{"nodes": [ {"version": "4.15.3", "payload": "x"} ,, ]}'],
      '/html/graph': [200, '<html><body>Proxy login</body></html>'],
      '/empty/graph': [200, '{"nodes": [], "edges": []}'],
      '/error/graph': [400, '{"kind": "invalid_params", "value": "mandatory client parameters missing: channel"}'],
    };
    server = createServer({ cert: await readFile(pki.server.certPath), key: await readFile(pki.server.keyPath) }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      seen.push({ path: url.pathname, channel: url.searchParams.get('channel'), arch: url.searchParams.get('arch'), accept: req.headers.accept });
      const [status, body] = answers[url.pathname] ?? [404, 'not found'];
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A port nobody listens on: bind one, note it, close it.
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await tmp.cleanup();
  });

  const list = (path: string, extra: string[] = []) =>
    ferry(['release', 'list', '--channel', 'candidate-4.15', '--graph-url', `${base}${path}`, '--ca-file', pki.ca.certPath, ...extra]);

  it('lists releases newest first with payloads and update sources, asking with channel, arch and Accept: application/json', async () => {
    const before = seen.length;
    const r = await list('/api/upgrades_info/v1/graph', ['--arch', 'x86_64', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { channel: string; arch: string; releases: ReleaseEntry[] };
    assert.equal(out.arch, 'amd64');
    assert.deepEqual(out.releases.map((x) => x.version), ['4.15.11', '4.15.10', '4.15.5', '4.15.4', '4.15.3', '4.15.2', '4.15.1', '4.15.0', '4.15.0-rc.1', '4.14.15', '4.14.12', '4.14.10']);
    assert.deepEqual(out.releases[1]!.updatesFrom, ['4.15.5', '4.15.4', '4.15.3', '4.14.15']);
    const graph = JSON.parse(await readFile(new URL('../fixtures/update-graph/candidate-4.15-amd64.json', import.meta.url), 'utf8')) as { nodes: Array<{ version: string; payload: string }> };
    for (const rel of out.releases) assert.equal(rel.payload, graph.nodes.find((n) => n.version === rel.version)!.payload);
    assert.deepEqual(seen.slice(before), [{ path: '/api/upgrades_info/v1/graph', channel: 'candidate-4.15', arch: 'amd64', accept: 'application/json' }]);
  });

  it('prints a readable list with the update edges', async () => {
    const r = await list('/api/upgrades_info/v1/graph', ['--arch', 'arm64']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(seen.at(-1)?.arch, 'arm64');
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], '12 release(s) in candidate-4.15 for arm64, newest first:');
    assert.match(lines[1]!, /^ {2}4\.15\.11 +quay\.io\/openshift-release-dev\/ocp-release@sha256:[a-f0-9]{64}$/);
    assert.match(lines[2]!, /^ +updates from: 4\.15\.10, 4\.15\.5$/);
  });

  it('shows conditional updates, marked, with their risks (JSON and text)', async () => {
    const json = await list('/api/upgrades_info/v1/graph', ['--json']);
    assert.equal(json.code, 0, json.stderr);
    const byVersion = new Map((JSON.parse(json.stdout) as { releases: ReleaseEntry[] }).releases.map((r) => [r.version, r]));
    assert.equal(byVersion.get('4.15.5')!.conditionalOnly, true);
    assert.deepEqual(byVersion.get('4.15.5')!.conditionalFrom.map((c) => c.version), ['4.15.4', '4.15.3']);
    assert.deepEqual(byVersion.get('4.15.10')!.conditionalFrom, [
      { version: '4.14.12', risks: ['OVNEgressFirewallDNSStale'] },
      { version: '4.14.10', risks: ['OVNEgressFirewallDNSStale'] },
    ]);
    assert.deepEqual(byVersion.get('4.15.11')!.risks.map((r) => r.url), ['https://issues.redhat.com/browse/OCPBUGS-32710']);

    const text = await list('/api/upgrades_info/v1/graph');
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split('\n');
    const at = (v: string) => lines.findIndex((l) => l.startsWith(`  ${v} `));
    assert.match(lines[at('4.15.5')]!, /@sha256:[a-f0-9]{64} {2}\[conditional only: AzureDefaultVMTypeChange, ImageRegistryPodsCrashLoop\]$/);
    assert.match(lines[at('4.15.5') + 1]!, /^ +conditional updates from: 4\.15\.4, 4\.15\.3 \(risks: AzureDefaultVMTypeChange, ImageRegistryPodsCrashLoop\)$/);
    assert.doesNotMatch(lines[at('4.15.10')]!, /conditional/);
    assert.match(lines[at('4.15.10') + 1]!, /^ +updates from: 4\.15\.5, 4\.15\.4, 4\.15\.3, 4\.14\.15$/);
    assert.match(lines[at('4.15.10') + 2]!, /^ +conditional updates from: 4\.14\.12, 4\.14\.10 \(risks: OVNEgressFirewallDNSStale\)$/);
    const risks = lines.slice(lines.indexOf('Known risks of the conditional updates (a cluster checks whether each applies to it):') + 1);
    assert.deepEqual(
      risks.map((l) => l.split(':')[0]!.trim()),
      ['MultipleDefaultStorageClasses', 'OVNEgressFirewallDNSStale', 'AzureDefaultVMTypeChange', 'ImageRegistryPodsCrashLoop'],
    );
    assert.match(risks[0]!, /Degraded=True .*\(https:\/\/issues\.redhat\.com\/browse\/OCPBUGS-32710\)$/);
  });

  it('lists the updates from one version with --from, conditional targets marked with their risks', async () => {
    const text = await list('/api/upgrades_info/v1/graph', ['--from', '4.15.3']);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split('\n');
    assert.equal(lines[0], '3 update(s) from 4.15.3 in candidate-4.15 for amd64, newest first:');
    assert.match(lines[1]!, /^ {2}4\.15\.10 +quay\.io\/openshift-release-dev\/ocp-release@sha256:[a-f0-9]{64}$/);
    assert.match(lines[2]!, /^ {2}4\.15\.5 +quay\.io\/\S+ {2}\[conditional: AzureDefaultVMTypeChange, ImageRegistryPodsCrashLoop\]$/);
    assert.match(lines[3]!, /^ {2}4\.15\.4 +quay\.io\/\S+$/);
    assert.match(lines[6]!, /^ {2}AzureDefaultVMTypeChange: On Azure, /);
    const json = await list('/api/upgrades_info/v1/graph', ['--from', '4.14.12', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const out = JSON.parse(json.stdout) as { from: string; updates: Array<{ version: string; conditional: boolean; risks: Array<{ name: string; message: string; url: string }> }> };
    assert.equal(out.from, '4.14.12');
    assert.deepEqual(out.updates.map((u) => [u.version, u.conditional]), [['4.15.10', true], ['4.15.3', false]]);
    assert.equal(out.updates[0]!.risks[0]!.name, 'OVNEgressFirewallDNSStale');
    const unknown = await list('/api/upgrades_info/v1/graph', ['--from', '4.99.0']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /4\.99\.0 is not in this update graph/);
  });

  it('prints the update path between two versions: the range, or the shortest path with conditional steps marked', async () => {
    const path = (extra: string[]) =>
      ferry(['release', 'path', '--channel', 'candidate-4.15', '--graph-url', `${base}/api/upgrades_info/v1/graph`, '--ca-file', pki.ca.certPath, ...extra]);
    const shortest = await path(['--from', '4.15.3', '--to', '4.15.11', '--shortest-path', '--json']);
    assert.equal(shortest.code, 0, shortest.stderr);
    const out = JSON.parse(shortest.stdout) as { mode: string; releases: Array<{ version: string; payload: string }> };
    assert.equal(out.mode, 'shortest');
    assert.deepEqual(out.releases.map((r) => r.version), ['4.15.3', '4.15.10', '4.15.11']);
    const range = await path(['--from', '4.15.3', '--to', '4.15.5']);
    assert.equal(range.code, 0, range.stderr);
    const lines = range.stdout.trimEnd().split('\n');
    assert.equal(lines[0], '3 release(s) from 4.15.3 to 4.15.5 in candidate-4.15 for amd64');
    assert.ok(lines.includes('  4.15.3 -> 4.15.5  [conditional: AzureDefaultVMTypeChange, ImageRegistryPodsCrashLoop]'), range.stdout);
    assert.ok(lines.includes('  4.15.3 -> 4.15.4'), range.stdout);
    assert.ok(lines.some((l) => l.startsWith('  AzureDefaultVMTypeChange: On Azure, ')), range.stdout);
    const unknown = await path(['--from', '4.15.3', '--to', '4.99.0']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /4\.99\.0 is not in candidate-4\.15/);
  });

  it('fails with TLS_UNTRUSTED (exit 1) and a --ca-file hint when the CA is not given', async () => {
    const r = await ferry(['release', 'list', '--channel', 'candidate-4.15', '--graph-url', `${base}/api/upgrades_info/v1/graph`, '--json']);
    assert.equal(r.code, 1);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string; hint: string } };
    assert.equal(error.code, 'TLS_UNTRUSTED');
    assert.match(error.message, /update service 127\.0\.0\.1:\d+ is not trusted/);
    assert.match(error.hint, /--ca-file/);
  });

  it('fails with BAD_RESPONSE (exit 1) on malformed JSON, naming line and column, and on a non-JSON page', async () => {
    const bad = await list('/malformed/graph');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /is not valid JSON at line 1, column \d+/);
    const html = await list('/html/graph', ['--json']);
    assert.equal(html.code, 1);
    assert.equal((JSON.parse(html.stdout) as { error: { code: string } }).error.code, 'BAD_RESPONSE');
  });

  it('reports an HTTP error with the service reason, and an empty channel as NOT_FOUND', async () => {
    const err = await list('/error/graph');
    assert.equal(err.code, 1);
    assert.match(err.stderr, /answered HTTP 400 for channel candidate-4\.15: mandatory client parameters missing: channel/);
    const empty = await list('/empty/graph', ['--json']);
    assert.equal(empty.code, 1);
    assert.equal((JSON.parse(empty.stdout) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });

  it('says UNREACHABLE with a hint to give a pullspec when the service cannot be reached', async () => {
    const r = await ferry(['release', 'list', '--channel', 'stable-4.15', '--graph-url', `https://127.0.0.1:${closedPort}/graph`, '--json']);
    assert.equal(r.code, 1);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; hint: string } };
    assert.equal(error.code, 'UNREACHABLE');
    assert.match(error.hint, /pullspec/);
  });

  it('refuses a bad channel as usage (exit 2) without asking the service', async () => {
    const before = seen.length;
    const r = await ferry(['release', 'list', '--channel', 'stable', '--graph-url', `${base}/api/upgrades_info/v1/graph`, '--ca-file', pki.ca.certPath]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /"stable" is not an update channel name/);
    assert.equal(seen.length, before, 'the service was not asked');
  });
});
