/**
 * BrowserWindow options as plain data, so tests can check the security-relevant ones without
 * Electron. `preload` is the absolute path of the built preload script.
 */
export function windowOptions(preload: string, opts: { devTools?: boolean } = {}) {
  return {
    width: 1280,
    height: 840,
    minWidth: 960,
    minHeight: 640,
    title: 'Ferry',
    show: false,
    backgroundColor: '#f6f7f9',
    autoHideMenuBar: true,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Developer tools only in development builds.
      devTools: opts.devTools ?? false,
      safeDialogs: true,
    },
  } as const;
}
