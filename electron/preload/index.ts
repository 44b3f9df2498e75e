import { contextBridge, ipcRenderer } from 'electron';
import type { ApiTransport } from '../../shared/api/transport';
import { IPC_EVENT, IPC_INVOKE } from './channels';

/**
 * Exposes exactly the API transport as `window.ferry`: one invoke and one subscribe, never
 * ipcRenderer itself. Main checks the sender and validates every payload.
 */
const listeners = new Map<string, Set<(payload: unknown) => void>>();

ipcRenderer.on(IPC_EVENT, (_event, name: string, payload: unknown) => {
  for (const l of listeners.get(name) ?? []) l(payload);
});

const ferry: ApiTransport = {
  invoke: (method, payload) => ipcRenderer.invoke(IPC_INVOKE, method, payload),
  subscribe(event, listener) {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  },
};

contextBridge.exposeInMainWorld('ferry', ferry);
