import { useCallback, useEffect, useState } from 'react';
import { formatFingerprint, parseFingerprint } from '../../../../shared/fingerprint';
import { getApi, useUnavailable } from '../../api';
import { ActionError, NotAvailable } from '../../components/ActionError';
import { Button } from '../../components/Button';
import { Callout } from '../../components/Callout';
import { Card } from '../../components/Card';
import { Field } from '../../components/Field';
import { Spinner } from '../../components/Spinner';
import { importStore } from '../../journeys';
import { useStore } from '../../store';
import { useAction } from '../../use-action';
import { useRememberedKeys } from './remembered-keys';
import { trustChoices, withTrustChoices } from './trust';

/** What to do, in the app's terms (the engine's hints name the CLI's flags). */
const APP_HINT: Partial<Record<string, string>> = {
  untrusted:
    'Compare this fingerprint with the one shown when the media were written (read it over the phone). If they match, type it under “Fingerprint to trust”; if you cannot compare, do not use these media unless you tick the box below.',
  unsigned: 'Bring transfer.json.sig from the original media, or tick the box below to go on without a signature.',
};

/**
 * Who signed the media, and whether the operator accepts that: a fingerprint they trust (typed in as it was
 * read to them, never taken from the media), or an explicit, worded choice to go on without. The verdict is
 * the engine's (transfer.signature), the same one the verify and push jobs reach with these choices.
 */
export function SignatureCard() {
  const state = useStore(importStore);
  const dir = state.dir.trim();
  const choices = trustChoices(state);
  const checkFn = useCallback((req: { dir: string } & ReturnType<typeof trustChoices>) => getApi().transfer.signature(req), []);
  const [check, checked] = useAction(checkFn);
  const absent = useUnavailable('transfer.signature');
  const key = JSON.stringify(choices);
  useEffect(() => {
    if (dir && !absent) void check({ dir, ...choices });
    // `key` stands for the choices: a new array each render must not re-run the check.
  }, [dir, key, check, absent]);

  if (!dir) return null;
  if (absent) return <NotAvailable what={`Checking the signature: ${absent}`} />;
  const verdict = checked.result;
  return (
    <Card title="Who signed these media" subtitle="transfer.json.sig proves who wrote transfer.json, but only for a key you trust.">
      {checked.busy && !verdict ? <Spinner label="Checking transfer.json.sig…" /> : null}
      <ActionError error={checked.error} />
      {verdict ? (
        <Callout tone={!verdict.ok ? 'error' : verdict.status === 'trusted' ? 'ok' : 'warn'} title={verdict.message} hint={verdict.ok ? undefined : (APP_HINT[verdict.status] ?? verdict.hint)}>
          {verdict.fingerprint ? (
            <p>
              Signing key fingerprint:{' '}
              <span className="mono" data-testid="signer-fingerprint">
                {verdict.fingerprint}
              </span>
            </p>
          ) : null}
        </Callout>
      ) : null}
      {verdict?.status === 'unsigned' || state.allowUnsigned ? (
        <label className="check">
          <input type="checkbox" checked={state.allowUnsigned} onChange={(e) => importStore.update(withTrustChoices({ allowUnsigned: e.target.checked }))} /> Verify and push these media
          although they are not signed (nothing proves they are the ones that were written)
        </label>
      ) : null}
      {verdict?.status === 'untrusted' || state.allowUntrusted ? (
        <label className="check">
          <input type="checkbox" checked={state.allowUntrusted} onChange={(e) => importStore.update(withTrustChoices({ allowUntrusted: e.target.checked }))} /> Verify and push these media
          although they are signed by a key I do not trust
        </label>
      ) : null}
      {/* An unsigned transfer has no key to trust; the list stays visible while it holds keys. */}
      {verdict?.status !== 'unsigned' || state.trust.length ? <TrustedKeys /> : null}
    </Card>
  );
}

/** Fingerprints the operator trusts: entered by hand, for this import or from now on (remembered by the host), removable. */
function TrustedKeys() {
  const state = useStore(importStore);
  const remembered = useRememberedKeys();
  const [typed, setTyped] = useState('');
  const [keep, setKeep] = useState(false);
  const hex = parseFingerprint(typed);
  const error = typed.trim() && !hex ? 'Not a fingerprint: 8 groups of 4 hex digits, as ferry mirror and ferry keys fingerprint print it.' : undefined;
  const add = () => {
    if (!hex) return;
    const shown = formatFingerprint(hex);
    importStore.update((s) => withTrustChoices({ trust: s.trust.includes(shown) ? s.trust : [...s.trust, shown] }));
    if (keep) void remembered.remember(shown);
    setTyped('');
  };
  return (
    <>
      <ActionError error={remembered.error} />
      {state.trust.length ? (
        <ul>
          {state.trust.map((fp) =>
            remembered.keys.includes(fp) ? (
              <li key={fp}>
                Trusting key <span className="mono">{fp}</span> from now on (remembered by Ferry){' '}
                <Button small onClick={() => void remembered.forget(fp)} aria-label={`Forget ${fp}`}>
                  Forget
                </Button>
              </li>
            ) : (
              <li key={fp}>
                Trusting key <span className="mono">{fp}</span> for this import{' '}
                <Button small onClick={() => importStore.update((s) => withTrustChoices({ trust: s.trust.filter((x) => x !== fp) }))} aria-label={`Stop trusting ${fp}`}>
                  Remove
                </Button>
              </li>
            ),
          )}
        </ul>
      ) : null}
      <Field
        label="Fingerprint to trust"
        help="The fingerprint printed when the media were written, as its writer reads it to you (by phone, not from these media)."
        error={error}
      >
        <input type="text" value={typed} onChange={(e) => setTyped(e.target.value)} spellCheck={false} autoComplete="off" />
      </Field>
      {remembered.available ? (
        <label className="check">
          <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} /> Trust this fingerprint from now on (Ferry remembers it for later imports until you
          forget it)
        </label>
      ) : null}
      <div className="actions">
        <Button onClick={add} disabled={!hex}>
          Trust this fingerprint
        </Button>
      </div>
    </>
  );
}
