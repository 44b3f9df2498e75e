import type { Socket } from 'node:net';
import { startTcpRelay } from './tcp-relay';

/**
 * A modelled WAN link in front of a server: a TCP pass-through (TLS untouched) where every
 * connection is held to `perConnection` bytes/s (what one TCP connection gets through its window
 * over the round trip), all connections together share `total` bytes/s (the link), and every byte
 * arrives `delayMs` after it was sent, in each direction. Bytes are scheduled, not dropped: a chunk
 * leaves when both its connection's and the link's capacity allow, and lands `delayMs` later. The
 * reading side is paused while a direction holds more than `BACKLOG` bytes not yet delivered, so
 * a fast server fills the model, not the proxy's memory.
 */
export interface LinkProfile {
  name: string;
  /** Bytes per second one connection can carry. */
  perConnection: number;
  /** Bytes per second of the whole link. */
  total: number;
  /** One-way delay in milliseconds. */
  delayMs: number;
}

export interface ShapingProxy {
  /** "127.0.0.1:PORT" */
  host: string;
  connections: number;
  /** Bytes delivered server → client. */
  bytesDown: number;
  close(): Promise<void>;
}

const BACKLOG = 512 * 1024;

/** One direction of the link, shared by every connection: the time from which it is free again, in ms. */
interface Link {
  freeAt: number;
}

/** One direction of one connection: scheduled chunks delivered in order by a single timer. */
class Lane {
  private queue: Array<{ at: number; chunk: Buffer }> = [];
  private freeAt = 0;
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly link: Link,
    private readonly profile: LinkProfile,
    private readonly delivered: (n: number) => void,
  ) {}

  push(chunk: Buffer): void {
    const now = performance.now();
    const start = Math.max(now, this.freeAt, this.link.freeAt);
    this.freeAt = start + (chunk.length / this.profile.perConnection) * 1000;
    this.link.freeAt = start + (chunk.length / this.profile.total) * 1000;
    this.queue.push({ at: this.freeAt + this.profile.delayMs, chunk });
    this.queued += chunk.length;
    if (this.queued > BACKLOG) this.from.pause();
    this.schedule();
  }

  /** Ends `to` once everything queued before the end has been delivered. */
  end(): void {
    this.queue.push({ at: Math.max(performance.now(), this.freeAt) + this.profile.delayMs, chunk: Buffer.alloc(0) });
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue = [];
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.queue[0]!.at - performance.now()));
  }

  private flush(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.queue.length && this.queue[0]!.at <= now + 1) {
      const { chunk } = this.queue.shift()!;
      if (chunk.length === 0) {
        this.to.end();
        continue;
      }
      this.queued -= chunk.length;
      this.delivered(chunk.length);
      this.to.write(chunk);
    }
    if (this.queued <= BACKLOG / 2) this.from.resume();
    this.schedule();
  }
}

export async function startShapingProxy(target: { host: string }, profile: LinkProfile): Promise<ShapingProxy> {
  const uplink: Link = { freeAt: 0 };
  const downlink: Link = { freeAt: 0 };
  let bytesDown = 0;
  const relay = await startTcpRelay(target, (client, upstream) => {
    const up = new Lane(client, upstream, uplink, profile, () => undefined);
    const down = new Lane(upstream, client, downlink, profile, (n) => (bytesDown += n));
    const drop = () => {
      up.stop();
      down.stop();
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) s.on('error', drop);
    // The server may finish (and close) while its last bytes are still on the link: only the
    // client's going away, or an error, drops what is in flight.
    client.on('close', drop);
    client.on('data', (c: Buffer) => up.push(c));
    upstream.on('data', (c: Buffer) => down.push(c));
    client.on('end', () => up.end());
    upstream.on('end', () => down.end());
  });
  return {
    host: relay.host,
    get connections() {
      return relay.connections;
    },
    get bytesDown() {
      return bytesDown;
    },
    close: () => relay.close(),
  };
}
