import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { parse as parseYaml } from 'yaml';
import type { TransferManifest } from '../../shared/transfer/manifest';
import { jobStartSchema, type JobParams } from '../../shared/api/jobs';
import { planExport } from '../../electron/host/handlers/release';
import type { EngineDefaults } from '../../electron/jobs/engine-options';
import { MemorySecretStore } from '../../electron/jobs/secrets/secret-store';
import { runners } from '../../electron/worker/runners';
import type { JobContext } from '../../electron/worker/runtime';
import { mergedFiles } from '../support/catalog';
import { ferry, worldFlags } from '../support/cli';
import { formatSchemaErrors, loadCrd, validateAgainstCrd } from '../support/crd-schema';
import { GRAPH_DATA as DATA, graphDataArchive } from '../support/graph-data';
import { startHttpProxy } from '../support/http-proxy';
import { pushFixtures, type Fixtures } from '../support/images';
import { listenOnLoopback } from '../support/loopback';
import { inspectManifest } from '../support/push';
import { pushRelease, type FixtureRelease } from '../support/release';
import { tempDir } from '../support/tmp';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

/**
 * Issue 19 point 3: `graph: true` in an ImageSetConfiguration carries the OpenShift Update Service's graph-data
 * image, built as oc-mirror v2 builds it (internal/pkg/release/graph.go, const.go): the base image (ubi9, here the
 * world's multi-arch fixture image served under registry.access.redhat.com/ubi9/ubi:latest through --source-mirror)
 * with one layer holding the graph data under /var/lib/cincinnati-graph-data and the command that copies it into
 * the update service's volume, pushed to NS/openshift/graph-image:latest. The graph data is served as
 * api.openshift.com serves /api/upgrades_info/graph-data: a gzip'd tar (made here with GNU tar) laid out as
 * openshift/cincinnati-graph-data. The UpdateService CR is checked against openshift/cincinnati-operator's CRD.
 */
const GRAPH_DIR = '/var/lib/cincinnati-graph-data';

async function hostileArchive(): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  })();
  pack.entry({ name: './channels/stable-4.15.yaml' }, DATA['channels/stable-4.15.yaml']);
  pack.entry({ name: './../../../root/.ssh/authorized_keys' }, 'ssh-ed25519 AAAA planted\n');
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

describe('ferry mirror --config with graph: true: the update service on the disconnected side', () => {
  let world: TestWorld;
  let rel: FixtureRelease;
  let fixtures: Fixtures;
  let server: Server;
  let base: string;
  let archive: Buffer;
  const requests: string[] = [];
  const work = tempDir('ferry-imageset-graph-');
  let flags: string[];
  const mirror = () => `${world.mirror.host}/site`;
  const imageSet = () => `kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
mirror:
  platform:
    graph: true
    channels:
    - name: stable-4.15
`;

  before(async () => {
    world = await startTestWorld();
    [rel, fixtures] = await Promise.all([pushRelease(world, '4.15.4'), pushFixtures(world)]);
    // The base image, as registry.access.redhat.com serves ubi9: a multi-arch index, here the world's fixture.
    await skopeo(world, ['copy', '--all', '--quiet', `docker://${fixtures.index.ref}`, `docker://${world.source.host}/ubi9/ubi:latest`]);
    archive = await graphDataArchive(work.path);
    const hostile = await hostileArchive();
    const graph = JSON.stringify({
      nodes: [{ version: '4.15.4', payload: rel.quayPullspec, metadata: { 'io.openshift.upgrades.graph.release.channels': 'stable-4.15' } }],
      edges: [],
      conditionalEdges: [],
    });
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push(url.pathname);
      if (url.pathname === '/api/upgrades_info/v1/graph') return res.writeHead(200, { 'content-type': 'application/json' }).end(graph);
      if (url.pathname === '/api/upgrades_info/graph-data') return res.writeHead(200, { 'content-type': 'application/gzip' }).end(archive);
      if (url.pathname === '/hostile/graph-data') return res.writeHead(200, { 'content-type': 'application/gzip' }).end(hostile);
      res.writeHead(404).end();
    });
    base = `http://${await listenOnLoopback(server)}`;
    flags = [
      ...worldFlags(world),
      '--source-mirror',
      `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`,
      '--source-mirror',
      `registry.access.redhat.com=${world.source.host}`,
      '--graph-url',
      `${base}/api/upgrades_info/v1/graph`,
      '--no-release-signatures',
    ];
  });
  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await world?.stop();
    await work.cleanup();
  });

  it('mirror to disk, push: the graph-data image is in the mirror with the data and the command; the UpdateService CR is valid upstream', async () => {
    const path = join(work.path, 'imageset.yaml');
    await writeFile(path, imageSet());
    const dir = join(work.path, 'media');
    const m1 = await ferry(['mirror', '--config', path, '--to-dir', dir, '--graph-data-url', `${base}/api/upgrades_info/graph-data`, ...flags]);
    assert.equal(m1.code, 0, m1.stdout + m1.stderr);
    assert.match(m1.stdout, /Update service graph data: 4 file\(s\) from http:\/\/127\.0\.0\.1:\d+\/api\/upgrades_info\/graph-data/);
    const m = JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
    assert.equal(m.requested.imageSet?.config.platform?.graph, true);
    const graph = m.graph!;
    assert.ok(graph, 'transfer.json records the graph image');
    assert.equal(graph.files, 4);
    assert.equal(graph.base, `registry.access.redhat.com/ubi9/ubi@${fixtures.index.digest}`, 'the base is pinned by the digest the source served');
    assert.equal(graph.image.source, `localhost/openshift/graph-image:latest@${graph.image.digest}`);
    const carried = m.images.find((i) => i.source === graph.image.source);
    assert.ok(carried && carried.role === 'extra' && carried.digest === graph.image.digest);
    assert.deepEqual(carried.platforms?.sort(), Object.keys(fixtures.platforms).sort(), 'every platform of the base is rebuilt, as oc-mirror does');

    const p = await ferry(['push', '--from-dir', dir, '--to', mirror(), '--allow-unsigned', ...worldFlags(world)]);
    assert.equal(p.code, 0, p.stdout + p.stderr);
    const v = await ferry(['verify', '--dir', dir, '--against', mirror(), ...worldFlags(world)]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    // Where oc-mirror puts it: the destination, then openshift/graph-image:latest.
    const pushed = await inspectManifest(world, `${mirror()}/openshift/graph-image:latest`);
    assert.equal(pushed.digest, graph.image.digest);
    const { files, config } = await mergedFiles(world, `${mirror()}/openshift/graph-image:latest`, GRAPH_DIR);
    assert.deepEqual(Object.fromEntries(files), Object.fromEntries(Object.entries(DATA).map(([k, v]) => [`${GRAPH_DIR}/${k}`, v])));
    assert.deepEqual(config.config.Cmd, ['/bin/bash', '-c', 'exec cp -rp /var/lib/cincinnati-graph-data/* /var/lib/cincinnati/graph-data']);
    // The base's own files are still there under the new layer.
    assert.equal((await mergedFiles(world, `${mirror()}/openshift/graph-image:latest`, '/etc')).files.get('/etc/os-release'), 'NAME="Ferry fixture"\nID=ferry\n');

    const us = await ferry(['config', 'update-service', '--from-dir', dir, '--mirror', mirror()]);
    assert.equal(us.code, 0, us.stdout + us.stderr);
    const cr = parseYaml(us.stdout) as { spec: { releases: string; graphDataImage: string } };
    const errors = validateAgainstCrd(loadCrd('updateservices', 'cincinnati-operator'), cr);
    assert.deepEqual(errors, [], formatSchemaErrors(errors));
    assert.equal(cr.spec.graphDataImage, `${mirror()}/openshift/graph-image@${graph.image.digest}`);
    assert.equal(cr.spec.releases, `${mirror()}/ocp-release`);
    // The release repository the service reads holds the release under its tag, and the graph image is pullable by that digest.
    assert.equal((await inspectManifest(world, `${mirror()}/ocp-release:4.15.4-x86_64`)).digest, rel.digest);
    assert.equal((await inspectManifest(world, cr.spec.graphDataImage)).digest, graph.image.digest);

    const up = await ferry(['config', 'cluster-version-upstream', '--from-dir', dir, '--mirror', mirror(), '--apps-domain', 'apps.site.example.com']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /oc patch clusterversion\/version --type merge --patch '\{"spec":\{"upstream":"https:\/\/update-service-oc-mirror-route-openshift-update-service\.apps\.site\.example\.com\/api\/upgrades_info\/v1\/graph"\}\}'/);
    // No mirror set redirects Ferry's own image: the UpdateService names it in the mirror (oc-mirror leaves it out too).
    const idms = await ferry(['config', 'idms', '--from-dir', dir, '--mirror', mirror()]);
    assert.equal(idms.code, 0, idms.stderr);
    assert.doesNotMatch(idms.stdout, /graph-image/);
    assert.match(idms.stdout, /ocp-release/);
  });

  it('registry to registry (--to): the graph image lands at the same place; an additional image under its name and tag is refused', async () => {
    const path = join(work.path, 'imageset.yaml');
    await writeFile(path, imageSet());
    const direct = `${world.mirror.host}/direct`;
    const r = await ferry(['mirror', '--config', path, '--to', direct, '--graph-data-url', `${base}/api/upgrades_info/graph-data`, ...flags]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = JSON.parse(await readFile(join(work.path, 'media', 'transfer.json'), 'utf8')) as TransferManifest;
    assert.equal((await inspectManifest(world, `${direct}/openshift/graph-image:latest`)).digest, m.graph?.image.digest);
    const clashing = join(work.path, 'clash.yaml');
    await writeFile(clashing, `${imageSet()}  additionalImages:\n  - name: ${world.source.host}/openshift/graph-image:latest\n`);
    const c = await ferry(['mirror', '--config', clashing, '--to-dir', join(work.path, 'clash'), '--dry-run', '--graph-data-url', `${base}/api/upgrades_info/graph-data`, ...flags]);
    assert.equal(c.code, 2, c.stdout + c.stderr);
    assert.match(c.stderr, /openshift\/graph-image:latest would be pushed under the tag latest that the update graph image takes/);
  });

  it('the same graph data and base give the same graph image digest', async () => {
    const path = join(work.path, 'imageset.yaml');
    await writeFile(path, imageSet());
    const dry = async () => {
      const r = await ferry(['mirror', '--config', path, '--to-dir', join(work.path, 'dry'), '--dry-run', '--json', '--graph-data-url', `${base}/api/upgrades_info/graph-data`, ...flags]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      return (JSON.parse(r.stdout) as { graph: { image: { digest: string } } }).graph.image.digest;
    };
    const m = JSON.parse(await readFile(join(work.path, 'media', 'transfer.json'), 'utf8')) as TransferManifest;
    assert.equal(await dry(), m.graph?.image.digest);
  });

  it("the app's plan and mirror job build the same graph image through the one mirror operation, from the host's --graph-data-url", async () => {
    // What `ferry serve --graph-data-url … --source-mirror …` hands every handler and job.
    const defaults: EngineDefaults = {
      caFiles: [world.ca.certPath],
      authfile: world.authfile,
      sourceMirrors: [`quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`, `registry.access.redhat.com=${world.source.host}`],
      graphDataUrl: `${base}/api/upgrades_info/graph-data`,
    };
    const fromCli = JSON.parse(await readFile(join(work.path, 'media', 'transfer.json'), 'utf8')) as TransferManifest;
    const plan = await planExport(new MemorySecretStore(), defaults, { images: [], graph: true, toDir: join(work.path, 'app-plan'), caPems: [] });
    assert.deepEqual(plan.graph, fromCli.graph);
    assert.deepEqual(plan.images.map((i) => [i.source, i.digest]), [[fromCli.graph!.image.source, fromCli.graph!.image.digest]]);

    const dir = join(work.path, 'app-job');
    const job: JobContext = { id: 'app-graph', signal: new AbortController().signal, pullSecret: undefined, defaults, onProgress: () => undefined, checkpoint: async () => undefined };
    const params = jobStartSchema.parse({ kind: 'mirror', params: { images: [], graph: true, toDir: dir } }).params as JobParams<'mirror'>;
    await runners.mirror!(params, job);
    const fromApp = JSON.parse(await readFile(join(dir, 'transfer.json'), 'utf8')) as TransferManifest;
    assert.deepEqual(fromApp.graph, fromCli.graph);
    assert.deepEqual(
      fromApp.images.find((i) => i.source === fromApp.graph!.image.source),
      fromCli.images.find((i) => i.source === fromCli.graph!.image.source),
    );
  });

  it('a graph-data archive with a ../ entry is refused with the entry named, and nothing is written', async () => {
    const path = join(work.path, 'imageset.yaml');
    await writeFile(path, imageSet());
    const dir = join(work.path, 'hostile');
    const r = await ferry(['mirror', '--config', path, '--to-dir', dir, '--graph-data-url', `${base}/hostile/graph-data`, ...flags]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /The graph data from 127\.0\.0\.1:\d+ holds "\.\/\.\.\/\.\.\/\.\.\/root\/\.ssh\/authorized_keys", a path that climbs out of the directory/);
    await assert.rejects(access(join(dir, 'transfer.json')));
    assert.ok(requests.includes('/hostile/graph-data'));
  });

  it('the graph data is fetched through the proxy, as the update graph is (--proxy; HTTP_PROXY and NO_PROXY otherwise)', async () => {
    const proxy = await startHttpProxy({ dir: join(work.path, 'proxy') });
    try {
      const path = join(work.path, 'imageset.yaml');
      await writeFile(path, imageSet());
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(process.env)) if (!/^(https?|no|all)_proxy$/i.test(k)) env[k] = v;
      const r = await ferry(['mirror', '--config', path, '--to-dir', join(work.path, 'proxied'), '--dry-run', '--proxy', proxy.url, '--graph-data-url', `${base}/hostile/graph-data`, ...flags], { env });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /climbs out of the directory/);
      assert.match(await proxy.log(), new RegExp(`GET ${base.replaceAll('.', '\\.')}/hostile/graph-data`));
    } finally {
      await proxy.stop();
    }
  });
});
