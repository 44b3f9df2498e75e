import type { Socket } from 'node:net';
import { startTcpRelay } from './tcp-relay';

/**
 * A modelled WAN link in front of a server: a TCP pass-through (TLS untouched) where every
 * connection is held to `perConnection` bytes/s (what one TCP connection gets through its window
 * over the round trip), all connections together share `total` bytes/s (the link), and every byte
 * arrives `delayMs` after it was sent, in each direction. Bytes are scheduled, not dropped.
 *
 * The model is a fluid one, advanced by one clock for the whole proxy every TICK_MS: in each tick
 * every connection with bytes waiting may send up to its own cap × elapsed time, and the link's
 * capacity for that time is shared among them max-min fairly (a connection wanting less than an
 * equal share leaves the rest to the others). What is sent joins the connection's delay line and is
 * written to the receiver once `delayMs` has passed. (Reserving a send time per chunk as it arrived,
 * as this proxy first did, let one connection's future reservations push every other connection's
 * start past them: 16 connections shared one connection's rate.)
 *
 * A direction holds at most what its connection can have on the wire (cap × delay, the
 * bandwidth-delay product a window-limited TCP connection keeps in flight) plus WAITING_SECONDS of its
 * rate waiting to be sent; beyond that, or while the receiver has not taken BACKLOG already delivered, its sender is
 * paused, so a fast server fills the model and not the proxy's memory, and a slow reader slows the
 * sender as TCP's flow control would.
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
/**
 * Seconds of a connection's rate it may hold waiting to be sent (its sender's socket buffer): enough to
 * keep sending through a late tick, so that a busy machine's timers, not the modelled link, do not bind.
 */
const WAITING_SECONDS = 0.1;
/** What a direction may hold on the wire at most, whatever the profile: a bound on the proxy's memory. */
const MAX_IN_FLIGHT = 8 * 1024 * 1024;
const TICK_MS = 2;
/**
 * A tick the event loop delayed (a busy machine: on the shared bench host ticks came 10-40 ms apart) is made
 * up for in full up to this; what a lane can send in one tick is bounded by what it holds anyway.
 */
const MAX_TICK_MS = 500;
const END = Symbol('end');

/** One direction of one connection: bytes waiting to be sent, then bytes on the wire until they land. */
class Lane {
  private waiting: Array<Buffer | typeof END> = [];
  private waitingBytes = 0;
  private wire: Array<{ at: number; chunk: Buffer | typeof END }> = [];
  private wireBytes = 0;
  private stopped = false;
  private readonly limit: number;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly profile: LinkProfile,
    private readonly wake: () => void,
    private readonly delivered: (n: number) => void,
  ) {
    this.limit = Math.min((profile.perConnection * profile.delayMs) / 1000, MAX_IN_FLIGHT) + Math.max(BACKLOG, Math.min(profile.perConnection * WAITING_SECONDS, MAX_IN_FLIGHT));
    to.on('drain', () => this.resumeIfRoom());
  }

  get busy(): boolean {
    return !this.stopped && (this.waiting.length > 0 || this.wire.length > 0);
  }

  /** Bytes this lane could send now (an end with nothing before it counts as one, so it gets sent). */
  get demand(): number {
    return this.waiting.length === 0 ? 0 : Math.max(this.waitingBytes, 1);
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.waiting.push(chunk);
    this.waitingBytes += chunk.length;
    if (this.waitingBytes + this.wireBytes > this.limit || this.to.writableLength > BACKLOG) this.from.pause();
    this.wake();
  }

  /** Ends `to` once everything sent before the end has landed. */
  end(): void {
    if (this.stopped) return;
    this.waiting.push(END);
    this.wake();
  }

  stop(): void {
    this.stopped = true;
    this.waiting = [];
    this.wire = [];
  }

  /** Puts up to `budget` waiting bytes on the wire at `now`. */
  send(budget: number, now: number): void {
    const at = now + this.profile.delayMs;
    while (this.waiting.length > 0) {
      const head = this.waiting[0]!;
      if (head === END) {
        this.waiting.shift();
        this.wire.push({ at, chunk: END });
        continue;
      }
      if (budget <= 0) break;
      const n = Math.min(head.length, Math.floor(budget));
      if (n === 0) break;
      const chunk = n === head.length ? head : head.subarray(0, n);
      if (n === head.length) this.waiting.shift();
      else this.waiting[0] = head.subarray(n);
      this.waitingBytes -= n;
      this.wireBytes += n;
      budget -= n;
      this.wire.push({ at, chunk });
    }
  }

  /** Writes to the receiver what has landed by `now`. */
  land(now: number): void {
    while (this.wire.length > 0 && this.wire[0]!.at <= now) {
      const { chunk } = this.wire.shift()!;
      if (chunk === END) {
        this.to.end();
        continue;
      }
      this.wireBytes -= chunk.length;
      this.delivered(chunk.length);
      this.to.write(chunk);
    }
    this.resumeIfRoom();
  }

  private resumeIfRoom(): void {
    if (this.stopped) return;
    if (this.waitingBytes + this.wireBytes <= this.limit - BACKLOG / 2 && this.to.writableLength <= BACKLOG) this.from.resume();
  }
}

/** The proxy's clock: one timer for every lane of both directions, running only while some lane is busy. */
class Clock {
  private readonly up = new Set<Lane>();
  private readonly down = new Set<Lane>();
  private timer: NodeJS.Timeout | undefined;
  private last = 0;

  constructor(private readonly profile: LinkProfile) {}

  add(lane: Lane, direction: 'up' | 'down'): void {
    (direction === 'up' ? this.up : this.down).add(lane);
  }

  remove(lane: Lane): void {
    this.up.delete(lane);
    this.down.delete(lane);
  }

  wake = (): void => {
    if (this.timer) return;
    this.last = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  };

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = performance.now();
    const seconds = Math.min(now - this.last, MAX_TICK_MS) / 1000;
    this.last = now;
    let busy = false;
    for (const lanes of [this.up, this.down]) {
      this.share(lanes, seconds, now);
      for (const lane of lanes) {
        lane.land(now);
        busy ||= lane.busy;
      }
    }
    if (!busy) this.stop();
  }

  /** Max-min fair shares of the link's capacity for `seconds`, each at most the connection's own cap. */
  private share(lanes: Set<Lane>, seconds: number, now: number): void {
    const cap = this.profile.perConnection * seconds;
    const wants = [...lanes].map((lane) => ({ lane, want: Math.min(lane.demand, cap) })).filter((w) => w.want > 0);
    wants.sort((a, b) => a.want - b.want);
    let left = this.profile.total * seconds;
    for (const [i, { lane, want }] of wants.entries()) {
      const given = Math.min(want, left / (wants.length - i));
      lane.send(given, now);
      left -= given;
    }
  }
}

export async function startShapingProxy(target: { host: string }, profile: LinkProfile): Promise<ShapingProxy> {
  const clock = new Clock(profile);
  let bytesDown = 0;
  const relay = await startTcpRelay(target, (client, upstream) => {
    const up = new Lane(client, upstream, profile, clock.wake, () => undefined);
    const down = new Lane(upstream, client, profile, clock.wake, (n) => (bytesDown += n));
    clock.add(up, 'up');
    clock.add(down, 'down');
    const drop = () => {
      for (const lane of [up, down]) {
        lane.stop();
        clock.remove(lane);
      }
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
    async close() {
      clock.stop();
      await relay.close();
    },
  };
}
