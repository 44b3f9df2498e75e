import { useSyncExternalStore } from 'react';

/**
 * Hash routes (#/export/plan): they work the same from file:// in Electron and http:// in serve mode,
 * and a reload lands on the same screen.
 */
export type Route =
  | { screen: 'start' }
  | { screen: 'export'; step?: string }
  | { screen: 'import'; step?: string }
  | { screen: 'jobs'; id?: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [head, arg] = parts;
  if (head === 'export' || head === 'import') return arg ? { screen: head, step: arg } : { screen: head };
  if (head === 'jobs') return arg ? { screen: 'jobs', id: arg } : { screen: 'jobs' };
  return { screen: 'start' };
}

export function routeHref(route: Route): string {
  switch (route.screen) {
    case 'start':
      return '#/';
    case 'jobs':
      return route.id ? `#/jobs/${encodeURIComponent(route.id)}` : '#/jobs';
    default:
      return route.step ? `#/${route.screen}/${encodeURIComponent(route.step)}` : `#/${route.screen}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
