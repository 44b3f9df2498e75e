import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { parseReference } from '../../../shared/reference';
import { engineOptionsFrom, parseSourceMirror, sourceLocation } from '../../../electron/engine/context';
import { parseEndpoint } from '../../../electron/engine/copy/endpoints';
import { createLimiter } from '../../../electron/engine/copy/limit';
import { chunksOf, contentRangeMatches } from '../../../electron/engine/registry/client';
import { MediaType, parseManifest, parsePlatform, platformMatches } from '../../../electron/engine/registry/manifest';
import { certificatesToPem } from '../../../electron/engine/registry/tls';
import { FerryError } from '../../../shared/errors';
import { tempDir } from '../../support/tmp';

describe('source mirrors', () => {
  it('parses FROM=TO once and rewrites by the longest matching prefix on a path boundary', () => {
    const mirrors = ['quay.io=mirror:5000/all', 'quay.io/openshift-release-dev=mirror:5000/ocp'].map(parseSourceMirror);
    const at = (r: string) => {
      const l = sourceLocation(parseReference(r), mirrors);
      return `${l.registry}/${l.repository}${l.tag ? `:${l.tag}` : ''}`;
    };
    assert.equal(at('quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64'), 'mirror:5000/ocp/ocp-release:4.15.3-x86_64');
    assert.equal(at('quay.io/openshift-release-devx/a:1'), 'mirror:5000/all/openshift-release-devx/a:1');
    assert.equal(at('registry.redhat.io/ubi9:1'), 'registry.redhat.io/ubi9:1');
  });

  it('rejects a malformed --source-mirror as usage', () => {
    for (const bad of ['quay.io', '=x.io', 'quay.io=', 'not a host=x.io']) {
      assert.throws(() => parseSourceMirror(bad), (e: unknown) => e instanceof FerryError && e.code === 'USAGE', bad);
    }
  });

  it('maps the common CLI options onto EngineOptions', () => {
    const o = engineOptionsFrom({ authfile: '/a.json', caFile: ['/ca.der'], sourceMirror: ['a.io=b.io/x'], parallel: 3 });
    assert.deepEqual(o, { authfile: '/a.json', caFiles: ['/ca.der'], sourceMirrors: [{ from: 'a.io', to: 'b.io/x' }], parallel: 3 });
  });
});

describe('endpoints', () => {
  it('parses docker:// and oci: and bare references for inspect', () => {
    assert.deepEqual(parseEndpoint('docker://127.0.0.1:5000/a/b:v1'), { transport: 'docker', ref: { registry: '127.0.0.1:5000', repository: 'a/b', tag: 'v1' } });
    assert.deepEqual(parseEndpoint('oci:/tmp/l:ref'), { transport: 'oci', dir: '/tmp/l', ref: 'ref' });
    assert.equal(parseEndpoint('localhost:5000/a', { bareIsDocker: true }).transport, 'docker');
    assert.throws(() => parseEndpoint('dir:/tmp/x', { bareIsDocker: true }), /transport/);
    assert.throws(() => parseEndpoint('127.0.0.1:5000/a'), /transport/);
    assert.throws(() => parseEndpoint('docker://Bad/Repo'), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_REFERENCE');
  });
});

describe('manifests and platforms', () => {
  it('classifies the four media types from the document or the served type', () => {
    const img = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.dockerManifest, config: { digest: 'sha256:' + 'a'.repeat(64), size: 1 }, layers: [] }));
    assert.equal(parseManifest(img, 'application/json', 'x').mediaType, MediaType.dockerManifest);
    const ociNoType = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: 'sha256:' + 'a'.repeat(64), size: 1 }, layers: [] }));
    assert.equal(parseManifest(ociNoType, MediaType.ociManifest, 'x').kind, 'image');
    const list = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.dockerList, manifests: [] }));
    assert.equal(parseManifest(list, undefined, 'x').kind, 'index');
    const s1 = Buffer.from(JSON.stringify({ schemaVersion: 1, fsLayers: [{ blobSum: 'sha256:' + 'b'.repeat(64) }], architecture: 'amd64' }));
    assert.equal(parseManifest(s1, MediaType.dockerSchema1Signed, 'x').kind, 'schema1');
    assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":2}'), undefined, 'reg/x:1'), /reg\/x:1 is not a valid image manifest/);
  });

  it('matches platforms with arm64/v8 equal to arm64', () => {
    assert.ok(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' }));
    assert.ok(platformMatches(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' }));
    assert.ok(!platformMatches(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v6' }));
    assert.ok(!platformMatches(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'ppc64le' }));
    assert.throws(() => parsePlatform('amd64'), /not a platform/);
  });
});

describe('transfer helpers', () => {
  it('accepts only a Content-Range that continues at the offset', () => {
    assert.ok(contentRangeMatches('bytes 100-199/200', 100, 200));
    assert.ok(contentRangeMatches('bytes 100-199/*', 100, 200));
    assert.ok(!contentRangeMatches('bytes 0-199/200', 100, 200));
    assert.ok(!contentRangeMatches(undefined, 100, 200));
  });

  it('cuts a stream into fixed-size chunks', async () => {
    const input = Readable.from([Buffer.from('abc'), Buffer.from('defgh'), Buffer.from('ij')]);
    const out: string[] = [];
    for await (const c of chunksOf(input, 4)) out.push(c.toString());
    assert.deepEqual(out, ['abcd', 'efgh', 'ij']);
  });

  it('passes on what it gathered before a failing stream fails only when asked (a cut download resumes from there)', async () => {
    async function* cut() {
      yield Buffer.from('abcdef');
      throw new Error('connection reset');
    }
    const read = async (flushOnError: boolean) => {
      const out: string[] = [];
      await assert.rejects(async () => {
        for await (const c of chunksOf(cut(), 4, { flushOnError })) out.push(c.toString());
      }, /connection reset/);
      return out;
    };
    assert.deepEqual(await read(true), ['abcd', 'ef']);
    assert.deepEqual(await read(false), ['abcd']);
  });

  it('runs at most n tasks at once, in order', async () => {
    const limit = createLimiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        limit(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setImmediate(r));
          order.push(i);
          running--;
        }),
      ),
    );
    assert.equal(peak, 2);
    assert.deepEqual(order, [1, 2, 3, 4, 5]);
  });

  it('asks a bound given as a function whenever a task could start: raised mid-run, more run at once from then on', async () => {
    let n = 1;
    const limit = createLimiter(() => n);
    let running = 0;
    const peaks: number[] = [];
    const gates = Array.from({ length: 6 }, () => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      return { promise, resolve };
    });
    const all = Promise.all(
      gates.map((g, i) =>
        limit(async () => {
          running++;
          peaks[i] = running;
          await g.promise;
          running--;
        }),
      ),
    );
    await new Promise((r) => setImmediate(r));
    assert.equal(running, 1, 'one at a time while the bound is 1');
    n = 3;
    gates[0]!.resolve();
    await new Promise((r) => setImmediate(r));
    assert.equal(running, 3, 'the first to end lets three run under the new bound');
    for (const g of gates) g.resolve();
    await all;
    assert.equal(Math.max(...peaks), 3);
  });

  it('a task that throws before returning its promise rejects its own call and frees its slot', async () => {
    const limit = createLimiter(1);
    await assert.rejects(
      limit(() => {
        throw new Error('at once');
      }),
      /at once/,
    );
    assert.equal(await limit(async () => 'next'), 'next');
  });

  it('reads CA files as PEM bundles or DER, and refuses junk', async () => {
    const dir = tempDir('ca-unit').path;
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c.pem'), '-subj', '/CN=t', '-days', '1'], { stdio: 'ignore' });
      execFileSync('openssl', ['x509', '-in', join(dir, 'c.pem'), '-outform', 'DER', '-out', join(dir, 'c.der')]);
      const pem = readFileSync(join(dir, 'c.pem'));
      assert.equal(certificatesToPem(Buffer.concat([pem, pem]), 'bundle').length, 2);
      assert.deepEqual(certificatesToPem(readFileSync(join(dir, 'c.der')), 'der'), certificatesToPem(pem, 'pem'));
      assert.throws(() => certificatesToPem(Buffer.from('junk'), 'junk.crt'), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && /junk\.crt/.test(e.message));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
