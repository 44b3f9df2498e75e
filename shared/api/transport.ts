import type { EventName, MethodName } from './contract';
import type { Envelope } from './envelope';

/**
 * The one seam between the API client and how bytes travel: the Electron preload exposes exactly this
 * object as `window.ferry`; serve mode implements it over a WebSocket. Payloads stay `unknown` here:
 * the privileged side validates them, the client types them.
 */
export interface ApiTransport {
  invoke(method: MethodName, payload: unknown): Promise<Envelope<unknown>>;
  /** Returns a disposer that stops delivery to this listener. */
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}
