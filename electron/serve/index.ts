import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../../shared/errors';
import { checkEngineDefaults, NO_ENGINE_DEFAULTS, type EngineDefaults } from '../jobs/engine-options';
import { createForkHost } from '../jobs/fork-host';
import { JobHistory } from '../jobs/history';
import { JobManager } from '../jobs/job-manager';
import { secretResolver } from '../jobs/resolve-secrets';
import { TrustedKeyStore } from '../host/handlers/trusted-keys';
import { openSecretStore } from '../jobs/secrets/open-secret-store';
import { createDispatcher } from '../host/dispatcher';
import { forwardJobEvents } from '../host/handlers/events';
import { createHandlers } from '../host/handlers';
import { SettingsStore } from '../host/handlers/settings';
import { PathGrants } from '../host/handlers/path-grants';
import { isLoopbackHost } from './access';
import { startServeServer, type ServeServer } from './server';

export interface ServeOptions {
  host: string;
  port: number;
  rendererDir: string;
  dataDir: string;
  version: string;
  /** Fixed token (tests only); default random. */
  token?: string;
  /** Registry settings applied to every job and handler (--authfile, --ca-file, --cert-dir, --source-mirror). */
  engine?: EngineDefaults;
}

export interface RunningServe extends ServeServer {
  jobs: JobManager;
}

/** Where Ferry keeps job history when not inside Electron (which has app.getPath('userData')). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FERRY_DATA_DIR) return env.FERRY_DATA_DIR;
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Ferry');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Ferry');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'ferry');
}

/** Same handlers as the desktop app; jobs in child processes; secrets in keytar or memory. */
export async function startServe(opts: ServeOptions): Promise<RunningServe> {
  if (!isLoopbackHost(opts.host)) {
    throw new FerryError('USAGE', `ferry serve listens on the loopback interface only, not on "${opts.host}".`, {
      hint: 'Use --host 127.0.0.1 (the default); reach a remote host through an SSH tunnel (ssh -L).',
    });
  }
  try {
    await access(join(opts.rendererDir, 'index.html'));
  } catch {
    throw new FerryError('NOT_FOUND', `The app's web files are missing (${join(opts.rendererDir, 'index.html')}).`, {
      hint: 'Run `npm run build` first (or use `npm run serve`, which builds and serves).',
    });
  }
  const engine = opts.engine ?? NO_ENGINE_DEFAULTS;
  await checkEngineDefaults(engine);
  const secrets = await openSecretStore();
  const jobs = await JobManager.open({
    host: createForkHost(),
    history: new JobHistory(join(opts.dataDir, 'jobs')),
    resolveSecrets: secretResolver(secrets),
    engineDefaults: engine,
  });
  const grants = await PathGrants.forSession(opts.dataDir);
  const trustedKeys = new TrustedKeyStore(join(opts.dataDir, 'trusted-keys.json'));
  const settings = new SettingsStore(join(opts.dataDir, 'settings.json'));
  const handlers = createHandlers({ mode: 'serve', version: opts.version, secrets, jobs, engine, grants, trustedKeys, settings });
  const dispatch = createDispatcher(handlers, (sender: { authenticated: true }) => sender.authenticated);
  const server = await startServeServer({ host: opts.host, port: opts.port, rendererDir: opts.rendererDir, dispatch, token: opts.token });
  const stopEvents = forwardJobEvents(jobs, server.broadcast);
  return {
    ...server,
    jobs,
    async close() {
      stopEvents();
      await jobs.dispose();
      await server.close();
    },
  };
}
