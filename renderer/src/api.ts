import { useEffect, useState } from 'react';
import { connectApi } from './connect-api';
import type { FerryApi, MethodName, ResponseOf } from '../../shared/api/contract';
import { toEnvelope, type FerryErrorEnvelope } from '../../shared/errors';

let api: FerryApi | undefined;

/** The one API object of this page; whether it runs in Electron or in a browser is hidden in connectApi. */
export function getApi(): FerryApi {
  api ??= connectApi();
  return api;
}

export type AppInfo = ResponseOf<'app.info'>;

let infoPromise: Promise<AppInfo> | undefined;

/** app.info, asked once per page: the host kind, the secret store in use and what this build cannot do. */
export function loadAppInfo(): Promise<AppInfo> {
  infoPromise ??= getApi().app.info();
  return infoPromise;
}

export function useAppInfo(): { info?: AppInfo; error?: FerryErrorEnvelope } {
  const [state, setState] = useState<{ info?: AppInfo; error?: FerryErrorEnvelope }>({});
  useEffect(() => {
    let live = true;
    loadAppInfo().then(
      (info) => live && setState({ info }),
      (e: unknown) => live && setState({ error: toEnvelope(e) }),
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}

/** True when app.info says the method has no handler in this build. */
export function isUnavailable(info: AppInfo | undefined, method: MethodName): boolean {
  return info?.unavailable.includes(method) ?? false;
}

/**
 * Of the methods a control needs, those this build lacks, as one sentence for the in-place
 * "not yet available" notice; undefined when all are there (or app.info has not answered yet).
 */
export function useUnavailable(...methods: MethodName[]): string | undefined {
  const { info } = useAppInfo();
  const absent = methods.filter((m) => isUnavailable(info, m));
  return absent.length > 0 ? `This build cannot do this yet (${absent.join(', ')}).` : undefined;
}
