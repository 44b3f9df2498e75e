import { connect, createServer, type Socket } from 'node:net';
import { listenOnLoopback } from './loopback';

/**
 * The plumbing every test proxy shares: a loopback server that opens a connection to `target` for
 * each client (both half-open, so an end can travel like data), tracks every socket so close() ends
 * them all, and hands the pair to `relay`, which decides how bytes cross (cut, shaped, delayed).
 * TLS passes through untouched, so clients still verify the real server's certificate.
 */
export interface TcpRelay {
  /** "127.0.0.1:PORT" */
  host: string;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export type RelayPair = (client: Socket, upstream: Socket, index: number) => void;

export async function startTcpRelay(target: { host: string }, relay: RelayPair): Promise<TcpRelay> {
  const colon = target.host.lastIndexOf(':');
  const targetHost = target.host.slice(0, colon);
  const targetPort = Number(target.host.slice(colon + 1));
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ port: targetPort, host: targetHost, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    relay(client, upstream, connections++);
  });
  const host = await listenOnLoopback(server);
  let closed: Promise<void> | undefined;
  return {
    host,
    get connections() {
      return connections;
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
