import { useSyncExternalStore } from 'react';

/**
 * State of a journey (current step, choices made, job ids), kept in sessionStorage so the operator
 * can leave a journey and come back, or reload, and resume where they were. Jobs themselves live on
 * the privileged side; only their ids are kept here.
 *
 * Nothing secret may be put in a journey state: passwords and pull secrets live in component state
 * only until they are sent to `secrets.save` or a job. `assertNoSecretFields` enforces the naming
 * rule at runtime as a second line behind the types.
 */
export interface JourneyStore<T extends object> {
  get(): T;
  update(patch: Partial<T> | ((s: T) => Partial<T>)): void;
  reset(): void;
  subscribe(listener: () => void): () => void;
}

interface Storage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

// Any key naming a password, or a bare secret/token/auth value; references to stored secrets (pullSecretRef) are fine.
const SECRET_KEY = /password|passphrase|^(pullSecret|pullSecretText|secret|token|auth|value)$/i;

export function assertNoSecretFields(value: unknown, path = ''): void {
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEY.test(k)) throw new Error(`journey state may not hold "${path}${k}": secrets are never persisted in the browser`);
    assertNoSecretFields(v, `${path}${k}.`);
  }
}

export function createJourneyStore<T extends object>(key: string, initial: T, storage: Storage | undefined = globalThis.sessionStorage): JourneyStore<T> {
  const load = (): T => {
    try {
      const raw = storage?.getItem(key);
      return raw ? { ...initial, ...(JSON.parse(raw) as Partial<T>) } : initial;
    } catch {
      // A corrupt entry (hand-edited, older build) must not break the app: start the journey afresh.
      return initial;
    }
  };
  let state = load();
  const listeners = new Set<() => void>();
  const set = (next: T) => {
    assertNoSecretFields(next);
    state = next;
    storage?.setItem(key, JSON.stringify(next));
    for (const l of listeners) l();
  };
  return {
    get: () => state,
    update: (patch) => set({ ...state, ...(typeof patch === 'function' ? patch(state) : patch) }),
    reset: () => {
      state = initial;
      storage?.removeItem(key);
      for (const l of listeners) l();
    },
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

export function useStore<T extends object>(store: JourneyStore<T>): T {
  return useSyncExternalStore(store.subscribe, store.get);
}
