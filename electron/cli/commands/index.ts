import type { Command } from 'commander';

/**
 * Every CLI command module, one line each: the top-level command names it registers and a loader.
 * Modules are imported only when their command runs (or for help), so `ferry copy` does not load
 * openpgp, x509, yaml or the app server: start-up time and peak memory stay those of the command.
 */
export interface CommandModule {
  names: readonly string[];
  load: () => Promise<{ register: (program: Command) => void }>;
}

export const commands: CommandModule[] = [
  { names: ['config'], load: () => import('./config') },
  { names: ['resolve'], load: () => import('./resolve') },
  { names: ['pull-secret'], load: () => import('./pull-secret') },
  { names: ['ca'], load: () => import('./ca') },
  { names: ['registry-kit'], load: () => import('./registry-kit') },
  { names: ['release-signature'], load: () => import('./release-signature') },
  { names: ['serve'], load: () => import('./serve') },
  { names: ['inspect'], load: () => import('./inspect') },
  { names: ['copy'], load: () => import('./copy') },
  { names: ['verify'], load: () => import('./verify') },
  { names: ['keys'], load: () => import('./keys') },
  { names: ['release'], load: () => import('./release') },
  { names: ['mirror'], load: () => import('./mirror') },
  { names: ['push'], load: () => import('./push') },
  { names: ['extract'], load: () => import('./extract') },
  { names: ['release'], load: () => import('./release-list') },
  { names: ['catalog'], load: () => import('./catalog') },
  { names: ['prune'], load: () => import('./prune') },
];
