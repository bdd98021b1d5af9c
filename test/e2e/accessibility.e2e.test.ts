// axe-core on every screen of the app, in the light and the dark theme
// (prefers-color-scheme), failing on any violation, against the real core
// over the loopback bridge.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStoreInUi, launchBrowser, openApp, startBridge, tearDown, type OpenedApp, type RunningBridge } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
const SECTIONS = ['Secrets', 'Applications', 'Managers', 'Migration', 'Audit', 'Settings'];

describeNeeding(['chromium'], 'accessibility of every screen, both themes (e2e)', () => {
  let dir: string;
  let bridge: RunningBridge | undefined;
  let browser: Browser | undefined;
  let app: OpenedApp | undefined;
  let page: Page;

  /** Every violation axe finds on the page as it is now, one line each, so a failure names what and where. */
  async function violations(): Promise<string[]> {
    const result = await new AxeBuilder({ page }).analyze();
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-a11y-e2e-'));
    bridge = await startBridge(join(dir, 'store'));
    browser = await launchBrowser();
    app = await openApp(browser, bridge);
    page = app.page;
    page.setDefaultTimeout(15_000);
  });

  afterAll(() =>
    tearDown(
      () => app?.context.close(),
      () => browser?.close(),
      () => bridge?.stop(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it.each(['light', 'dark'] as const)('the first-run screen has no violations in the %s theme', async (scheme) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.getByRole('heading', { name: 'Create your store' }).waitFor();
    expect(await violations()).toEqual([]);
  });

  it.each(['light', 'dark'] as const)('every main view has no violations in the %s theme', async (scheme) => {
    if (await page.getByRole('heading', { name: 'Create your store' }).isVisible()) await createStoreInUi(page, PASSPHRASE);
    await page.emulateMedia({ colorScheme: scheme });
    const found: Record<string, string[]> = {};
    for (const name of SECTIONS) {
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name }).click();
      // Secrets has no heading until a secret is chosen; the other views open with theirs.
      await (name === 'Secrets' ? page.getByText('No secrets yet', { exact: false }) : page.getByRole('heading', { level: 2 }).first()).waitFor();
      found[name] = await violations();
    }
    expect(found).toEqual(Object.fromEntries(SECTIONS.map((name) => [name, []])));
  });
});
