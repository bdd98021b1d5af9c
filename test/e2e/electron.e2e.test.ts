// The built app under a real Electron: the window loads app://strongroom,
// the page sees window.strongroom and no Node. Needs `npm run build` first
// and, on Linux, a display (xvfb-run in CI).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.join(import.meta.dirname, '..', '..');
const MAIN_ENTRY = path.join(ROOT, 'dist', 'shell', 'main.cjs');

/**
 * The Electron executable, located the way node_modules/electron/index.js
 * does it. Not `require('electron')`: when the binary is missing that starts
 * a download, which cannot succeed here and would stall the run.
 */
function findElectronBinary(): string | null {
  const packageDir = path.join(ROOT, 'node_modules', 'electron');
  const pathFile = path.join(packageDir, 'path.txt');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8') : override ? 'electron' : null;
  if (relative === null) return null;
  const binary = path.join(override ?? path.join(packageDir, 'dist'), relative);
  return existsSync(binary) ? binary : null;
}

const electronBinary = findElectronBinary();
const SKIP_REASON = 'the Electron binary is not installed (see README)';
if (electronBinary === null) console.log(`skipping Electron e2e: ${SKIP_REASON}`);

describe.skipIf(electronBinary === null)(electronBinary === null ? `Electron shell (e2e) [skipped: ${SKIP_REASON}]` : 'Electron shell (e2e)', () => {
  let dataHome: string;
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(MAIN_ENTRY)) throw new Error(`${MAIN_ENTRY} is missing: run \`npm run build\` first`);
    // The app keeps its data under the user's config folder; point that at a
    // scratch folder so the test never touches a real vault.
    dataHome = mkdtempSync(path.join(tmpdir(), 'strongroom-e2e-'));
    app = await _electron.launch({
      executablePath: electronBinary ?? undefined,
      args: [MAIN_ENTRY],
      cwd: ROOT,
      env: { ...process.env, XDG_CONFIG_HOME: dataHome, APPDATA: dataHome, HOME: dataHome } as Record<string, string>,
      // Chromium refuses its sandbox to root, which is who CI containers run as.
      chromiumSandbox: process.getuid?.() !== 0,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  afterAll(async () => {
    await app?.close();
    if (dataHome) rmSync(dataHome, { recursive: true, force: true });
  });

  it('loads the renderer from app://strongroom', () => {
    expect(page.url()).toMatch(/^app:\/\/strongroom\//);
  });

  it('exposes window.strongroom and no Node to the page', async () => {
    const globals = await page.evaluate(() => {
      const scope = window as unknown as Record<string, unknown>;
      const api = scope.strongroom as Record<string, unknown> | undefined;
      return {
        api: typeof api,
        apiKeys: api ? Object.keys(api).sort() : [],
        require: typeof scope.require,
        process: typeof scope.process,
        module: typeof scope.module,
        Buffer: typeof scope.Buffer,
      };
    });
    expect(globals).toEqual({
      api: 'object',
      apiKeys: ['invoke', 'onEvent'],
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      Buffer: 'undefined',
    });
  });

  it('answers a contract call through the preload and the core', async () => {
    const result = await page.evaluate(async () => {
      const api = (window as unknown as { strongroom: { invoke: (channel: string, request: unknown) => Promise<unknown> } }).strongroom;
      return api.invoke('app.status', {});
    });
    expect(result).toMatchObject({ ok: true, value: { initialized: false, unlocked: false } });
  });

  it('runs the page under the CSP: inline script does not execute', async () => {
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.head.append(script);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
  });
});
