import { parseMirrorTarget } from '../../../../shared/mirror-mapping';
import type { ImportState } from '../../journeys';

/** The connection settings of the import journey as every registry-facing job takes them. */
export function mirrorConnection(state: ImportState) {
  const registry = parseMirrorTarget(state.mirror).registry;
  return {
    credentials: state.credentialRef && state.username.trim() ? [{ registry, username: state.username.trim(), secretRef: state.credentialRef }] : [],
    caPems: state.ca ? [state.ca.pem] : [],
  };
}
