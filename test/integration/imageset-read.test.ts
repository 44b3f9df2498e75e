import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FerryError } from '../../shared/errors';
import { readImageSet } from '../../electron/host/handlers/imageset';
import { NO_ENGINE_DEFAULTS, type EngineDefaults } from '../../electron/jobs/engine-options';
import { listenOnLoopback } from '../support/loopback';

/**
 * The app's imageset.read (the export journey's import) against an update service answering with the graph
 * recorded in test/fixtures/update-graph: the CLI's reader and channel resolution, and what it does when the
 * graph is out of reach (fills the rest, says why) or lacks the channel (refuses, as the CLI does).
 */
describe('imageset.read: an ImageSetConfiguration for the export journey', () => {
  let server: Server;
  let online: EngineDefaults;
  let offline: EngineDefaults;

  before(async () => {
    const graph = await readFile(new URL('../fixtures/update-graph/candidate-4.15-amd64.json', import.meta.url));
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      // As api.openshift.com answers for a channel it does not know: an empty graph.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(url.searchParams.get('channel') === 'candidate-4.15' ? graph : '{"version":1,"nodes":[],"edges":[],"conditionalEdges":[]}');
    });
    online = { ...NO_ENGINE_DEFAULTS, graphUrl: `http://${await listenOnLoopback(server)}/api/upgrades_info/v1/graph` };
    // A port nobody listens on: bind one, note it, close it.
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    offline = { ...NO_ENGINE_DEFAULTS, graphUrl: `http://127.0.0.1:${(probe.address() as AddressInfo).port}/api/upgrades_info/v1/graph` };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  const file = (channel: string) => `kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
mirror:
  platform:
    channels:
      - name: ${channel}
        minVersion: 4.15.3
        maxVersion: 4.15.11
        shortestPath: true
  additionalImages:
    - name: registry.example:5000/tools/debug:1.0
`;

  it('resolves the channel on the update graph as ferry mirror --config does', async () => {
    const got = await readImageSet(online, { name: 'imageset.yaml', text: file('candidate-4.15') });
    assert.deepEqual(
      got.releases.map((r) => [r.channel, r.arch, r.version]),
      [
        ['candidate-4.15', 'amd64', '4.15.3'],
        ['candidate-4.15', 'amd64', '4.15.10'],
        ['candidate-4.15', 'amd64', '4.15.11'],
      ],
    );
    assert.match(got.releases[2]!.payload, /^quay\.io\/openshift-release-dev\/ocp-release@sha256:[0-9a-f]{64}$/);
    assert.deepEqual(got.images, ['registry.example:5000/tools/debug:1.0']);
    assert.equal(got.graphError, undefined);
  });

  it('with the graph out of reach, fills in the rest and says why the release is not', async () => {
    const got = await readImageSet(offline, { name: 'imageset.yaml', text: file('candidate-4.15') });
    assert.deepEqual(got.releases, []);
    assert.deepEqual(got.images, ['registry.example:5000/tools/debug:1.0']);
    assert.match(got.graphError ?? '', /127\.0\.0\.1/);
  });

  it('refuses a channel the graph does not have, and a field Ferry does not carry with its line', async () => {
    await assert.rejects(readImageSet(online, { name: 'imageset.yaml', text: file('stable-9.99') }), (e: unknown) => e instanceof FerryError && e.code === 'NOT_FOUND' && /stable-9\.99/.test(e.message));
    await assert.rejects(
      readImageSet(online, { name: 'mine.yaml', text: `${file('candidate-4.15')}  samples:\n    - name: x\n` }),
      (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && e.message.startsWith('mine.yaml:12:3: mirror.samples:'),
    );
  });
});
