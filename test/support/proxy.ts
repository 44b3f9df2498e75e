import { startTcpRelay } from './tcp-relay';

export interface CutProxy {
  host: string; // "127.0.0.1:PORT"
  /** Connections accepted so far. */
  connections: number;
  /** Connections cut so far. */
  cuts: number;
  close(): Promise<void>;
}

/**
 * A TCP pass-through to `target` (TLS goes through untouched, so clients still verify the real server
 * certificate). The first `times` connections whose server-to-client traffic passes `cutAfterBytes`
 * get exactly `cutAfterBytes` through and are then reset (RST) on both sides, mid-transfer. Later
 * connections pass untouched.
 */
export async function startCutProxy(target: { host: string }, opts: { cutAfterBytes: number; times: number }): Promise<CutProxy> {
  let cuts = 0;
  const relay = await startTcpRelay(target, (client, upstream) => {
    // A reset is the point of this proxy: errors on either side just end the pair.
    for (const s of [client, upstream]) {
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    let sent = 0;
    let cut = false;
    upstream.on('data', (chunk: Buffer) => {
      if (cut) return;
      if (sent + chunk.length > opts.cutAfterBytes && cuts < opts.times) {
        cut = true;
        cuts++;
        const head = chunk.subarray(0, opts.cutAfterBytes - sent);
        sent = opts.cutAfterBytes;
        // Let the head reach the client, then reset: the client sees a partial body and an RST.
        client.write(head, () => {
          client.resetAndDestroy();
          upstream.resetAndDestroy();
        });
        upstream.pause();
        return;
      }
      sent += chunk.length;
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => {
      if (!cut) upstream.resume();
    });
    client.on('data', (chunk: Buffer) => {
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  return {
    host: relay.host,
    get connections() {
      return relay.connections;
    },
    get cuts() {
      return cuts;
    },
    close: () => relay.close(),
  };
}
