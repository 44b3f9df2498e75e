import { useState } from 'react';
import { getApi, isUnavailable, useAppInfo } from '../api';
import { Button } from './Button';
import { Field } from './Field';

/**
 * A path typed by the operator, with a native Browse… dialog where the host has one (Electron).
 * In serve mode the dialog is unavailable and the field alone is the way in. `recent` (the folder
 * last used, from the remembered settings) is offered with one click and is where the dialog opens;
 * it is never filled in unasked, since a path becomes readable only when the operator picks it.
 */
export function PathField({ label, help, value, onChange, kind, error, recent }: { label: string; help?: string; value: string; onChange: (v: string) => void; kind: 'directory' | 'file'; error?: string; recent?: string }) {
  const { info } = useAppInfo();
  const [pickError, setPickError] = useState<string>();
  const method = kind === 'directory' ? 'fs.pickDirectory' : 'fs.pickFile';
  const canPick = info !== undefined && info.mode === 'electron' && !isUnavailable(info, method);
  const pick = async () => {
    try {
      const api = getApi();
      const defaultPath = value.trim() || recent;
      const opts = { title: label, ...(defaultPath ? { defaultPath } : {}) };
      const res = kind === 'directory' ? await api.fs.pickDirectory(opts) : await api.fs.pickFile(opts);
      if (res.path) onChange(res.path);
    } catch (e) {
      setPickError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="row">
      <Field label={label} help={help} error={error ?? pickError}>
        <input type="text" value={value} spellCheck={false} autoComplete="off" onChange={(e) => onChange(e.target.value)} />
      </Field>
      {canPick ? (
        <div className="field" style={{ flex: '0 0 auto', justifyContent: 'flex-end' }}>
          <Button onClick={() => void pick()} aria-label={`Browse for ${label}`}>
            Browse…
          </Button>
        </div>
      ) : null}
      {recent && recent !== value.trim() ? (
        <div className="field" style={{ flex: '0 0 auto', justifyContent: 'flex-end' }}>
          <Button onClick={() => onChange(recent)} aria-label={`Use the last ${kind === 'directory' ? 'folder' : 'file'}, ${recent}, for ${label}`}>
            {`Use ${recent}`}
          </Button>
        </div>
      ) : null}
    </div>
  );
}
