import type * as Undici from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import ClientClass from 'undici/lib/dispatcher/client.js';
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';
import ProxyAgentClass from 'undici/lib/dispatcher/proxy-agent.js';
import api from 'undici/lib/api/index.js';

/**
 * The part of undici the engine uses: its dispatchers and their request API. undici's index loads fetch,
 * WebSocket, EventSource, the cache store and the mock agents beside them, about 50 ms of every command's start
 * (`ferry mirror` spent it before its first request); these files are what that index itself requires for the
 * dispatchers (undici has no exports map, and package-lock pins the version: every registry test goes through
 * here). Like the index, the request methods are put on Dispatcher's prototype.
 */
Object.assign(DispatcherClass.prototype, api);

export const Agent: typeof Undici.Agent = AgentClass;
export const Client: typeof Undici.Client = ClientClass;
/** undici's Dispatcher class, to extend; its types stay `import type { Dispatcher } from 'undici'`. */
export const DispatcherBase: typeof Undici.Dispatcher = DispatcherClass;
export const ProxyAgent: typeof Undici.ProxyAgent = ProxyAgentClass;
export type Agent = Undici.Agent;
export type ProxyAgent = Undici.ProxyAgent;

/** undici's request(url, options): the same call on the dispatcher the options name. */
export function request(url: URL, options: Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Undici.Dispatcher }): Promise<Undici.Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  return dispatcher.request({ ...rest, origin: url.origin, path: `${url.pathname}${url.search}` });
}
