import { FerryError } from '../errors';
import { errorEnvelopeSchema } from './envelope';
import { eventNames, methodNames, type EventName, type EventOf, type FerryApi } from './contract';
import type { ApiTransport } from './transport';

/**
 * Builds the typed API over any transport. The renderer calls `createApiClient(transport)` once and
 * never learns whether it talks to Electron's preload or to `ferry serve`.
 * A reply with `ok:false` rejects with a FerryError carrying the same code, message and hint.
 */
export function createApiClient(transport: ApiTransport): FerryApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of methodNames) {
    const [ns, short] = name.split('.') as [string, string];
    api[ns] ??= {};
    api[ns][short] = async (request: unknown = {}) => {
      const reply = await transport.invoke(name, request);
      if (reply.ok) return reply.result;
      throw FerryError.fromEnvelope(errorEnvelopeSchema.parse(reply.error));
    };
  }
  const subscribe = <E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): (() => void) => {
    if (!eventNames.includes(event)) throw new FerryError('USAGE', `"${event}" is not an event of the Ferry API.`);
    return transport.subscribe(event, (payload) => listener(payload as EventOf<E>));
  };
  return Object.assign(api, { subscribe }) as unknown as FerryApi;
}
