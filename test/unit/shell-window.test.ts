// The main window's security flags and the renderer's CSP. Electronegativity
// is a heuristic that misses some of these, so each is asserted here.
import { describe, expect, it, vi } from 'vitest';
import { APP_ENTRY_URL, APP_ORIGIN, CONTENT_SECURITY_POLICY, isAppUrl } from '../../src-main/shell/app-origin.js';
import { createMainWindowOptions } from '../../src-main/shell/window-options.js';

// window-options.ts imports only types from electron; the mock makes sure a
// runtime import added later fails here rather than under plain Node.
vi.mock('electron', () => ({}));

describe('main window options', () => {
  const options = createMainWindowOptions('/app/dist/shell/preload.cjs', { devTools: false });
  const prefs = options.webPreferences ?? {};

  it('uses the given preload', () => {
    expect(prefs.preload).toBe('/app/dist/shell/preload.cjs');
  });

  it.each([
    ['contextIsolation', true],
    ['sandbox', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['nodeIntegrationInSubFrames', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['experimentalFeatures', false],
    ['webviewTag', false],
    ['navigateOnDragDrop', false],
    ['spellcheck', false],
    ['safeDialogs', true],
  ] as const)('sets %s to %s explicitly', (flag, value) => {
    expect(prefs).toHaveProperty(flag, value);
  });

  it('turns off auxclick, so middle-click asks for no new window', () => {
    expect(prefs.disableBlinkFeatures?.split(',')).toContain('Auxclick');
  });

  it('enables no Blink features and keeps the default session', () => {
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('partition');
    expect(prefs).not.toHaveProperty('session');
    expect(prefs).not.toHaveProperty('additionalArguments');
  });

  it('turns DevTools off when asked (packaged builds)', () => {
    expect(prefs.devTools).toBe(false);
    expect(createMainWindowOptions('/p.cjs', { devTools: true }).webPreferences?.devTools).toBe(true);
  });

  it('waits for the first paint before showing', () => {
    expect(options.show).toBe(false);
  });
});

describe('content security policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((part) => {
      const [name = '', ...sources] = part.trim().split(/\s+/);
      return [name, sources] as const;
    }),
  );

  it('is exactly the reviewed policy', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it('allows no inline code, eval or wildcard anywhere', () => {
    for (const banned of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", "'strict-dynamic'", '*']) {
      expect(CONTENT_SECURITY_POLICY).not.toContain(banned);
    }
  });

  it('names no network scheme or host as a source', () => {
    for (const [, sources] of directives) {
      for (const source of sources) {
        expect(source).toMatch(/^('self'|'none'|data:)$/);
      }
    }
  });

  it('limits scripts and connections to the app itself', () => {
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
  });

  it('shuts plugins, base rewriting, form posts and framing', () => {
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  });
});

describe('app origin', () => {
  it('loads the renderer from app://strongroom', () => {
    expect(APP_ORIGIN).toBe('app://strongroom');
    expect(APP_ENTRY_URL).toBe('app://strongroom/index.html');
  });

  it.each([
    ['app://strongroom/index.html', true],
    ['app://strongroom/', true],
    ['app://strongroom', true],
    ['app://strongroom.evil.example/', false],
    ['app://evil/', false],
    ['app://user@strongroom/', false],
    ['app://strongroom:8080/', false],
    ['http://strongroom/', false],
    ['https://evil.example/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['not a url', false],
  ])('%s is on the app origin: %s', (url, expected) => {
    expect(isAppUrl(url)).toBe(expected);
  });
});
