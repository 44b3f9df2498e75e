import { useState } from 'react';
import { getApi, isUnavailable, useAppInfo } from '../api';
import { Button } from './Button';

/**
 * "Show in folder" for media and reports, where the host has a file manager to open (the desktop app).
 * In a browser on `ferry serve` the files are on the server's disk: the button is not offered.
 */
export function ShowInFolder({ path, what }: { path: string; what: string }) {
  const { info } = useAppInfo();
  const [error, setError] = useState<string>();
  if (!path || !info || info.mode !== 'electron' || isUnavailable(info, 'fs.showInFolder')) return null;
  const show = async () => {
    try {
      setError(undefined);
      await getApi().fs.showInFolder({ path });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <span className="show-in-folder">
      <Button small onClick={() => void show()} aria-label={`Show ${what} in its folder`}>
        Show in folder
      </Button>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
