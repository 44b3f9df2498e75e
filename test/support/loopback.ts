import type { AddressInfo, Server } from 'node:net';

/** Listens on a free port of 127.0.0.1 and resolves to its "127.0.0.1:PORT": every test server binds this way. */
export function listenOnLoopback(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}
