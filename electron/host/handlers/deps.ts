import type { EngineDefaults } from '../../jobs/engine-options';
import type { JobManager } from '../../jobs/job-manager';
import type { SecretStore } from '../../jobs/secrets/secret-store';
import type { PathGrants } from './path-grants';
import type { SettingsStore } from './settings';
import type { TrustedKeyStore } from './trusted-keys';

/** Native file dialogs; only the Electron host has them. */
export interface Dialogs {
  pickDirectory(opts: { title?: string; defaultPath?: string }): Promise<string | null>;
  pickFile(opts: { title?: string; defaultPath?: string; filters: Array<{ name: string; extensions: string[] }> }): Promise<string | null>;
  /** `defaultPath`: a file name, or a full path where the dialog opens. */
  saveFile(opts: { defaultPath: string }): Promise<string | null>;
}

/** The OS file manager; only the Electron host has one. */
export interface DesktopShell {
  showInFolder(path: string): void;
}

/** What the handlers need from their host (Electron main or `ferry serve`); nothing here imports electron. */
export interface HandlerDeps {
  mode: 'electron' | 'serve';
  version: string;
  secrets: SecretStore;
  jobs: JobManager;
  dialogs?: Dialogs;
  shell?: DesktopShell;
  /** Directories the `fs.*` methods may use this session (the data dir from the start, then the operator's choices). */
  grants: PathGrants;
  /** Fingerprints trusted "from now on", kept under the host's data dir; without it the app does not remember them. */
  trustedKeys?: TrustedKeyStore;
  /** Remembered mirror, CA, folders and theme, kept under the host's data dir. */
  settings?: SettingsStore;
  /** Registry settings of the host (serve's --authfile, --ca-file, --cert-dir, --source-mirror) for every call. */
  engine?: EngineDefaults;
}
