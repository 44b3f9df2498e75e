import type { EventName, MethodName } from './contract';
import type { Envelope } from './envelope';
import type { ApiTransport } from './transport';
import { CLOSE_TOO_BIG, MAX_FRAME_BYTES, serverFrameSchema, type ClientFrame } from './wire';

/** The part of the WebSocket API this transport needs: the browser's WebSocket and `ws` both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'close', listener: (ev: { code?: number }) => void): void;
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
}

const OPEN = 1;

/**
 * ApiTransport over the serve-mode WebSocket. Calls wait for the socket to open; when it closes,
 * pending calls reject with UNREACHABLE instead of hanging.
 */
export function createWebSocketTransport(socket: SocketLike): ApiTransport & { close(): void } {
  let nextId = 1;
  const pending = new Map<number, (reply: Envelope<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let closed = false;
  const opened = new Promise<void>((resolve) => {
    if (socket.readyState === OPEN) resolve();
    else socket.addEventListener('open', () => resolve());
  });

  const lost = (): Envelope<unknown> => ({
    ok: false,
    error: { code: 'UNREACHABLE', message: 'The connection to Ferry was lost.', hint: 'Check that `ferry serve` is still running, then reload the page.' },
  });
  const tooBig = (bytes?: number): Envelope<unknown> => ({
    ok: false,
    error: {
      code: 'INVALID_INPUT',
      message: `The request ${bytes === undefined ? '' : `(${Math.ceil(bytes / 1024)} KiB) `}is larger than Ferry accepts (${MAX_FRAME_BYTES / 1024 / 1024} MiB per request).`,
      hint: 'Pull secrets, certificates and lists are kilobytes: check that the right file was chosen. Reload the page if the connection was closed.',
    },
  });
  let closeReply = lost;

  socket.addEventListener('message', (ev) => {
    if (typeof ev.data !== 'string') return;
    const parsed = serverFrameSchema.safeParse(JSON.parse(ev.data));
    if (!parsed.success) return;
    const frame = parsed.data;
    if (frame.type === 'reply') {
      pending.get(frame.id)?.(frame.reply as Envelope<unknown>);
      pending.delete(frame.id);
    } else {
      for (const l of listeners.get(frame.event) ?? []) l(frame.payload);
    }
  });
  socket.addEventListener('close', (ev) => {
    closed = true;
    if (ev?.code === CLOSE_TOO_BIG) closeReply = () => tooBig();
    for (const resolve of pending.values()) resolve(closeReply());
    pending.clear();
  });

  return {
    async invoke(method: MethodName, payload: unknown) {
      await opened;
      if (closed) return closeReply();
      const id = nextId++;
      const frame: ClientFrame = { type: 'invoke', id, method, payload };
      const text = JSON.stringify(frame);
      // Refused here the connection stays open; the server would have to close it. (UTF-8 is at most 3 bytes per UTF-16 unit.)
      if (text.length * 3 > MAX_FRAME_BYTES) {
        const bytes = new TextEncoder().encode(text).length;
        if (bytes > MAX_FRAME_BYTES) return tooBig(bytes);
      }
      return new Promise<Envelope<unknown>>((resolve) => {
        pending.set(id, resolve);
        socket.send(text);
      });
    },
    subscribe(event: EventName, listener: (payload: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    close() {
      socket.close();
    },
  };
}
