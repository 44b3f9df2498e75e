import { startTcpRelay, type TcpRelay } from './tcp-relay';

export type DelayProxy = TcpRelay;

/** Bytes held back per connection before its server side is paused. */
const BACKLOG = 1024 * 1024;

/**
 * A TCP pass-through (TLS untouched) that delivers each connection's server-to-client bytes late, by
 * `delaysMs[k % delaysMs.length]` for the k-th connection: responses on a slow connection arrive after
 * those on a fast one, so blobs requested in one order complete in another. Order within a connection
 * is kept; nothing is dropped.
 */
export async function startDelayProxy(target: { host: string }, delaysMs: readonly number[]): Promise<DelayProxy> {
  return startTcpRelay(target, (client, upstream, index) => {
    const delay = delaysMs[index % delaysMs.length]!;
    const timers = new Set<NodeJS.Timeout>();
    const drop = () => {
      for (const t of timers) clearTimeout(t);
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) s.on('error', drop);
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
}
