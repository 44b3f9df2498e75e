import { useCallback, useRef, useState } from 'react';
import { toEnvelope, type FerryErrorEnvelope } from '../../shared/errors';

export interface ActionState<T> {
  busy: boolean;
  result?: T;
  error?: FerryErrorEnvelope;
}

/**
 * Runs one async API call for a screen and keeps its loading, result and error states. A newer run
 * supersedes an older one, so a slow reply can never overwrite a fresher answer.
 */
export function useAction<A extends unknown[], T>(fn: (...args: A) => Promise<T>, initial?: T) {
  const [state, setState] = useState<ActionState<T>>(initial === undefined ? { busy: false } : { busy: false, result: initial });
  const seq = useRef(0);
  const run = useCallback(
    async (...args: A): Promise<T | undefined> => {
      const mine = ++seq.current;
      setState((s) => ({ busy: true, result: s.result }));
      try {
        const result = await fn(...args);
        if (mine === seq.current) setState({ busy: false, result });
        return result;
      } catch (e) {
        if (mine === seq.current) setState({ busy: false, error: toEnvelope(e) });
        return undefined;
      }
    },
    [fn],
  );
  const reset = useCallback(() => {
    seq.current++;
    setState({ busy: false });
  }, []);
  return [run, state, reset] as const;
}
