export * from './contract';
export * from './envelope';
export * from './jobs';
export type { ApiTransport } from './transport';
export { createApiClient } from './client';
export { createWebSocketTransport, type SocketLike } from './ws-transport';
