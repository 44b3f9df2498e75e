import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { corruptBlob, pushBigImage, pushFixtures, type Fixtures } from '../support/images';
import { ferry } from '../support/cli';
import { inspectManifest } from '../support/push';
import { startCutProxy } from '../support/proxy';
import { tempDir, type TempDir } from '../support/tmp';
import { skopeo, startTestWorld, type TestWorld } from '../support/world';

// The CLI as operators run it, in a child process: exit codes, messages, hints, no secrets.
let world: TestWorld;
let fixtures: Fixtures;
let tmp: TempDir;

const b64 = (s: string) => Buffer.from(s).toString('base64');

before(async () => {
  world = await startTestWorld();
  fixtures = await pushFixtures(world);
  tmp = tempDir('cli-it');
});

after(async () => {
  await world?.stop();
  await tmp?.cleanup();
});

describe('ferry copy and inspect (CLI)', () => {
  it('copies with --json and reports the digest', async () => {
    const r = await ferry([
      'copy',
      `docker://${world.source.host}/${fixtures.oci.repository}:v1`,
      `docker://${world.mirror.host}/cli/oci:v1`,
      '--authfile',
      world.authfile,
      '--cert-dir',
      world.certDir,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).digest, fixtures.oci.digest);
    assert.equal((await inspectManifest(world, `${world.mirror.host}/cli/oci:v1`)).digest, fixtures.oci.digest);
  });

  it('wrong password → AUTH_DENIED naming the registry, exit 1, password never printed', async () => {
    const wrong = 'wrong-pw-7c1e5a9d';
    const authfile = join(tmp.path, 'wrong.json');
    await writeFile(authfile, JSON.stringify({ auths: { [world.source.host]: { auth: b64(`${world.source.username}:${world.source.password}`) }, [world.mirror.host]: { auth: b64(`${world.mirror.username}:${wrong}`) } } }));
    for (const json of [false, true]) {
      const r = await ferry(['copy', `docker://${world.source.host}/${fixtures.schema2.repository}:v1`, `docker://${world.mirror.host}/denied/x:v1`, '--authfile', authfile, '--cert-dir', world.certDir, ...(json ? ['--json'] : [])]);
      assert.equal(r.code, 1);
      const out = r.stdout + r.stderr;
      assert.ok(!out.includes(wrong) && !out.includes(b64(`${world.mirror.username}:${wrong}`)), 'no password or auth value in the output');
      assert.ok(!out.includes(world.source.password));
      if (json) assert.equal(JSON.parse(r.stdout).error.code, 'AUTH_DENIED');
      else {
        assert.match(r.stderr, new RegExp(`registry ${world.mirror.host} refused the credentials for ${world.mirror.username}`));
        assert.match(r.stderr, /hint: .*--authfile/);
      }
    }
    // The token-auth source refuses too, through its token service.
    await writeFile(authfile, JSON.stringify({ auths: { [world.source.host]: { auth: b64(`${world.source.username}:${wrong}`) } } }));
    const r = await ferry(['inspect', `${world.source.host}/${fixtures.oci.repository}:v1`, '--authfile', authfile, '--cert-dir', world.certDir, '--json']);
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).error.code, 'AUTH_DENIED');
    assert.match(JSON.parse(r.stdout).error.message, new RegExp(world.source.host));
    assert.ok(!(r.stdout + r.stderr).includes(wrong));
  });

  it('unknown CA → TLS_UNTRUSTED naming the host with a hint; the same CA as DER via --ca-file works', async () => {
    const empty = join(tmp.path, 'no-certs');
    await mkdir(empty, { recursive: true });
    const ref = `${world.source.host}/${fixtures.oci.repository}:v1`;
    const bad = await ferry(['inspect', ref, '--authfile', world.authfile, '--cert-dir', empty]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, new RegExp(`TLS certificate of ${world.source.host} is not trusted`));
    assert.match(bad.stderr, /hint: .*--ca-file FILE.*certs\.d\//);
    const json = await ferry(['inspect', ref, '--authfile', world.authfile, '--cert-dir', empty, '--json']);
    assert.equal(JSON.parse(json.stdout).error.code, 'TLS_UNTRUSTED');
    const good = await ferry(['inspect', ref, '--authfile', world.authfile, '--cert-dir', empty, '--ca-file', world.ca.derPath, '--json']);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(JSON.parse(good.stdout).digest, fixtures.oci.digest);
  });

  it('unreachable host → UNREACHABLE exit 1; malformed reference → exit 2', async () => {
    const down = await ferry(['inspect', '127.0.0.1:1/x/y:1', '--json']);
    assert.equal(down.code, 1);
    assert.equal(JSON.parse(down.stdout).error.code, 'UNREACHABLE');
    const bad = await ferry(['copy', 'docker://127.0.0.1:5000/Bad/Repo:1', `oci:${tmp.path}/x`]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a valid image reference/);
    const usage = await ferry(['copy', 'docker://127.0.0.1:5000/a:1', 'oci:/tmp/x', '--all', '--platform', 'linux/amd64']);
    assert.equal(usage.code, 2);
  });

  it('a connection cut in the middle of a blob is resumed and the copy succeeds', async () => {
    const big = await pushBigImage(world, 6 * 1024 * 1024);
    const proxy = await startCutProxy(world.source, { cutAfterBytes: 3 * 1024 * 1024, times: 2 });
    try {
      const authfile = join(tmp.path, 'proxy.json');
      await writeFile(authfile, JSON.stringify({ auths: { [proxy.host]: { auth: b64(`${world.source.username}:${world.source.password}`) }, [world.mirror.host]: { auth: b64(`${world.mirror.username}:${world.mirror.password}`) } } }));
      const r = await ferry(['copy', `docker://${proxy.host}/${big.repository}:${big.tag}`, `docker://${world.mirror.host}/cut/big:v1`, '--authfile', authfile, '--cert-dir', world.certDir, '--ca-file', world.ca.certPath, '--json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(JSON.parse(r.stdout).digest, big.digest);
      assert.ok(proxy.cuts >= 1, `cuts: ${proxy.cuts}`);
      assert.equal((await inspectManifest(world, `${world.mirror.host}/cut/big:v1`)).digest, big.digest);
    } finally {
      await proxy.close();
    }
  });

  it('a corrupted source blob → DIGEST_MISMATCH naming the blob, exit 1, and no tag at the destination', async () => {
    const manifest = JSON.parse((await inspectManifest(world, `${world.source.host}/${fixtures.oci.repository}:v1`)).raw) as { layers: Array<{ digest: string }> };
    const own = manifest.layers.map((l) => l.digest).find((d) => d !== fixtures.sharedLayer)!;
    await corruptBlob(world.source, own);
    const dest = `${world.mirror.host}/corrupt/oci:v1`;
    const r = await ferry(['copy', `docker://${world.source.host}/${fixtures.oci.repository}:v1`, `docker://${dest}`, '--authfile', world.authfile, '--cert-dir', world.certDir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`Blob ${own}.*failed verification`));
    const json = await ferry(['copy', `docker://${world.source.host}/${fixtures.oci.repository}:v1`, `docker://${dest}`, '--authfile', world.authfile, '--cert-dir', world.certDir, '--json']);
    assert.equal(JSON.parse(json.stdout).error.code, 'DIGEST_MISMATCH');
    assert.equal(JSON.parse(json.stdout).error.details.digest, own);
    await assert.rejects(skopeo(world, ['inspect', '--raw', `docker://${dest}`]), /manifest unknown|not found|unknown/i);
  });
});
