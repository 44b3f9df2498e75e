import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Browser } from '@playwright/test';
import { test, expect, FerryApp } from './support/fixtures';
import { startServe, type ServeProcess } from './support/serve';
import { e2eWorld } from './support/world-info';
import { ferry, worldFlags } from '../support/cli';
import { graphDataArchive } from '../support/graph-data';
import { listenOnLoopback } from '../support/loopback';
import { tempDir } from '../support/tmp';
import type { TransferManifest } from '../../shared/transfer/manifest';

/**
 * Issue 19: an oc-mirror ImageSetConfiguration as a team keeps it in git (comments, its own order) imported into
 * the export journey and exported back unchanged. The channel is resolved on the update graph recorded from
 * api.openshift.com (test/fixtures/update-graph), so this file runs its own `ferry serve` with --graph-url, and
 * with the world's CA and auth file so the operators step can read the test catalog the file names. The same server
 * hands out the update service's graph data (test/support/graph-data.ts) for `graph: true`, whose image is built on
 * the world's multi-arch fixture served as registry.access.redhat.com/ubi9/ubi:latest, as the CLI's test does.
 */
let graph: Server;
let serve: ServeProcess;
let payload4_15_10: string;
let path: string | undefined;
let graphDataUrl: string;
const home = tempDir('ferry-e2e-imageset-');

/**
 * A page on this file's own `ferry serve` (app.open and the suite's fixtures go to the suite's), its uncaught errors
 * collected; `open(hash)` goes to a screen of it.
 */
async function openOwnServe(browser: Browser, name: string) {
  const context = await browser.newContext({ storageState: undefined });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(serve.url);
  const open = (hash: string) => page.goto(`${new URL(serve.url).origin}/${hash}`);
  return { context, page, errors, app: new FerryApp(page, name), open };
}

test.beforeAll(async () => {
  const body = await readFile(join(process.cwd(), 'test/fixtures/update-graph/candidate-4.15-amd64.json'));
  payload4_15_10 = (JSON.parse(body.toString('utf8')) as { nodes: Array<{ version: string; payload: string }> }).nodes.find((n) => n.version === '4.15.10')!.payload;
  const graphData = await graphDataArchive(home.path);
  graph = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/api/upgrades_info/graph-data') return void res.writeHead(200, { 'content-type': 'application/gzip' }).end(graphData);
    const channel = url.pathname === '/api/upgrades_info/v1/graph' ? url.searchParams.get('channel') : undefined;
    const answer = channel === 'candidate-4.15' ? body : channel === 'fast-4.16' && path ? path : undefined;
    res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' });
    res.end(answer ?? '{"kind":"not_found"}');
  });
  const host = await listenOnLoopback(graph);
  graphDataUrl = `http://${host}/api/upgrades_info/graph-data`;
  const world = e2eWorld();
  // The graph image's base, as registry.access.redhat.com serves ubi9: a multi-arch index.
  const base = await ferry(['copy', `docker://${world.images[2]!}`, `docker://${world.source.host}/ubi9/ubi:latest`, ...worldFlags(world)]);
  if (base.code !== 0) throw new Error(`ferry copy of the graph image's base failed:\n${base.stdout}${base.stderr}`);
  // The world's two real releases on one channel, named by digest as api.openshift.com names payloads: an upgrade path the plan can read.
  const byDigest = (r: { pullspec: string; digest: string }) => `${r.pullspec.replace(/:[^:/]+$/, '')}@${r.digest}`;
  if (world.release && world.faithful) {
    path = JSON.stringify({ nodes: [world.release, world.faithful].map((r) => ({ version: r.version, payload: byDigest(r), metadata: {} })), edges: [[0, 1]], conditionalEdges: [] });
  }
  serve = await startServe(process.cwd(), home.path, {
    args: [
      '--graph-url', `http://${host}/api/upgrades_info/v1/graph`,
      '--authfile', world.authfile,
      '--ca-file', world.ca.certPath,
      '--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`,
      '--source-mirror', `registry.access.redhat.com=${world.source.host}`,
      '--graph-data-url', graphDataUrl,
    ],
  });
});

test.afterAll(async () => {
  await serve?.stop();
  await new Promise<void>((resolve) => (graph ? graph.close(() => resolve()) : resolve()));
  await home.cleanup();
});

test('imageset.yaml: imported into the export journey, refusals with their line, exported back byte for byte', async ({ browser, world }) => {
  test.skip(!world.catalog, 'global setup pushed no test catalog');
  const catalog = world.catalog!.ref;
  const extra = world.images[0]!;
  const original = `# Mirrored nightly by the platform team; reviewed in git.
kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
archiveSize: 2
mirror:
  platform:
    channels:
      - name: candidate-4.15
        minVersion: 4.15.10   # where the clusters go next
        maxVersion: 4.15.10
    architectures: [amd64]
  operators:
    - catalog: ${catalog}
      packages:
        - name: ferry-database
          channels:
            - name: stable
              minVersion: "1.1.0"
              maxVersion: "1.2.0"
  additionalImages:
    - name: ${extra}
`;
  const refused = `kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
mirror:
  helm:
    repositories: []
`;

  const { context, page, errors, app, open } = await openOwnServe(browser, 'imageset');
  await open('#/export/release');
  const fileInput = page.locator('input[type=file]');

  // The CLI's reader refuses what Ferry does not carry, naming the line; nothing in the journey changes.
  await fileInput.setInputFiles({ name: 'helm.yaml', mimeType: 'application/yaml', buffer: Buffer.from(refused) });
  await expect(page.getByRole('alert').filter({ hasText: 'helm.yaml:4:3: mirror.helm: Helm charts are not supported.' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Release pullspec' })).toHaveValue('');

  await fileInput.setInputFiles({ name: 'imageset.yaml', mimeType: 'application/yaml', buffer: Buffer.from(original) });
  await expect(page.getByText(`Filled in from imageset.yaml: release 4.15.10 (candidate-4.15, amd64), 1 extra image(s), 1 operator package(s) from ${catalog}, volumes of 2GiB.`)).toBeVisible();
  await expect(page.getByText('Not carried from imageset.yaml')).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Release pullspec' })).toHaveValue(payload4_15_10);
  await expect(page.getByRole('textbox', { name: 'Channel' })).toHaveValue('candidate-4.15');
  await expect(page.getByRole('textbox', { name: 'Extra image references' })).toHaveValue(extra);
  await app.checkpoint('01-imported');

  await page.getByRole('button', { name: /Next: Operators/ }).click();
  await expect(page.getByRole('textbox', { name: 'Catalog image' })).toHaveValue(catalog);
  await expect(page.getByText(`4 package(s) in ${catalog}`)).toBeVisible();
  await expect(page.getByRole('list', { name: 'Packages' }).getByRole('checkbox', { name: /^ferry-database/ })).toBeChecked();
  await expect(page.getByRole('combobox', { name: 'Channel of ferry-database' })).toHaveValue('stable');
  await expect(page.getByRole('combobox', { name: 'Oldest version of ferry-database' })).toHaveValue('1.1.0');
  await expect(page.getByRole('combobox', { name: 'Newest version of ferry-database' })).toHaveValue('1.2.0');
  await expect(page.getByRole('checkbox', { name: /Add what they depend on/ })).toBeChecked();
  await app.checkpoint('02-operators');

  await page.getByRole('button', { name: /Next: Plan/ }).click();
  await expect(page.getByRole('textbox', { name: 'Volume size' })).toHaveValue('2GiB');
  const downloaded = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export imageset.yaml' }).click();
  const download = await downloaded;
  expect(download.suggestedFilename()).toBe('imageset.yaml');
  expect(await readFile(await download.path())).toEqual(Buffer.from(original));
  await expect(page.getByText('Downloaded as imageset.yaml.')).toBeVisible();
  await app.checkpoint('03-exported');

  // A change is written into the same document: the comments stay, the list says what is carried.
  await page.getByRole('button', { name: /Back: Operators/ }).click();
  await page.getByRole('combobox', { name: 'Newest version of ferry-database' }).selectOption('1.1.1');
  await page.getByRole('button', { name: /Next: Plan/ }).click();
  const again = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export imageset.yaml' }).click();
  const changed = (await readFile(await (await again).path())).toString('utf8');
  // The operators are written afresh; the rest keeps its content, order and comments (the yaml printer may respace them).
  expect(changed).toMatch(/^# Mirrored nightly by the platform team; reviewed in git\.\nkind: ImageSetConfiguration\napiVersion: mirror\.openshift\.io\/v2alpha1\narchiveSize: 2\n/);
  expect(changed).toMatch(/minVersion: 4\.15\.10 +# where the clusters go next\n/);
  expect(changed).toContain('            - name: stable\n              minVersion: 1.1.0\n              maxVersion: 1.1.1\n');
  expect(changed).toContain(`  additionalImages:\n    - name: ${extra}\n`);
  expect(errors).toEqual([]);
  await context.close();
});

test('imageset.yaml with a channel range: every release of the path fills the journey and the plan, and goes back byte for byte', async ({ browser, world }) => {
  test.skip(!world.release || !world.faithful, 'global setup pushed no releases');
  const [from, to] = [world.release!.version, world.faithful!.version];
  const original = `kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
mirror:
  platform:
    channels:
      - name: fast-4.16   # the site's next upgrade
        minVersion: ${from}
        maxVersion: ${to}
`;
  const { context, page, errors, app, open } = await openOwnServe(browser, 'imageset-range');
  await open('#/export/release');
  await page.locator('input[type=file]').setInputFiles({ name: 'path.yaml', mimeType: 'application/yaml', buffer: Buffer.from(original) });
  await expect(page.getByText(`Filled in from path.yaml: release ${to} (fast-4.16, amd64) and the 1 release(s) of its path before it, 0 extra image(s), no operators, volumes of 4000MiB.`)).toBeVisible();
  await expect(page.getByText('Not carried from path.yaml')).toHaveCount(0);
  await expect(page.getByText(`2 releases travel in this transfer: every release from ${from} to ${to} in fast-4.16.`)).toBeVisible();
  await expect(page.getByTestId('carried-releases').getByRole('listitem')).toHaveText([from, to]);
  await expect(page.getByRole('img', { name: `Update path from ${from} to ${to} in fast-4.16` })).toBeVisible();
  await app.checkpoint('01-range-imported');

  await page.getByRole('button', { name: /Next: Operators/ }).click();
  await page.getByRole('button', { name: /Next: Plan/ }).click();
  await page.getByRole('textbox', { name: 'Target directory' }).fill(join(world.workDir, 'imageset-range'));
  await page.getByRole('button', { name: 'Make the plan' }).click();
  await expect(page.getByText(`Upgrade path: 2 releases travel together, ${from} → ${to}`)).toBeVisible({ timeout: 120_000 });
  const esc = (v: string) => v.replace(/\./g, '\\.');
  await expect(page.getByTestId('plan-releases').getByRole('listitem')).toHaveText([new RegExp(`^${esc(from)} \\(`), new RegExp(`^${esc(to)} \\(`)]);
  await expect(page.getByTestId('plan-graph')).toHaveCount(0);
  await app.checkpoint('02-range-planned');

  const downloaded = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export imageset.yaml' }).click();
  expect(await readFile(await (await downloaded).path())).toEqual(Buffer.from(original));
  expect(errors).toEqual([]);
  await context.close();
});

test('imageset.yaml with graph: true: the plan and the transfer carry the graph image, the file goes back as it came, the import side configures the update service', async ({ browser, world }) => {
  test.skip(!world.release || !world.faithful, 'global setup pushed no releases');
  test.setTimeout(600_000);
  const version = world.release!.version;
  const original = `kind: ImageSetConfiguration
apiVersion: mirror.openshift.io/v2alpha1
mirror:
  platform:
    graph: true   # the site runs the OpenShift Update Service
    channels:
      - name: fast-4.16
        minVersion: ${version}
        maxVersion: ${version}
`;
  const toDir = join(world.workDir, 'imageset-graph');
  const mirror = `${world.mirror.host}/site`;
  const { context, page, errors, app, open } = await openOwnServe(browser, 'imageset-graph');
  await open('#/export/release');
  await page.locator('input[type=file]').setInputFiles({ name: 'graph.yaml', mimeType: 'application/yaml', buffer: Buffer.from(original) });
  await expect(page.getByText(`Filled in from graph.yaml: release ${version} (fast-4.16, amd64), 0 extra image(s), no operators, volumes of 4000MiB, the update graph for the OpenShift Update Service.`)).toBeVisible();
  await expect(page.getByText('Not carried from graph.yaml')).toHaveCount(0);
  const carryGraph = page.getByRole('checkbox', { name: 'Carry the update graph for the OpenShift Update Service' });
  await expect(carryGraph).toBeChecked();
  await app.checkpoint('01-graph-imported');

  await page.getByRole('button', { name: /Next: Operators/ }).click();
  await page.getByRole('button', { name: /Next: Plan/ }).click();
  await page.getByRole('textbox', { name: 'Target directory' }).fill(toDir);
  await page.getByRole('button', { name: 'Make the plan' }).click();
  // Built as ferry mirror --config builds it: the served archive's four files on the base, pinned by digest.
  await expect(page.getByText('Carries the update graph for the OpenShift Update Service: 4 file(s) of graph data in the graph image localhost/openshift/graph-image:latest.')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('plan-graph')).toContainText(graphDataUrl);
  await expect(page.getByTestId('plan-graph')).toContainText(/registry\.access\.redhat\.com\/ubi9\/ubi@sha256:[0-9a-f]{64}/);
  await app.checkpoint('02-graph-planned');

  const downloaded = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export imageset.yaml' }).click();
  expect(await readFile(await (await downloaded).path())).toEqual(Buffer.from(original));

  await page.getByRole('button', { name: /Next: Transfer/ }).click();
  await page.getByRole('button', { name: 'Start transfer' }).click();
  await expect(page.getByRole('group', { name: /^Job / }).getByText('succeeded', { exact: true })).toBeVisible({ timeout: 300_000 });
  const m = JSON.parse(await readFile(join(toDir, 'transfer.json'), 'utf8')) as TransferManifest;
  expect(m.graph?.files).toBe(4);
  expect(m.images.map((i) => i.source)).toContain(m.graph!.image.source);
  // The host read the file again and found it selects what the job carries: it is recorded as ferry mirror --config records it.
  expect(m.requested.imageSet?.digest).toBe(`sha256:${createHash('sha256').update(original).digest('hex')}`);
  await app.checkpoint('03-graph-transferred');

  // The disconnected side: the cluster configuration points the cluster at an update service serving this graph image.
  await open('#/import/media');
  await page.getByRole('textbox', { name: 'Transfer directory' }).fill(toDir);
  await expect(page.getByTestId('transfer-fingerprint')).toBeVisible();
  await open('#/import/target');
  await page.getByRole('textbox', { name: 'Mirror location' }).fill(mirror);
  await open('#/import/config');
  const updateService = page.getByRole('figure', { name: /^UpdateService for the carried update graph/ });
  await expect(updateService).toContainText('kind: UpdateService');
  await expect(updateService).toContainText(`graphDataImage: ${mirror}/openshift/graph-image@${m.graph!.image.digest}`);
  await expect(page.getByRole('figure', { name: /^ClusterVersion upstream/ })).toContainText('oc patch clusterversion/version --type merge');
  await app.checkpoint('04-graph-update-service');

  // Unticked, the file written no longer asks for the graph data.
  await open('#/export/release');
  await carryGraph.uncheck();
  const again = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export imageset.yaml' }).click();
  const unticked = (await readFile(await (await again).path())).toString('utf8');
  expect(unticked).not.toContain('graph:');
  expect(unticked).toContain(`minVersion: ${version}`);
  expect(errors).toEqual([]);
  await context.close();
});
