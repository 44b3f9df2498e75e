import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { buildCliBundle, runWithRss, type CliBundle } from '../support/cli-bundle';
import { pushBigImage } from '../support/images';
import { inspectManifest } from '../support/push';
import { tempDir, type TempDir } from '../support/tmp';
import { startTestWorld, type TestWorld } from '../support/world';

// The 256 MiB layer goes through `ferry copy` in a child process whose peak RSS is measured by a
// preload: streaming must keep it bounded whatever the layer size. The CLI runs as built JavaScript,
// as it ships (see buildCliBundle).
const LIMIT_KIB = 150 * 1024;
let cli: CliBundle;
let world: TestWorld;
let tmp: TempDir;

before(async () => {
  cli = await buildCliBundle('big-it');
  world = await startTestWorld();
  tmp = tempDir('big-it');
});

after(async () => {
  await world?.stop();
  await tmp?.cleanup();
  await cli?.remove();
});

it('copies a 256 MiB layer registry to registry and to an OCI layout with peak RSS under 150 MB', async () => {
  const big = await pushBigImage(world, 256 * 1024 * 1024);
  assert.ok(big.layerSize >= 256 * 1024 * 1024);
  const common = ['--authfile', world.authfile, '--cert-dir', world.certDir, '--json'];
  for (const [name, dest] of [
    ['registry', `docker://${world.mirror.host}/big/copy:v1`],
    ['oci', `oci:${join(tmp.path, 'layout')}:big`],
  ] as const) {
    const rssFile = join(tmp.path, `rss-${name}`);
    const r = await runWithRss(cli, ['copy', `docker://${world.source.host}/${big.repository}:${big.tag}`, dest, ...common], rssFile);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(JSON.parse(r.stdout).digest, big.digest);
    assert.ok(r.peakKiB > 0);
    assert.ok(r.peakKiB < LIMIT_KIB, `${name}: peak RSS ${(r.peakKiB / 1024).toFixed(1)} MiB`);
  }
  assert.equal((await inspectManifest(world, `${world.mirror.host}/big/copy:v1`)).digest, big.digest);
});
