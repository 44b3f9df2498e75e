import type { ImportState } from '../../journeys';

/** The operator's trust choices as the signature check, the verify job and the push job all take them. */
export function trustChoices(state: ImportState) {
  return { trust: state.trust, allowUnsigned: state.allowUnsigned, allowUntrusted: state.allowUntrusted };
}

/** New choices mean a new verdict: a verification made under the old ones no longer lets the push go ahead. */
export function withTrustChoices(patch: Partial<Pick<ImportState, 'trust' | 'allowUnsigned' | 'allowUntrusted'>>): Partial<ImportState> {
  return { ...patch, mediaVerified: undefined, verifyJob: undefined };
}
