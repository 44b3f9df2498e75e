import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startShapingProxy, type ShapingProxy } from '../../support/shaping-proxy';

// The bench's modelled WAN link: it must carry every byte, in order, in both directions, and end
// the stream where the server ends it. (Its rates are the bench's business, not a test's.)
describe('shaping proxy (the bench WAN link)', () => {
  const payload = randomBytes(3 * 1024 * 1024 + 17);
  const server = createServer((s) => {
    const hash = createHash('sha256');
    s.on('data', (c: Buffer) => hash.update(c));
    s.on('end', () => s.end(Buffer.concat([Buffer.from(hash.digest('hex')), payload])));
  });
  let proxy: ShapingProxy;
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    proxy = await startShapingProxy({ host: `127.0.0.1:${port}` }, { name: 'test', perConnection: 200e6, total: 400e6, delayMs: 20 });
  });
  after(async () => {
    await proxy.close();
    server.close();
  });

  it('passes every byte both ways, in order, and the end of stream, after the one-way delays', async () => {
    const up = randomBytes(700 * 1024);
    const [host, port] = proxy.host.split(':') as [string, string];
    const started = performance.now();
    const got = await new Promise<Buffer>((resolve, reject) => {
      const c = connect(Number(port), host, () => c.end(up));
      const chunks: Buffer[] = [];
      c.on('data', (d: Buffer) => chunks.push(d));
      c.on('end', () => resolve(Buffer.concat(chunks)));
      c.on('error', reject);
    });
    const elapsed = performance.now() - started;
    assert.equal(got.subarray(0, 64).toString(), createHash('sha256').update(up).digest('hex'));
    assert.ok(got.subarray(64).equals(payload), 'the server’s bytes arrive whole and in order');
    assert.equal(proxy.bytesDown, got.length);
    // A request and its answer cross the link once each way: at least two one-way delays.
    assert.ok(elapsed >= 40, `round trip took ${elapsed.toFixed(1)} ms`);
  });
});
