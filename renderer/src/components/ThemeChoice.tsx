import { useEffect, useId } from 'react';
import { themeChoices, type ThemeChoice as Theme } from '../../../shared/api/settings';
import { remember, useSettings } from '../settings';

const LABELS: Record<Theme, string> = { system: 'As the system', light: 'Light', dark: 'Dark' };

/**
 * The app follows the OS's light or dark setting (CSS light-dark(), ferry.css) unless the operator picks
 * one here; the choice is remembered by the host like the other settings.
 */
export function ThemeChoice() {
  const id = useId();
  const theme = useSettings()?.theme ?? 'system';
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
  }, [theme]);
  return (
    <span className="theme-choice">
      <label htmlFor={id}>Theme</label>
      <select id={id} value={theme} onChange={(e) => void (e.target.value === 'system' ? remember({}, ['theme']) : remember({ theme: e.target.value as Theme }))}>
        {themeChoices.map((t) => (
          <option key={t} value={t}>
            {LABELS[t]}
          </option>
        ))}
      </select>
    </span>
  );
}
