// Every webContents and session is confined to the app origin: no
// navigation away, no new windows, no permissions but the clipboard pair,
// no requests off the origin.
import { EventEmitter } from 'node:events';
import type { App, Session, WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import {
  hardenSession,
  hardenWebContents,
  installHardening,
  isAllowedNavigation,
  isAllowedRequestUrl,
  isPermissionGranted,
} from '../../src-main/shell/harden.js';

vi.mock('electron', () => ({}));

const APP_URL = 'app://strongroom/index.html';

type Handler = (...args: never[]) => unknown;

function fakeWebContents() {
  const emitter = new EventEmitter();
  const setWindowOpenHandler = vi.fn();
  const contents = Object.assign(emitter, { setWindowOpenHandler }) as unknown as WebContents;
  const navigate = (eventName: string, url: string) => {
    const event = { url, preventDefault: vi.fn() };
    emitter.emit(eventName, event, url);
    return event.preventDefault.mock.calls.length > 0;
  };
  return { contents, setWindowOpenHandler, navigate };
}

function fakeSession() {
  const handlers: Record<string, Handler> = {};
  const record = (name: string) => vi.fn((handler: Handler) => {
    handlers[name] = handler;
  });
  const session = {
    setPermissionRequestHandler: record('request'),
    setPermissionCheckHandler: record('check'),
    setDevicePermissionHandler: record('device'),
    webRequest: { onBeforeRequest: record('beforeRequest') },
  } as unknown as Session;
  hardenSession(session);

  const request = (permission: string, requestingUrl: string, isMainFrame = true): boolean => {
    const callback = vi.fn();
    (handlers.request as (...args: unknown[]) => void)({}, permission, callback, { requestingUrl, isMainFrame });
    expect(callback).toHaveBeenCalledTimes(1);
    return callback.mock.calls[0]?.[0] as boolean;
  };
  const check = (permission: string, requestingOrigin: string, isMainFrame = true): boolean =>
    (handlers.check as (...args: unknown[]) => boolean)(null, permission, requestingOrigin, { isMainFrame });
  const cancels = (url: string): boolean => {
    const callback = vi.fn();
    (handlers.beforeRequest as (...args: unknown[]) => void)({ url, method: 'GET' }, callback);
    return (callback.mock.calls[0]?.[0] as { cancel: boolean }).cancel;
  };
  const device = () => (handlers.device as () => boolean)();
  return { request, check, cancels, device };
}

describe('permissions', () => {
  const denied = [
    'media',
    'geolocation',
    'notifications',
    'midi',
    'midiSysex',
    'pointerLock',
    'fullscreen',
    'openExternal',
    'display-capture',
    'hid',
    'serial',
    'usb',
    'idle-detection',
    'persistent-storage',
    'window-management',
    'local-fonts',
    'deprecated-sync-clipboard-read',
    'unknown',
  ];

  it.each(denied)('denies %s even to the app origin main frame', (permission) => {
    const session = fakeSession();
    expect(session.request(permission, APP_URL)).toBe(false);
    expect(session.check(permission, 'app://strongroom/')).toBe(false);
  });

  it.each(['clipboard-sanitized-write', 'clipboard-read'])('grants %s to the app origin main frame only', (permission) => {
    const session = fakeSession();
    expect(session.request(permission, APP_URL)).toBe(true);
    expect(session.check(permission, 'app://strongroom/')).toBe(true);
    expect(session.request(permission, APP_URL, false)).toBe(false);
    expect(session.check(permission, 'app://strongroom/', false)).toBe(false);
    for (const elsewhere of ['https://evil.example/', 'file:///etc/passwd', 'app://evil/', 'null']) {
      expect(session.request(permission, elsewhere)).toBe(false);
      expect(session.check(permission, elsewhere)).toBe(false);
    }
  });

  it('prefers the requesting URL over the origin in checks', () => {
    expect(isPermissionGranted('clipboard-read', 'https://evil.example/', true)).toBe(false);
  });

  it('denies every device (HID, serial, USB)', () => {
    expect(fakeSession().device()).toBe(false);
  });
});

describe('network filter', () => {
  it.each([
    ['https://evil.example/collect?secret=1', true],
    ['http://127.0.0.1:8080/', true],
    ['ws://127.0.0.1/api', true],
    ['file:///etc/passwd', true],
    ['app://evil/index.html', true],
    ['ftp://example.com/', true],
    [APP_URL, false],
    ['app://strongroom/assets/index.js', false],
    ['devtools://devtools/bundled/inspector.html', false],
  ])('%s is cancelled: %s', (url, cancelled) => {
    expect(fakeSession().cancels(url)).toBe(cancelled);
    expect(isAllowedRequestUrl(url)).toBe(!cancelled);
  });
});

describe('webContents guards', () => {
  it.each([
    'http://evil.example/',
    'https://evil.example/',
    'file:///etc/passwd',
    'app://evil/index.html',
    'javascript:alert(1)',
    'data:text/html,<script>1</script>',
  ])('blocks navigation and redirects to %s', (url) => {
    // Control: the fake prevents nothing by itself.
    expect(fakeWebContents().navigate('will-navigate', url)).toBe(false);
    const fake = fakeWebContents();
    hardenWebContents(fake.contents);
    expect(fake.navigate('will-navigate', url)).toBe(true);
    expect(fake.navigate('will-redirect', url)).toBe(true);
    expect(isAllowedNavigation(url)).toBe(false);
  });

  it('lets the app navigate within its own origin', () => {
    const fake = fakeWebContents();
    hardenWebContents(fake.contents);
    expect(fake.navigate('will-navigate', 'app://strongroom/index.html#/secrets')).toBe(false);
    expect(fake.navigate('will-redirect', 'app://strongroom/index.html')).toBe(false);
  });

  it('denies every new window', () => {
    const fake = fakeWebContents();
    hardenWebContents(fake.contents);
    const handler = fake.setWindowOpenHandler.mock.calls[0]?.[0] as (details: { url: string }) => unknown;
    for (const url of ['https://example.com/', APP_URL, 'about:blank']) {
      expect(handler({ url })).toEqual({ action: 'deny' });
    }
  });

  it('refuses to attach webviews', () => {
    const fake = fakeWebContents();
    hardenWebContents(fake.contents);
    const event = { preventDefault: vi.fn() };
    (fake.contents as unknown as EventEmitter).emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalled();
  });
});

describe('installHardening', () => {
  it('hardens every webContents and session the app creates', () => {
    const app = new EventEmitter();
    installHardening(app as unknown as App);

    const fake = fakeWebContents();
    app.emit('web-contents-created', {}, fake.contents);
    expect(fake.setWindowOpenHandler).toHaveBeenCalledTimes(1);
    expect(fake.navigate('will-navigate', 'https://evil.example/')).toBe(true);

    const setPermissionRequestHandler = vi.fn();
    const session = {
      setPermissionRequestHandler,
      setPermissionCheckHandler: vi.fn(),
      setDevicePermissionHandler: vi.fn(),
      webRequest: { onBeforeRequest: vi.fn() },
    };
    app.emit('session-created', session);
    expect(setPermissionRequestHandler).toHaveBeenCalledTimes(1);
    expect(session.webRequest.onBeforeRequest).toHaveBeenCalledTimes(1);
  });
});
