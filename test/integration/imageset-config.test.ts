import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TransferManifest } from '../../shared/transfer/manifest';
import { ferry, worldFlags } from '../support/cli';
import { listenOnLoopback } from '../support/loopback';
import { pushRelease, type FixtureRelease } from '../support/release';
import { tempDir } from '../support/tmp';
import { startTestWorld, type TestWorld } from '../support/world';

/**
 * Issue 19 point 1: `ferry mirror --config imageset.yaml` reads an oc-mirror v2 ImageSetConfiguration (fields as in
 * oc-mirror's internal/pkg/api/v2alpha1) against an update service whose graph is shaped as api.openshift.com
 * answers (Cincinnati `nodes`/`edges`, payloads by digest), and the releases of the test source behind
 * --source-mirror, as a connected laptop sees quay.io.
 */
describe('ferry mirror --config: an oc-mirror ImageSetConfiguration as it is kept in git', () => {
  let world: TestWorld;
  let rel: FixtureRelease;
  let graph: Server;
  let graphUrl: string;
  const work = tempDir('ferry-imageset-');
  let flags: string[];
  const file = (name: string, text: string) => writeFile(join(work.path, name), text).then(() => join(work.path, name));
  const extra = () => `${world.source.host}/openshift-release-dev/ocp-v4.0-art-dev:c-etcd-4.15.4`;
  const config = (channel: string, more = '') => `kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
archiveSize: 1
mirror:
  platform:
    channels:
    - name: stable-4.15
${channel}  additionalImages:
  - name: ${extra()}
  - name: ${world.source.host}/openshift-release-dev/ocp-v4.0-art-dev:c-console-4.15.4
  blockedImages:
  - name: "/ocp-v4\\\\.0-art-dev:c-console-"
${more}`;

  before(async () => {
    world = await startTestWorld();
    rel = await pushRelease(world, '4.15.4');
    const body = JSON.stringify({
      nodes: [
        { version: '4.15.3', payload: `quay.io/openshift-release-dev/ocp-release@sha256:${'3'.repeat(64)}`, metadata: { 'io.openshift.upgrades.graph.release.channels': 'stable-4.15' } },
        { version: '4.15.4', payload: rel.quayPullspec, metadata: { 'io.openshift.upgrades.graph.release.channels': 'stable-4.15' } },
      ],
      edges: [[0, 1]],
      conditionalEdges: [],
    });
    graph = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const ok = url.searchParams.get('channel') === 'stable-4.15' && url.searchParams.get('arch') === 'amd64';
      res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
      res.end(ok ? body : '{}');
    });
    graphUrl = `http://${await listenOnLoopback(graph)}/api/upgrades_info/v1/graph`;
    flags = [...worldFlags(world), '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`, '--graph-url', graphUrl, '--no-release-signatures'];
  });
  after(async () => {
    await new Promise<void>((resolve) => (graph ? graph.close(() => resolve()) : resolve()));
    await world?.stop();
    await work.cleanup();
  });

  it('heads only: the channel head and the additional images less the blocked one, the configuration recorded in transfer.json', async () => {
    const path = await file('heads.yaml', config(''));
    const dir = join(work.path, 'heads');
    const r = await ferry(['mirror', '--config', path, '--to-dir', dir, ...flags]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
    assert.equal(m.release?.version, '4.15.4');
    assert.equal(m.release?.digest, rel.digest);
    assert.deepEqual(m.requested.images, [extra()], 'the blocked image is not asked for');
    assert.equal(m.requested.imageSet?.digest, `sha256:${createHash('sha256').update(await readFile(path)).digest('hex')}`);
    assert.deepEqual(m.requested.imageSet?.config.blockedImages, ['/ocp-v4\\.0-art-dev:c-console-']);
    // archiveSize: 1 (GiB) is the volume size.
    assert.equal(m.volumeSize, 1024 ** 3);
    const v = await ferry(['verify', '--dir', dir]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  it('refuses an unsupported field with its line, and flags that would add to the file', async () => {
    const path = await file('helm.yaml', config('', '  helm:\n    repositories: []\n'));
    const r = await ferry(['mirror', '--config', path, '--to-dir', join(work.path, 'helm'), ...flags]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /helm\.yaml:13:3: mirror\.helm: Helm charts are not supported/);
    const both = await ferry(['mirror', '--config', path, '--release', rel.pullspec, '--to-dir', join(work.path, 'both'), ...flags]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--release cannot be added to it/);
  });
});
