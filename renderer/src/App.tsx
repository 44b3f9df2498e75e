import { useEffect, useRef } from 'react';
import { useAppInfo } from './api';
import { ErrorCallout } from './components/Callout';
import { ThemeChoice } from './components/ThemeChoice';
import { useJobNotifications } from './notify';
import { routeHref, useRoute, type Route } from './router';
import { StartScreen } from './screens/StartScreen';
import { JobsScreen } from './screens/JobsScreen';
import { ExportJourney } from './screens/export/ExportJourney';
import { ImportJourney } from './screens/import/ImportJourney';

function NavLink({ route, current, children }: { route: Route; current: Route; children: string }) {
  return (
    <a href={routeHref(route)} aria-current={route.screen === current.screen ? 'page' : undefined}>
      {children}
    </a>
  );
}

export function App() {
  const route = useRoute();
  const { info, error } = useAppInfo();
  const main = useRef<HTMLElement>(null);
  useJobNotifications();
  // Move focus to the new screen so keyboard and screen-reader users start at its content. Journeys
  // focus their step heading themselves (child effects run first; this must not take it back).
  useEffect(() => {
    if (route.screen !== 'export' && route.screen !== 'import') main.current?.focus();
  }, [route.screen]);
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="#/">
          Ferry
        </a>
        <nav aria-label="Main">
          <NavLink route={{ screen: 'export' }} current={route}>
            Export
          </NavLink>
          <NavLink route={{ screen: 'import' }} current={route}>
            Import
          </NavLink>
          <NavLink route={{ screen: 'jobs' }} current={route}>
            Jobs
          </NavLink>
        </nav>
        <span className="spacer" style={{ flex: 1 }} />
        <ThemeChoice />
        {info ? <span className="muted" style={{ color: '#d6dbe3' }}>{`v${info.version} · ${info.mode === 'serve' ? 'browser (ferry serve)' : 'desktop'}`}</span> : null}
      </header>
      <main className="main" ref={main} tabIndex={-1}>
        {error ? <ErrorCallout error={error} /> : null}
        {route.screen === 'start' ? <StartScreen /> : null}
        {route.screen === 'export' ? <ExportJourney step={route.step} /> : null}
        {route.screen === 'import' ? <ImportJourney step={route.step} /> : null}
        {route.screen === 'jobs' ? <JobsScreen id={route.id} /> : null}
      </main>
    </div>
  );
}
