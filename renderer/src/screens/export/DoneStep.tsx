import { useCallback, useEffect } from 'react';
import { getApi, useUnavailable } from '../../api';
import { ActionError, NotAvailable } from '../../components/ActionError';
import { Callout } from '../../components/Callout';
import { Card } from '../../components/Card';
import { ShowInFolder } from '../../components/ShowInFolder';
import { Spinner } from '../../components/Spinner';
import { TransferSummary } from '../../components/TransferSummary';
import { exportStore, withDone } from '../../journeys';
import { useStore } from '../../store';
import { useAction } from '../../use-action';

export function DoneStep() {
  const state = useStore(exportStore);
  return (
    <Card title="What to carry" subtitle={state.toDir}>
      {!state.toDir ? <p className="muted">Nothing written yet: choose the target directory in the Plan step.</p> : null}
      {state.toDir ? (
        <div className="actions">
          <ShowInFolder path={state.toDir} what="the media" />
        </div>
      ) : null}
      {state.toDir ? <SigningKey dir={state.toDir} /> : null}
      <TransferSummary dir={state.toDir} manifestHash={false} onLoaded={() => exportStore.update((s) => ({ done: withDone(s.done, 'done') }))} />
    </Card>
  );
}

/**
 * The fingerprint of the key that signed these media, read back from the media themselves (transfer.json.sig)
 * so it is exactly what `ferry verify` and the Import journey show on the other side. It is the same on every
 * transfer this Ferry writes: the other side checks it once, then trusts it.
 */
function SigningKey({ dir }: { dir: string }) {
  const checkFn = useCallback((d: string) => getApi().transfer.signature({ dir: d }), []);
  const [check, checked] = useAction(checkFn);
  const absent = useUnavailable('transfer.signature');
  useEffect(() => {
    if (!absent) void check(dir);
  }, [dir, check, absent]);
  if (absent) return <NotAvailable what={`Reading the signature: ${absent}`} />;
  if (checked.busy && !checked.result) return <Spinner label="Reading transfer.json.sig…" />;
  if (checked.error) return <ActionError error={checked.error} />;
  const verdict = checked.result;
  if (!verdict) return null;
  if (!verdict.fingerprint || verdict.status === 'invalid') {
    return <Callout tone="error" title={verdict.message} hint={verdict.hint ?? 'Run the transfer again: the app signs every transfer it writes.'} />;
  }
  return (
    <Callout tone="info" title="Signed with this Ferry’s key">
      <p>
        Key fingerprint:{' '}
        <span className="mono fingerprint" data-testid="signing-fingerprint">
          {verdict.fingerprint}
        </span>
      </p>
      <p>
        Copy the whole directory. Read this fingerprint to whoever imports it (by phone, not with the media): in Ferry’s Import journey they trust it once, or on the
        command line they run <span className="mono">ferry verify --dir DIR --trust '{verdict.fingerprint}'</span>.
      </p>
    </Callout>
  );
}
