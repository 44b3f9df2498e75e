// Proves the test world is real: registries, token issuer, fixtures and proxy checked with real
// tools (skopeo, openssl) and plain HTTPS, so the engine's integration tests can trust it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { get, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import { run } from '../support/processes';
import { blobPath, corruptBlob, pushBigImage, pushFixtures, type Fixtures } from '../support/images';
import { startCutProxy } from '../support/proxy';
import { registryLog, skopeo, startTestWorld, type TestWorld } from '../support/world';
import { tempDir } from '../support/tmp';

interface Fetched {
  status: number;
  body: Buffer;
  error?: string;
}

/** GET over TLS verified against the world's CA; collects what arrived even if the connection dies. */
function fetchBytes(url: string, opts: RequestOptions): Promise<Fetched> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let status = 0;
    const done = (error?: string): void => resolve({ status, body: Buffer.concat(chunks), ...(error ? { error } : {}) });
    const req = get(url, { agent: false, ...opts }, (res) => {
      status = res.statusCode ?? 0;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(res.complete ? undefined : 'incomplete'));
      res.on('error', (e) => done(e.message));
    });
    req.on('error', (e) => done(e.message));
  });
}

async function token(world: TestWorld, scope: string, password = world.source.password): Promise<Fetched> {
  const url = `${world.source.realm}?service=${encodeURIComponent(world.source.service)}&scope=${encodeURIComponent(scope)}`;
  const auth = Buffer.from(`${world.source.username}:${password}`).toString('base64');
  return fetchBytes(url, { ca: world.ca.certPem, headers: { authorization: `Basic ${auth}` } });
}

const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('test world', () => {
  let world: TestWorld;
  let fixtures: Fixtures;

  before(async () => {
    world = await startTestWorld();
    fixtures = await pushFixtures(world);
  });
  after(() => world?.stop());

  test('CA is written as PEM and as the same certificate in DER; certs.d and authfile cover both registries', async () => {
    const fromDer = await run('openssl', ['x509', '-inform', 'DER', '-in', world.ca.derPath, '-noout', '-fingerprint', '-sha256']);
    const fromPem = await run('openssl', ['x509', '-in', world.ca.certPath, '-noout', '-fingerprint', '-sha256']);
    assert.match(fromPem.stdout, /sha256 Fingerprint=([0-9A-F]{2}:){31}[0-9A-F]{2}/i);
    assert.equal(fromDer.stdout, fromPem.stdout);
    const text = (await run('openssl', ['x509', '-in', world.ca.certPath, '-noout', '-text'])).stdout;
    assert.match(text, /CA:TRUE/);

    for (const ep of [world.source, world.mirror]) {
      assert.equal(await readFile(join(world.certDir, ep.host, 'ca.crt'), 'utf8'), world.ca.certPem);
      const verify = await run('openssl', [
        's_client', '-connect', ep.host, '-CAfile', world.ca.certPath, '-verify_return_error', '-verify_ip', '127.0.0.1',
      ]).catch((e: Error) => ({ stdout: e.message, stderr: '' }));
      assert.match(verify.stdout, /Verify return code: 0 \(ok\)/, `TLS of ${ep.host} verifies against the CA`);
    }
    const auths = (JSON.parse(await readFile(world.authfile, 'utf8')) as { auths: Record<string, { auth: string }> }).auths;
    assert.deepEqual(Object.keys(auths).sort(), [world.mirror.host, world.source.host].sort());
    assert.equal(Buffer.from(auths[world.mirror.host]!.auth, 'base64').toString(), `${world.mirror.username}:${world.mirror.password}`);
    assert.equal((await stat(world.authfile)).mode & 0o777, 0o600);
  });

  test('fixtures of all four manifest media types are in the source, read by skopeo through token auth, with their true digests', async () => {
    const inspect = async (ref: string, raw = false): Promise<string> =>
      (await skopeo(world, ['inspect', ...(raw ? ['--raw'] : []), `docker://${ref}`])).stdout;

    const schema2Raw = await inspect(fixtures.schema2.ref, true);
    assert.equal(sha256(schema2Raw), fixtures.schema2.digest);
    assert.equal(JSON.parse(schema2Raw).mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(fixtures.schema2.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');

    const ociRaw = await inspect(fixtures.oci.ref, true);
    assert.equal(sha256(ociRaw), fixtures.oci.digest);
    assert.equal(JSON.parse(ociRaw).mediaType, 'application/vnd.oci.image.manifest.v1+json');

    const schema2Layers = (JSON.parse(await inspect(fixtures.schema2.ref)) as { Layers: string[] }).Layers;
    const ociLayers = (JSON.parse(await inspect(fixtures.oci.ref)) as { Layers: string[] }).Layers;
    assert.ok(schema2Layers.includes(fixtures.sharedLayer) && ociLayers.includes(fixtures.sharedLayer), 'base layer shared');
    assert.ok(ociLayers.some((l) => !schema2Layers.includes(l)), 'oci has a layer of its own');

    const indexRaw = await inspect(fixtures.index.ref, true);
    assert.equal(sha256(indexRaw), fixtures.index.digest);
    assert.equal(JSON.parse(indexRaw).mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.ok(fixtures.platforms['linux/amd64'] && fixtures.platforms['linux/arm64']);
    for (const [platform, digest] of Object.entries(fixtures.platforms)) {
      const child = await inspect(`${world.source.host}/${fixtures.index.repository}@${digest}`, true);
      assert.equal(sha256(child), digest, platform);
      const config = JSON.parse(
        (await skopeo(world, ['inspect', '--config', '--raw', `docker://${world.source.host}/${fixtures.index.repository}@${digest}`])).stdout,
      ) as { os: string; architecture: string };
      assert.equal(`${config.os}/${config.architecture}`, platform);
    }

    const listRaw = await inspect(fixtures.dockerList.ref, true);
    assert.equal(sha256(listRaw), fixtures.dockerList.digest);
    const list = JSON.parse(listRaw) as { mediaType: string; manifests: Array<{ mediaType: string; digest: string; platform: { os: string; architecture: string } }> };
    assert.equal(list.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    assert.equal(fixtures.dockerList.mediaType, list.mediaType);
    assert.deepEqual(Object.keys(fixtures.dockerListPlatforms).sort(), Object.keys(fixtures.platforms).sort());
    for (const child of list.manifests) {
      assert.equal(child.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
      assert.equal(fixtures.dockerListPlatforms[`${child.platform.os}/${child.platform.architecture}`], child.digest);
      assert.equal(sha256(await inspect(`${world.source.host}/${fixtures.dockerList.repository}@${child.digest}`, true)), child.digest);
    }

    const requests = world.tokenRequests();
    const pull = requests.find((r) => r.ok && r.scopes.includes(`repository:${fixtures.schema2.repository}:pull`));
    assert.ok(pull, 'skopeo got a pull token for the schema2 repository');
    assert.equal(pull.account, world.source.username);
    assert.ok(pull.granted.includes(`repository:${fixtures.schema2.repository}:pull`));
    const push = requests.find((r) => r.ok && r.scopes.some((s) => s.endsWith(':pull,push')));
    assert.ok(push, 'fixture push asked for and got push scope');
    assert.ok(!JSON.stringify(requests).includes(world.source.password), 'token log holds no password');
  });

  test('skopeo copies every fixture from the token-auth source to the htpasswd mirror with the same digests', async () => {
    for (const image of [fixtures.schema2, fixtures.oci, fixtures.index, fixtures.dockerList]) {
      const dest = `${world.mirror.host}/${image.repository}:${image.tag}`;
      await skopeo(world, ['copy', '--all', '--preserve-digests', '--quiet', `docker://${image.ref}`, `docker://${dest}`]);
      const raw = (await skopeo(world, ['inspect', '--raw', `docker://${dest}`])).stdout;
      assert.equal(sha256(raw), image.digest, image.repository);
    }
    const log = await registryLog(world.mirror);
    assert.match(log, /"PUT \/v2\/ferry\/oci\/manifests\/v1 HTTP\/1\.1" 201/);
    assert.match(log, new RegExp(`auth.user.name="?${world.mirror.username}`));
    assert.ok(!log.includes(world.mirror.password), 'registry log holds no password');
  });

  test('wrong passwords are refused by both registries; the issuer refuses without credentials', async () => {
    const bad = tempDir('bad-auth');
    try {
      const authfile = join(bad.path, 'auth.json');
      const b64 = (user: string) => Buffer.from(`${user}:not-the-password`).toString('base64');
      await writeFile(
        authfile,
        JSON.stringify({ auths: { [world.source.host]: { auth: b64(world.source.username) }, [world.mirror.host]: { auth: b64(world.mirror.username) } } }),
      );
      for (const image of [fixtures.oci.ref, `${world.mirror.host}/${fixtures.oci.repository}:${fixtures.oci.tag}`]) {
        await assert.rejects(skopeo(world, ['inspect', '--authfile', authfile, `docker://${image}`]), /401|unauthorized|authentication required/i);
      }
    } finally {
      await bad.cleanup();
    }
    const refused = world.tokenRequests().filter((r) => !r.ok && r.account === world.source.username);
    assert.ok(refused.length > 0 && refused.every((r) => r.status === 401 && r.granted.length === 0));

    const wrong = await token(world, 'repository:ferry/oci:pull', 'nope');
    assert.equal(wrong.status, 401);
    assert.ok(JSON.parse(wrong.body.toString()).errors[0].message);
    const anonymous = await fetchBytes(`${world.source.realm}?service=${world.source.service}&scope=repository:ferry/oci:pull`, {
      ca: world.ca.certPem,
    });
    assert.equal(anonymous.status, 401);
    await assert.rejects(skopeo(world, ['inspect', '--no-creds', `docker://${fixtures.oci.ref}`]), /401|unauthorized|authentication required/i);
  });

  test('the issuer grants only the allowed actions of the requested scopes and signs RS256 tokens with x5c', async () => {
    const res = await token(world, 'repository:ferry/oci:pull,push,delete');
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body.toString()) as { token: string; access_token: string; expires_in: number; issued_at: string };
    assert.equal(body.token, body.access_token);
    assert.ok(body.expires_in > 0 && !Number.isNaN(Date.parse(body.issued_at)));
    const [header, claims] = body.token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    assert.equal(header.alg, 'RS256');
    assert.equal(header.x5c.length, 1);
    assert.equal(claims.aud, world.source.service);
    assert.equal(claims.sub, world.source.username);
    assert.deepEqual(claims.access, [{ type: 'repository', name: 'ferry/oci', actions: ['pull', 'push'] }]);

    // The registry accepts the token: a manifest fetch with it succeeds, one without it does not.
    const pullToken = JSON.parse((await token(world, 'repository:ferry/oci:pull')).body.toString()).token as string;
    const accept = 'application/vnd.oci.image.manifest.v1+json';
    const ok = await fetchBytes(`${world.source.url}/v2/ferry/oci/manifests/v1`, {
      ca: world.ca.certPem,
      headers: { authorization: `Bearer ${pullToken}`, accept },
    });
    assert.equal(ok.status, 200);
    assert.equal(sha256(ok.body), fixtures.oci.digest);
    const other = await fetchBytes(`${world.source.url}/v2/ferry/schema2/manifests/v1`, {
      ca: world.ca.certPem,
      headers: { authorization: `Bearer ${pullToken}` },
    });
    assert.equal(other.status, 401, 'a token for ferry/oci does not open ferry/schema2');
  });

  test('a big layer is streamed in, exactly sized; the cut proxy resets one transfer mid-blob, then passes', async () => {
    const size = 4 * 1024 * 1024;
    const big = await pushBigImage(world, size);
    assert.equal(big.layerSize, size);
    const stored = await readFile(blobPath(world.source, big.layerDigest));
    assert.equal(stored.length, size);
    assert.equal(sha256(stored), big.layerDigest);
    const raw = (await skopeo(world, ['inspect', '--raw', `docker://${big.ref}`])).stdout;
    assert.equal(sha256(raw), big.digest);
    assert.equal(JSON.parse(raw).layers[0].digest, big.layerDigest);

    const proxy = await startCutProxy(world.source, { cutAfterBytes: 1024 * 1024, times: 1 });
    try {
      const bearer = JSON.parse((await token(world, 'repository:ferry/big:pull')).body.toString()).token as string;
      const url = `https://${proxy.host}/v2/ferry/big/blobs/${big.layerDigest}`;
      const opts = { ca: world.ca.certPem, headers: { authorization: `Bearer ${bearer}` } };
      const first = await fetchBytes(url, opts);
      assert.ok(first.error, 'first transfer fails');
      assert.ok(first.body.length < size, `first transfer is partial (${first.body.length} bytes)`);
      assert.equal(proxy.cuts, 1);
      const second = await fetchBytes(url, opts);
      assert.equal(second.error, undefined);
      assert.equal(second.status, 200);
      assert.equal(sha256(second.body), big.layerDigest);
      assert.equal(proxy.cuts, 1);
      assert.equal(proxy.connections, 2);
    } finally {
      await proxy.close();
    }
  });

  test('corruptBlob keeps the size and breaks the digest, so skopeo refuses the image', async () => {
    const path = blobPath(world.mirror, fixtures.sharedLayer);
    const before = await readFile(path);
    await corruptBlob(world.mirror, fixtures.sharedLayer);
    const after = await readFile(path);
    assert.equal(after.length, before.length);
    assert.notEqual(sha256(after), fixtures.sharedLayer);
    const out = tempDir('corrupt-copy');
    try {
      await assert.rejects(
        skopeo(world, ['copy', '--quiet', `docker://${world.mirror.host}/${fixtures.oci.repository}:v1`, `dir:${join(out.path, 'img')}`]),
        /digest/i,
      );
    } finally {
      await out.cleanup();
    }
  });

  test('stop() ends every process and removes the temp dir, and can be called again', async () => {
    const pids = [world.source.pid, world.mirror.pid];
    for (const pid of pids) assert.doesNotThrow(() => process.kill(pid, 0), `registry ${pid} runs before stop`);
    await world.stop();
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `registry ${pid} is gone`);
    assert.equal(existsSync(world.dir), false);
    await world.stop();
  });
});

describe('test world with anonymous pull', () => {
  let world: TestWorld;
  let fixtures: Fixtures;
  before(async () => {
    world = await startTestWorld({ anonymousPull: true });
    fixtures = await pushFixtures(world);
  });
  after(() => world?.stop());

  test('anonymous clients may pull from the source but get no push', async () => {
    const raw = (await skopeo(world, ['inspect', '--no-creds', '--raw', `docker://${fixtures.oci.ref}`])).stdout;
    assert.equal(sha256(raw), fixtures.oci.digest);
    const anonymous = world.tokenRequests().find((r) => r.account === undefined && r.ok);
    assert.ok(anonymous);
    const res = await fetchBytes(`${world.source.realm}?service=${world.source.service}&scope=repository:ferry/oci:pull,push`, {
      ca: world.ca.certPem,
    });
    assert.equal(res.status, 200);
    const claims = JSON.parse(Buffer.from((JSON.parse(res.body.toString()).token as string).split('.')[1]!, 'base64url').toString());
    assert.deepEqual(claims.access, [{ type: 'repository', name: 'ferry/oci', actions: ['pull'] }]);
    await assert.rejects(
      skopeo(world, ['copy', '--quiet', '--dest-no-creds', `docker://${fixtures.oci.ref}`, `docker://${world.source.host}/anon/copy:v1`]),
      /401|unauthorized|denied|authentication required/i,
    );
  });
});
