// The theme override, in Chromium over the loopback bridge: with the system
// dark, choosing Light in Settings renders the light theme at once, after a
// reload and after the app restarts (on the unlock screen, before any secret);
// System follows prefers-color-scheme again. axe-clean in both themes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { violationsInBothThemes } from './axe.js';
import { createStoreInUi, launchBrowser, openApp, sectionButton, startBridge, tearDown, type OpenedApp, type RunningBridge } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
/** The page background of each theme (--bg in styles.css), as getComputedStyle reports it. */
const LIGHT_BG = 'rgb(245, 246, 248)';
const DARK_BG = 'rgb(17, 19, 24)';

describeNeeding(['chromium'], 'the theme override (e2e)', () => {
  let dir: string;
  let bridge: RunningBridge | undefined;
  let browser: Browser | undefined;
  let app: OpenedApp | undefined;
  let page: Page;

  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const section = (name: string) => sectionButton(page, name);
  const themeGroup = () => page.getByRole('group', { name: 'Theme' });

  async function open(): Promise<void> {
    app = await openApp(browser!, bridge!);
    page = app.page;
    page.setDefaultTimeout(30_000);
    await page.emulateMedia({ colorScheme: 'dark' });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-appearance-e2e-'));
    bridge = await startBridge(join(dir, 'store'));
    browser = await launchBrowser();
    await open();
    await createStoreInUi(page, PASSPHRASE);
  }, 180_000);

  afterAll(() =>
    tearDown(
      () => app?.context.close(),
      () => browser?.close(),
      () => bridge?.stop(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('follows the dark system scheme until told otherwise', async () => {
    await section('Settings').click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('system');
    expect(await themeGroup().getByRole('radio', { name: 'System' }).isChecked()).toBe(true);
    expect(await background()).toBe(DARK_BG);
    expect(await violationsInBothThemes(page)).toEqual({ light: [], dark: [] });
  });

  it('renders light at once when Light is chosen, and after a reload', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await themeGroup().getByRole('radio', { name: 'Light' }).check();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('light');
    expect(await background()).toBe(LIGHT_BG);

    await page.reload();
    await page.getByRole('button', { name: 'Lock now' }).waitFor();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('light');
    expect(await background()).toBe(LIGHT_BG);
    await section('Settings').click();
    expect(await themeGroup().getByRole('radio', { name: 'Light' }).isChecked()).toBe(true);
  });

  it('starts in the chosen theme, already on the unlock screen', async () => {
    await app!.context.close();
    await bridge!.stop();
    bridge = await startBridge(join(dir, 'store'));
    await open();
    await page.getByLabel('Master passphrase', { exact: true }).waitFor();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('light');
    expect(await background()).toBe(LIGHT_BG);
  }, 120_000);

  it('goes Dark, then back to following the system', async () => {
    await page.getByLabel('Master passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await section('Settings').click();
    await themeGroup().getByRole('radio', { name: 'Dark' }).check();
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(background).toBe(DARK_BG);
    await themeGroup().getByRole('radio', { name: 'System' }).check();
    await expect.poll(background).toBe(LIGHT_BG);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(background).toBe(DARK_BG);
  });
});
