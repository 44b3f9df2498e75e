import type { AppInfo } from './api';

/** Tells the operator plainly where a remembered secret goes, since "remember" means different things per host. */
export function describeSecretStore(store: AppInfo['secretStore']): string {
  switch (store) {
    case 'keychain':
      return 'the operating system keychain';
    case 'safeStorage':
      return 'Ferry’s encrypted store (protected by the operating system)';
    case 'memory':
      return 'memory only, for this session: it is forgotten when Ferry stops';
  }
}
