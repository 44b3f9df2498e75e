import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { test, expect, FerryApp } from './support/fixtures';
import { startServe, type ServeProcess } from './support/serve';
import { listenOnLoopback } from '../support/loopback';
import { tempDir } from '../support/tmp';

/**
 * The release step's update path (issue 19 point 2) against an update service answering with the graph
 * recorded from api.openshift.com (test/fixtures/update-graph), through a `ferry serve` of its own started
 * with --graph-url: the suite's shared server has no update graph, as a disconnected laptop would not.
 */
let graph: Server;
let serve: ServeProcess;
const home = tempDir('ferry-e2e-path-');

test.beforeAll(async () => {
  const body = await readFile(join(process.cwd(), 'test/fixtures/update-graph/candidate-4.15-amd64.json'));
  graph = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const known = url.pathname === '/api/upgrades_info/v1/graph' && url.searchParams.get('channel') === 'candidate-4.15';
    res.writeHead(known ? 200 : 404, { 'content-type': 'application/json' });
    res.end(known ? body : '{"kind":"not_found"}');
  });
  const host = await listenOnLoopback(graph);
  serve = await startServe(process.cwd(), home.path, { args: ['--graph-url', `http://${host}/api/upgrades_info/v1/graph`] });
});

test.afterAll(async () => {
  await serve?.stop();
  await new Promise<void>((resolve) => (graph ? graph.close(() => resolve()) : resolve()));
  await home.cleanup();
});

test('release: the update path from the cluster version to the chosen one, drawn and said in words', async ({ browser }) => {
  const context = await browser.newContext({ storageState: undefined });
  const page = await context.newPage();
  await page.goto(serve.url);
  const app = new FerryApp(page, 'release-path');
  await page.goto(`${new URL(serve.url).origin}/#/export/release`);
  await page.getByRole('textbox', { name: 'Channel' }).fill('candidate-4.15');
  await page.getByRole('button', { name: 'Load versions' }).click();
  await page.getByRole('combobox', { name: 'Version' }).selectOption({ label: '4.15.11' });
  await page.getByRole('combobox', { name: 'The cluster now runs' }).selectOption('4.15.3');
  await page.getByRole('button', { name: 'Show update path' }).click();

  const picture = page.getByTestId('update-path-picture');
  await expect(picture).toBeVisible();
  await expect(page.getByRole('img', { name: 'Update path from 4.15.3 to 4.15.11 in candidate-4.15' })).toBeVisible();
  await expect(page.getByRole('figure').getByRole('paragraph').getByText('A cluster at 4.15.3 reaches 4.15.11 in 2 update(s): 4.15.3 → 4.15.10 → 4.15.11.')).toBeVisible();
  // Every release between the two is drawn; the path's three are marked, conditional updates are dashed.
  await expect(picture.locator('[data-release]')).toHaveCount(5);
  await expect(picture.locator('[data-on-path]')).toHaveCount(3);
  await expect(picture.locator('.path-edge-on')).toHaveCount(2);
  await expect(picture.locator('.path-edge-conditional')).toHaveCount(2);
  await expect(page.getByText('The update passes through 1 release(s) before 4.15.11.')).toBeVisible();
  await app.checkpoint('01-update-path');

  await page.emulateMedia({ colorScheme: 'dark' });
  await app.checkpoint('02-update-path-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // One transfer carries the path: written back as oc-mirror's channel range, which the CLI resolves to the same releases.
  await page.getByRole('checkbox', { name: /Only the releases of the shortest path/ }).check();
  await page.getByRole('button', { name: 'Carry every release from 4.15.3 to 4.15.11' }).click();
  await expect(page.getByText('3 releases travel in this transfer: the shortest update path from 4.15.3 to 4.15.11 in candidate-4.15.')).toBeVisible();
  await expect(page.getByTestId('carried-releases').getByRole('listitem')).toHaveText(['4.15.3', '4.15.10', '4.15.11']);
  const downloaded = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export imageset.yaml' }).click();
  const text = (await readFile(await (await downloaded).path())).toString('utf8');
  expect(text).toContain('    channels:\n      - name: candidate-4.15\n        minVersion: 4.15.3\n        maxVersion: 4.15.11\n        shortestPath: true\n');
  await app.checkpoint('03-path-carried');
  await page.getByRole('button', { name: 'Carry only 4.15.11' }).click();
  await expect(page.getByTestId('carried-releases')).toHaveCount(0);
  await context.close();
});
