/**
 * The app's security policy as data and pure functions, applied by `apply-security.ts` (Electron) and
 * by the serve-mode HTTP server, and checked by unit tests without Electron (DESIGN §5; Podman's
 * security-restrictions.ts, VS Code's app.ts).
 */

/** The renderer is served from this privileged scheme (with the headers below), never from file://. */
export const APP_SCHEME = 'ferry';
const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Strict CSP: nothing remote, no inline script or style, no eval. `connect` adds the serve WebSocket. */
export function contentSecurityPolicy(connect: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    ["connect-src 'self'", ...connect].join(' '),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export const CSP = contentSecurityPolicy();

/** Response headers for every page and asset the app serves (Electron session and serve mode). */
export function securityHeaders(csp: string = CSP): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=(), bluetooth=()',
  };
}

/**
 * The window may only ever show the app itself: a navigation elsewhere (a link, a redirect, a
 * dropped file) is refused. `appUrl` is the URL the window was loaded with.
 */
export function isAllowedNavigation(url: string, appUrl: string): boolean {
  let target: URL;
  let app: URL;
  try {
    target = new URL(url);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') return target.protocol === 'file:' && target.pathname === app.pathname;
  // Compared by scheme and host: URL.origin is "null" for custom schemes such as ferry://.
  return target.protocol === app.protocol && target.host === app.host;
}

/** `window.open` never creates a window; https links may be handed to the system browser. */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: boolean } {
  const external = URL.canParse(url) && new URL(url).protocol === 'https:';
  return { action: 'deny', openExternally: external };
}

/** Notifications only (a long job has ended); camera, clipboard-read, geolocation…: Ferry needs none, so they are denied. */
export function permissionDecision(permission: string): boolean {
  return permission === 'notifications';
}

/** `<webview>` is never allowed: it would embed content outside this policy. */
export function allowWebviewAttach(): false {
  return false;
}

/**
 * An IPC message is trusted only from the main frame of our own window showing the app
 * (VS Code validatedIpcMain; Fiddle ipc.ts).
 */
export function isTrustedSender(sender: { frameUrl: string | undefined; isMainFrame: boolean; isOurWindow: boolean }, appUrl: string): boolean {
  return sender.isOurWindow && sender.isMainFrame && sender.frameUrl !== undefined && isAllowedNavigation(sender.frameUrl, appUrl);
}
