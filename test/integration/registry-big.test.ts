import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { build } from 'esbuild';
import { pushBigImage } from '../support/images';
import { inspectManifest } from '../support/push';
import { tempDir, type TempDir } from '../support/tmp';
import { startTestWorld, type TestWorld } from '../support/world';

// The 256 MiB layer goes through `ferry copy` in a child process whose peak RSS is measured by a
// preload: streaming must keep it bounded whatever the layer size. The CLI runs as built JavaScript
// (one esbuild bundle, packages external), as it ships: under the tsx loader the TypeScript
// compiler's own caches alone take ~40 MB more and would be measured instead of Ferry.
const root = fileURLToPath(new URL('../..', import.meta.url));
// Inside node_modules so the bundle's external packages resolve from the checkout.
const bundle = join(root, 'node_modules', '.cache', 'ferry-test', `cli-${process.pid}.mjs`);
const LIMIT_KIB = 150 * 1024;
let world: TestWorld;
let tmp: TempDir;

before(async () => {
  await build({ entryPoints: [join(root, 'electron/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'error' });
  world = await startTestWorld();
  tmp = tempDir('big-it');
});

after(async () => {
  await world?.stop();
  await tmp?.cleanup();
  await rm(bundle, { force: true });
});

function ferryWithRss(args: string[], rssFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', './test/support/report-rss.mjs', bundle, ...args], {
      cwd: root,
      env: { ...process.env, FERRY_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('copies a 256 MiB layer registry to registry and to an OCI layout with peak RSS under 150 MB', async () => {
  const big = await pushBigImage(world, 256 * 1024 * 1024);
  assert.ok(big.layerSize >= 256 * 1024 * 1024);
  const common = ['--authfile', world.authfile, '--cert-dir', world.certDir, '--json'];
  for (const [name, dest] of [
    ['registry', `docker://${world.mirror.host}/big/copy:v1`],
    ['oci', `oci:${join(tmp.path, 'layout')}:big`],
  ] as const) {
    const rssFile = join(tmp.path, `rss-${name}`);
    const r = await ferryWithRss(['copy', `docker://${world.source.host}/${big.repository}:${big.tag}`, dest, ...common], rssFile);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(JSON.parse(r.stdout).digest, big.digest);
    const peakKiB = Number(await readFile(rssFile, 'utf8'));
    assert.ok(peakKiB > 0);
    assert.ok(peakKiB < LIMIT_KIB, `${name}: peak RSS ${(peakKiB / 1024).toFixed(1)} MiB`);
  }
  assert.equal((await inspectManifest(world, `${world.mirror.host}/big/copy:v1`)).digest, big.digest);
});
