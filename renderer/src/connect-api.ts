import { createApiClient } from '../../shared/api/client';
import type { FerryApi } from '../../shared/api/contract';
import { createWebSocketTransport } from '../../shared/api/ws-transport';
import type { ApiTransport } from '../../shared/api/transport';
import { WS_PATH } from '../../shared/api/wire';

// The DOM half of the transport seam lives here, so shared/ stays free of DOM types.
declare global {
  interface Window {
    /** Present only inside the Electron app (set by the preload script). */
    ferry?: ApiTransport;
  }
}

/**
 * The renderer's API in whichever host it runs: the Electron preload's `window.ferry`, else the
 * serve-mode WebSocket on the page's own origin (the session cookie set by `ferry serve` carries
 * the token, so the token can be dropped from the address bar after the first load).
 */
export function connectApi(win: Window = window): FerryApi {
  if (win.ferry) return createApiClient(win.ferry);
  const { protocol, host } = win.location;
  const socket = new WebSocket(`${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${WS_PATH}`);
  return createApiClient(createWebSocketTransport(socket));
}
