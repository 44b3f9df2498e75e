import { app, shell, type Session } from 'electron';
import { allowWebviewAttach, isAllowedNavigation, permissionDecision, securityHeaders, windowOpenDecision } from '../host/security-policy';

/** Applies security-policy.ts to every web contents and session Electron creates (DESIGN §5). */
export function applySecurityPolicy(appUrl: () => string): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url, appUrl())) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAllowedNavigation(url, appUrl())) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => {
      if (!allowWebviewAttach()) event.preventDefault();
    });
    contents.setWindowOpenHandler(({ url }) => {
      const decision = windowOpenDecision(url);
      if (decision.openExternally) void shell.openExternal(url);
      return { action: decision.action };
    });
  });
}

export function secureSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(permissionDecision(permission)));
  session.setPermissionCheckHandler((_contents, permission) => permissionDecision(permission));
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    for (const [k, v] of Object.entries(securityHeaders())) headers[k] = [v];
    callback({ responseHeaders: headers });
  });
}
