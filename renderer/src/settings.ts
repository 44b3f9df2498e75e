import { useEffect, useSyncExternalStore } from 'react';
import type { RequestOf } from '../../shared/api/contract';
import type { Settings } from '../../shared/api/settings';
import { getApi, isUnavailable, loadAppInfo } from './api';

/**
 * The host's remembered settings (settings.get) as this page knows them: asked once, then kept current
 * by every change the page makes. Remembering is a convenience: when the host cannot (an older build, a
 * damaged settings file) the app works as before with nothing prefilled.
 */
let current: Settings | undefined;
let loading: Promise<Settings> | undefined;
const listeners = new Set<() => void>();

function publish(next: Settings): Settings {
  current = next;
  for (const l of listeners) l();
  return next;
}

async function hostRemembers(): Promise<boolean> {
  const info = await loadAppInfo();
  return !isUnavailable(info, 'settings.get') && !isUnavailable(info, 'settings.update');
}

export function loadSettings(): Promise<Settings> {
  loading ??= hostRemembers()
    .then((yes) => (yes ? getApi().settings.get() : {}))
    .then(publish, () => publish({}));
  return loading;
}

/** Remembers these settings (and forgets `forget`) for the next session; nothing secret is accepted by the host. */
export async function remember(set: NonNullable<RequestOf<'settings.update'>['set']>, forget: RequestOf<'settings.update'>['forget'] = []): Promise<void> {
  if (!(await hostRemembers())) return;
  try {
    publish(await getApi().settings.update({ set, forget }));
  } catch {
    // Not remembered this time; the choice itself stands in the journey.
  }
}

export function useSettings(): Settings | undefined {
  useEffect(() => {
    void loadSettings();
  }, []);
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
