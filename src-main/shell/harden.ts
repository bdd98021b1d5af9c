/**
 * The one place every webContents and session is hardened.
 *
 * Types only from Electron: the decisions are pure functions, and the
 * installers take the objects they harden, so unit tests pass fakes.
 */
import type { App, Session, WebContents } from 'electron';
import { isAppUrl } from './app-origin.js';

/**
 * Permissions the app origin's main frame may hold. The renderer copies a
 * secret with a sanitized write, then after 30 s reads the clipboard and
 * clears it only if it still holds that secret, so it never wipes something
 * the user copied since. Everything else (camera, geolocation, notifications,
 * HID, MIDI...) has no use here and stays denied.
 */
const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write', 'clipboard-read']);

/** Whether a page at `requestingUrl` may hold `permission`. */
export function isPermissionGranted(permission: string, requestingUrl: string, isMainFrame: boolean): boolean {
  return GRANTED_PERMISSIONS.has(permission) && isMainFrame && isAppUrl(requestingUrl);
}

/** Whether a page may navigate, or be redirected, to `url`: only within the app origin. */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

/**
 * Whether a session may make a request at all. The renderer reaches no
 * network: everything it needs is on the app origin or comes over IPC, so a
 * script that slipped past the CSP still cannot send a secret anywhere.
 * devtools: stays so DevTools work in development builds.
 */
export function isAllowedRequestUrl(url: string): boolean {
  return isAppUrl(url) || url.startsWith('devtools:');
}

/** Confines one webContents to the app origin: no navigation away, no new windows, no webviews. */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // Links to the outside world are not followed, not even in the browser:
  // opening one is a way to carry data out of the renderer in its URL.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/**
 * Denies a session every permission and device but the clipboard pair, and
 * every request off the app origin. Each setter replaces any earlier
 * handler, so hardening a session twice is harmless.
 */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionGranted(permission, details.requestingUrl, details.isMainFrame));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionGranted(permission, details.requestingUrl ?? requestingOrigin, details.isMainFrame),
  );
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequestUrl(details.url) });
  });
}

/** Hardens every webContents and session the app will ever create. Call before 'ready'. */
export function installHardening(app: App): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('session-created', hardenSession);
}
