import { createServer, connect, type Socket, type AddressInfo } from 'node:net';

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
  const colon = target.host.lastIndexOf(':');
  const targetHost = target.host.slice(0, colon);
  const targetPort = Number(target.host.slice(colon + 1));
  const sockets = new Set<Socket>();
  const state = { connections: 0, cuts: 0 };

  const server = createServer((client) => {
    state.connections++;
    const upstream = connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // A reset is the point of this proxy: errors on either side just end the pair.
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    let sent = 0;
    let cut = false;
    upstream.on('data', (chunk: Buffer) => {
      if (cut) return;
      if (sent + chunk.length > opts.cutAfterBytes && state.cuts < opts.times) {
        cut = true;
        state.cuts++;
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  let closed: Promise<void> | undefined;
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    get connections() {
      return state.connections;
    },
    get cuts() {
      return state.cuts;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}
