import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { FerryError } from '../../../shared/errors';
import { fetchStoreSignatures, signatureUrl } from '../../../electron/engine/release-signatures/store';
import { isSignatureArtifactTag } from '../../../electron/engine/transfer/signature-artifacts';
import { mirrorReference } from '../../../electron/engine/transfer/destination';
import { parseMirrorTarget } from '../../../shared/mirror-mapping';

const hex = (c: string) => c.repeat(64);

/**
 * The signature store protocol as library-go's sigstore client reads it, against a real local HTTP server:
 * signature-1.. until the first 404, at most nine, bodies at most 50 KiB, empty answers skipped, redirects followed.
 */
let server: Server;
let base: string;
const requests: string[] = [];
const dispatcher = new Agent();

before(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const m = /\/sha256=([0-9a-f]{64})\/signature-(\d+)$/.exec(path);
    const [digest, n] = m ? [m[1]!, Number(m[2])] : ['', 0];
    if (digest === hex('a') && n <= 2) return void res.end(`sig-${n}`);
    if (digest === hex('b')) return void res.end(`sig-${n}`); // never a 404
    if (digest === hex('c') && n === 1) return void res.end(Buffer.alloc(50 * 1024 + 1));
    if (digest === hex('d') && n === 1) return void res.writeHead(500).end('oops');
    if (digest === hex('e') && n === 1) return void res.end(''); // empty: skipped, read on
    if (digest === hex('e') && n === 2) return void res.writeHead(302, { location: `/elsewhere/e-2` }).end();
    if (path === '/elsewhere/e-2') return void res.end('moved');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pub/release/`;
});
after(async () => {
  await dispatcher.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('the URL is <store>/sha256=<hex>/signature-<n>, joined like Go path.Join', () => {
  assert.equal(signatureUrl('https://mirror.openshift.com/pub/openshift-v4/signatures/openshift/release', `sha256:${hex('a')}`, 1).href, `https://mirror.openshift.com/pub/openshift-v4/signatures/openshift/release/sha256=${hex('a')}/signature-1`);
  assert.equal(signatureUrl('https://store.example/sigs/', `sha256:${hex('a')}`, 3).href, `https://store.example/sigs/sha256=${hex('a')}/signature-3`);
  assert.throws(() => signatureUrl('ftp://store.example/', `sha256:${hex('a')}`, 1), (e: unknown) => e instanceof FerryError && e.code === 'USAGE');
  assert.throws(
    () => signatureUrl('https://user:s3cret@store.example/sigs', `sha256:${hex('a')}`, 1),
    (e: unknown) => e instanceof FerryError && e.code === 'USAGE' && !e.message.includes('s3cret') && !e.message.includes('user:'),
  );
});

test('reads until the first 404, and never more than nine', async () => {
  const two = await fetchStoreSignatures(base, `sha256:${hex('a')}`, { dispatcher });
  assert.deepEqual(two.map((s) => [s.index, Buffer.from(s.bytes).toString()]), [[1, 'sig-1'], [2, 'sig-2']]);
  assert.ok(requests.some((p) => p.endsWith(`sha256=${hex('a')}/signature-3`)));
  assert.ok(!requests.some((p) => p.endsWith(`sha256=${hex('a')}/signature-4`)));
  const nine = await fetchStoreSignatures(base, `sha256:${hex('b')}`, { dispatcher });
  assert.equal(nine.length, 9);
  assert.deepEqual(await fetchStoreSignatures(base, `sha256:${hex('f')}`, { dispatcher }), []);
});

test('an empty answer is skipped, a redirect followed; an over-long body or a server error is refused', async () => {
  const e = await fetchStoreSignatures(base, `sha256:${hex('e')}`, { dispatcher });
  assert.deepEqual(e.map((s) => [s.index, Buffer.from(s.bytes).toString()]), [[2, 'moved']]);
  await assert.rejects(fetchStoreSignatures(base, `sha256:${hex('c')}`, { dispatcher }), (err: unknown) => err instanceof FerryError && err.code === 'BAD_RESPONSE' && /larger than 51200 bytes/.test(err.message));
  await assert.rejects(fetchStoreSignatures(base, `sha256:${hex('d')}`, { dispatcher }), (err: unknown) => err instanceof FerryError && /HTTP 500/.test(err.message));
});

test('signature artifact tags keep their tag in the mirror, beside the image', () => {
  const digest = `sha256:${hex('a')}`;
  assert.ok(isSignatureArtifactTag(`sha256-${hex('a')}.sig`));
  assert.ok(isSignatureArtifactTag(`sha256-${hex('a')}`));
  assert.ok(!isSignatureArtifactTag('4.15.3-x86_64'));
  assert.ok(!isSignatureArtifactTag(`sha256-${hex('a')}.att.sig`));
  const target = parseMirrorTarget('mirror.example:5000/ocp4');
  const sig = mirrorReference({ source: `quay.io/openshift-release-dev/ocp-v4.0-art-dev:sha256-${hex('a')}.sig@sha256:${hex('9')}`, role: 'component', digest: `sha256:${hex('9')}` }, target);
  assert.deepEqual(sig, { registry: 'mirror.example:5000', repository: 'ocp4/ocp-v4.0-art-dev', tag: `sha256-${hex('a')}.sig` });
  const onRelease = mirrorReference({ source: `quay.io/openshift-release-dev/ocp-release:sha256-${hex('a')}@sha256:${hex('9')}`, role: 'release', digest }, target, { version: '4.15.3', architecture: 'x86_64' });
  assert.equal(onRelease.tag, `sha256-${hex('a')}`);
});
