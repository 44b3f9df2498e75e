import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface DelayProxy {
  /** "127.0.0.1:PORT" */
  host: string;
  connections: number;
  close(): Promise<void>;
}

/** Bytes held back per connection before its server side is paused. */
const BACKLOG = 1024 * 1024;

/**
 * A TCP pass-through (TLS untouched) that delivers each connection's server-to-client bytes late, by
 * `delaysMs[k % delaysMs.length]` for the k-th connection: responses on a slow connection arrive after
 * those on a fast one, so blobs requested in one order complete in another. Order within a connection
 * is kept; nothing is dropped.
 */
export async function startDelayProxy(target: { host: string }, delaysMs: readonly number[]): Promise<DelayProxy> {
  const colon = target.host.lastIndexOf(':');
  const targetHost = target.host.slice(0, colon);
  const targetPort = Number(target.host.slice(colon + 1));
  const sockets = new Set<Socket>();
  const state = { connections: 0 };

  const server = createServer({ allowHalfOpen: true }, (client) => {
    const delay = delaysMs[state.connections++ % delaysMs.length]!;
    const upstream = connect({ port: targetPort, host: targetHost, allowHalfOpen: true });
    const timers = new Set<NodeJS.Timeout>();
    const drop = () => {
      for (const t of timers) clearTimeout(t);
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', drop);
    }
    client.pipe(upstream);
    let held = 0;
    const later = (fn: () => void) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, delay);
      timers.add(t);
    };
    upstream.on('data', (chunk: Buffer) => {
      held += chunk.length;
      if (held > BACKLOG) upstream.pause();
      later(() => {
        held -= chunk.length;
        client.write(chunk);
        if (held <= BACKLOG / 2) upstream.resume();
      });
    });
    upstream.on('end', () => later(() => client.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
