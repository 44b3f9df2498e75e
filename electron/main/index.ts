import { app, BrowserWindow, dialog, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventName, EventOf } from '../../shared/api/contract';
import { toEnvelope } from '../../shared/errors';
import { JobHistory } from '../jobs/history';
import { checkEngineDefaults, type EngineDefaults } from '../jobs/engine-options';
import { JobManager } from '../jobs/job-manager';
import { secretResolver } from '../jobs/resolve-secrets';
import { TrustedKeyStore } from '../host/handlers/trusted-keys';
import { SettingsStore } from '../host/handlers/settings';
import { applySecurityPolicy, secureSession } from './apply-security';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { cliInvocation } from './cli-launch';
import { createDispatcher } from '../host/dispatcher';
import { createHandlers } from '../host/handlers';
import type { Dialogs } from '../host/handlers/deps';
import { forwardJobEvents } from '../host/handlers/events';
import { PathGrants } from '../host/handlers/path-grants';
import { IPC_EVENT, IPC_INVOKE } from '../preload/channels';
import { openAppSecretStore } from './secret-store';
import { APP_URL, isTrustedSender } from '../host/security-policy';
import { launchEngineDefaults } from '../host/launch-options';
import { createUtilityHost } from './utility-host';
import { windowOptions } from './window-options';

// Electron entry: wiring only. Everything with a decision in it lives in plain modules tested without Electron.
const here = fileURLToPath(new URL('.', import.meta.url));
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const appUrl = devUrl ?? APP_URL;

let mainWindow: BrowserWindow | undefined;

function dialogs(): Dialogs {
  const parent = () => mainWindow ?? BrowserWindow.getFocusedWindow() ?? undefined;
  const first = (r: { canceled: boolean; filePaths: string[] }) => (r.canceled ? null : (r.filePaths[0] ?? null));
  return {
    pickDirectory: async (o) => first(await dialog.showOpenDialog(parent()!, { ...o, properties: ['openDirectory', 'createDirectory'] })),
    pickFile: async (o) => first(await dialog.showOpenDialog(parent()!, { ...o, properties: ['openFile'] })),
    saveFile: async (o) => {
      const r = await dialog.showSaveDialog(parent()!, { defaultPath: o.defaultPath });
      return r.canceled ? null : (r.filePath ?? null);
    },
  };
}

async function start(): Promise<void> {
  await app.whenReady();
  let engine: EngineDefaults;
  try {
    engine = launchEngineDefaults(launchArgs);
    await checkEngineDefaults(engine);
  } catch (e) {
    const { message, hint } = toEnvelope(e);
    dialog.showErrorBox('Ferry cannot start', hint ? `${message}\n\n${hint}` : message);
    app.exit(2);
    return;
  }
  secureSession(session.defaultSession);
  serveRenderer(join(here, '../renderer'));

  const userData = app.getPath('userData');
  const secrets = await openAppSecretStore(userData);
  const jobs = await JobManager.open({
    host: createUtilityHost(join(here, 'worker.js')),
    history: new JobHistory(join(userData, 'jobs')),
    resolveSecrets: secretResolver(secrets),
    engineDefaults: engine,
  });
  const grants = await PathGrants.forSession(userData);
  const trustedKeys = new TrustedKeyStore(join(userData, 'trusted-keys.json'));
  const settings = new SettingsStore(join(userData, 'settings.json'));
  const handlers = createHandlers({
    mode: 'electron',
    version: app.getVersion(),
    secrets,
    jobs,
    engine,
    dialogs: dialogs(),
    shell: { showInFolder: (path) => shell.showItemInFolder(path) },
    grants,
    trustedKeys,
    settings,
  });
  const dispatch = createDispatcher(handlers, (event: IpcMainInvokeEvent) =>
    isTrustedSender(
      {
        frameUrl: event.senderFrame?.url,
        isMainFrame: event.senderFrame !== null && event.senderFrame === event.sender.mainFrame,
        isOurWindow: mainWindow !== undefined && BrowserWindow.fromWebContents(event.sender) === mainWindow,
      },
      appUrl,
    ),
  );
  ipcMain.handle(IPC_INVOKE, (event, method: unknown, payload: unknown) => dispatch(event, method, payload));
  forwardJobEvents(jobs, <E extends EventName>(event: E, payload: EventOf<E>) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC_EVENT, event, payload);
  });

  const createWindow = () => {
    mainWindow = new BrowserWindow(windowOptions(join(here, '../preload/index.cjs'), { devTools: !app.isPackaged }));
    mainWindow.once('ready-to-show', () => mainWindow?.show());
    mainWindow.on('closed', () => (mainWindow = undefined));
    void mainWindow.loadURL(appUrl);
  };
  createWindow();
  app.on('second-instance', () => mainWindow?.focus());
  app.on('activate', () => {
    if (!mainWindow) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => void jobs.dispose());
}

// Packaged, argv[1] is the first argument; run as `electron .`, it is the app's path.
const launchArgs = process.argv.slice(app.isPackaged ? 1 : 2);
const cliArgv = cliInvocation(launchArgs);
if (cliArgv) {
  // The CLI is loaded only for a command, so the app's start-up does not pay for it.
  void import('../cli/run').then(({ runCli }) => runCli(cliArgv)).then((code) => app.exit(code));
} else {
  registerAppScheme();
  applySecurityPolicy(() => appUrl);
  if (!app.requestSingleInstanceLock()) app.quit();
  void start();
}
