import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  APP_URL,
  CSP,
  allowWebviewAttach,
  contentSecurityPolicy,
  isAllowedNavigation,
  permissionDecision,
  securityHeaders,
  windowOpenDecision,
} from '../../../electron/host/security-policy';
import { windowOptions } from '../../../electron/main/window-options';

describe('window options', () => {
  const opts = windowOptions('/app/out/preload/index.cjs');
  it('isolate and sandbox the renderer', () => {
    const w = opts.webPreferences;
    assert.equal(w.contextIsolation, true);
    assert.equal(w.sandbox, true);
    assert.equal(w.nodeIntegration, false);
    assert.equal(w.nodeIntegrationInWorker, false);
    assert.equal(w.nodeIntegrationInSubFrames, false);
    assert.equal(w.webSecurity, true);
    assert.equal(w.allowRunningInsecureContent, false);
    assert.equal(w.webviewTag, false);
    assert.equal(w.navigateOnDragDrop, false);
    assert.equal(w.preload, '/app/out/preload/index.cjs');
  });
  it('keep developer tools off unless asked for', () => {
    assert.equal(opts.webPreferences.devTools, false);
    assert.equal(windowOptions('/p', { devTools: true }).webPreferences.devTools, true);
  });
});

describe('security policy', () => {
  it('CSP allows only the app itself', () => {
    const d = Object.fromEntries(CSP.split('; ').map((p) => [p.split(' ')[0], p.split(' ').slice(1).join(' ')]));
    assert.equal(d['default-src'], "'none'");
    assert.equal(d['script-src'], "'self'");
    assert.equal(d['style-src'], "'self'");
    assert.equal(d['img-src'], "'self' data:");
    assert.equal(d['connect-src'], "'self'");
    assert.equal(d['object-src'], "'none'");
    assert.equal(d['frame-ancestors'], "'none'");
    assert.doesNotMatch(CSP, /unsafe-inline|unsafe-eval|\*|https?:/);
  });
  it('CSP for serve mode adds exactly the WebSocket endpoint', () => {
    assert.match(contentSecurityPolicy(['ws://127.0.0.1:4000']), /connect-src 'self' ws:\/\/127\.0\.0\.1:4000;/);
  });
  it('security headers carry the CSP and forbid framing and sniffing', () => {
    const h = securityHeaders();
    assert.equal(h['Content-Security-Policy'], CSP);
    assert.equal(h['X-Content-Type-Options'], 'nosniff');
    assert.equal(h['X-Frame-Options'], 'DENY');
    assert.equal(h['Referrer-Policy'], 'no-referrer');
  });
  it('allows navigation only within the app', () => {
    assert.equal(isAllowedNavigation('ferry://app/index.html#/export', APP_URL), true);
    assert.equal(isAllowedNavigation('https://example.com/', APP_URL), false);
    assert.equal(isAllowedNavigation('ferry://other/index.html', APP_URL), false);
    assert.equal(isAllowedNavigation('file:///etc/passwd', APP_URL), false);
    assert.equal(isAllowedNavigation('javascript:alert(1)', APP_URL), false);
    assert.equal(isAllowedNavigation('not a url', APP_URL), false);
    // Development server: same origin only.
    assert.equal(isAllowedNavigation('http://localhost:5173/x', 'http://localhost:5173/'), true);
    assert.equal(isAllowedNavigation('http://localhost:5174/', 'http://localhost:5173/'), false);
  });
  it('never opens a new window; https links may go to the system browser', () => {
    assert.deepEqual(windowOpenDecision('https://docs.openshift.com/'), { action: 'deny', openExternally: true });
    assert.deepEqual(windowOpenDecision('http://insecure.example/'), { action: 'deny', openExternally: false });
    assert.deepEqual(windowOpenDecision('file:///etc/passwd'), { action: 'deny', openExternally: false });
    assert.deepEqual(windowOpenDecision('ferry://app/index.html'), { action: 'deny', openExternally: false });
  });
  it('denies every permission request but notifications (a long job has ended), and every webview', () => {
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'notification']) assert.equal(permissionDecision(p), false);
    assert.equal(permissionDecision('notifications'), true);
    assert.equal(allowWebviewAttach(), false);
  });
});
