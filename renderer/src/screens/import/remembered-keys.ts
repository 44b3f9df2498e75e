import { useCallback, useEffect, useState } from 'react';
import { toEnvelope, type FerryErrorEnvelope } from '../../../../shared/errors';
import { getApi, useUnavailable } from '../../api';
import { importStore } from '../../journeys';
import { withTrustChoices } from './trust';

/**
 * Fingerprints trusted "from now on", kept by the host (trust.list), never only in this page's storage: on
 * load they join the import's trusted keys, so a later import starts with them trusted until forgotten.
 */
export function useRememberedKeys() {
  const absent = useUnavailable('trust.list', 'trust.remember', 'trust.forget');
  const [keys, setKeys] = useState<string[]>([]);
  const [error, setErrorState] = useState<FerryErrorEnvelope>();
  const setError = useCallback((e: unknown) => setErrorState(toEnvelope(e)), []);
  const apply = useCallback((list: { keys: Array<{ fingerprint: string }> }) => {
    const remembered = list.keys.map((k) => k.fingerprint);
    setKeys(remembered);
    importStore.update((s) => {
      const missing = remembered.filter((fp) => !s.trust.includes(fp));
      return missing.length ? withTrustChoices({ trust: [...s.trust, ...missing] }) : {};
    });
  }, []);
  useEffect(() => {
    if (!absent) getApi().trust.list({}).then(apply, setError);
  }, [absent, apply, setError]);
  const remember = useCallback((fingerprint: string) => getApi().trust.remember({ fingerprint }).then(apply, setError), [apply, setError]);
  const forget = useCallback(
    (fingerprint: string) =>
      getApi()
        .trust.forget({ fingerprint })
        .then((list) => {
          setKeys(list.keys.map((k) => k.fingerprint));
          importStore.update((s) => withTrustChoices({ trust: s.trust.filter((x) => x !== fingerprint) }));
        }, setError),
    [setError],
  );
  return { available: !absent, keys, remember, forget, error };
}
