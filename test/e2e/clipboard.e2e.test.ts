// Clipboard clear, in Chromium over the loopback bridge: the delay is a
// setting, the toast names it, the copied value is gone once it has passed,
// and a clipboard the user filled since is left alone. Time is the page's
// fake clock (Playwright's page.clock), advanced by hand: nothing is slept for.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { violationsInBothThemes } from './axe.js';
import { newTextSecretInUi, openUi, sectionButton, tearDown, type UiSession } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
const VALUE = 'clipboard-canary-7f3a';
const DELAY_SECONDS = 5;

describeNeeding(['chromium'], 'clipboard clear after the delay in Settings (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let page: Page;

  const section = (name: string) => sectionButton(page, name);
  const clipboardText = () => page.evaluate(() => navigator.clipboard.readText());
  const copyButton = () => page.getByRole('button', { name: 'Copy', exact: true });

  /**
   * Stops the page's clock a moment ahead, so only runFor moves it. The clock
   * runs on while Playwright relays the call: a moment that has passed by then
   * is refused ("Cannot fast-forward to the past"), so try a later one.
   */
  async function pauseClock(): Promise<void> {
    for (let aheadMs = 1000; ; aheadMs *= 4) {
      try {
        await page.clock.pauseAt(await page.evaluate((ahead) => Date.now() + ahead, aheadMs));
        return;
      } catch (error) {
        if (!/past/.test(String(error)) || aheadMs > 60_000) throw error;
      }
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-clipboard-e2e-'));
    ui = await openUi(join(dir, 'store'), { passphrase: PASSPHRASE, timeoutMs: 30_000, beforeCreate: (page) => page.clock.install() });
    page = ui.page;
    await newTextSecretInUi(page, 'db-password', VALUE);
  }, 180_000);

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('keeps the delay as a setting, "never" included', async () => {
    await section('Settings').click();
    const delay = page.getByLabel('Clear copied values after (seconds)');
    expect(await delay.inputValue()).toBe('30');
    await delay.fill('0');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Enter a whole number of seconds from 1 to 3600, or choose Never.').waitFor();

    await page.getByLabel('Never clear copied values').check();
    expect(await delay.isDisabled()).toBe(true);
    expect(await violationsInBothThemes(page)).toEqual({ light: [], dark: [] });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Settings saved.').waitFor();

    await page.getByLabel('Never clear copied values').uncheck();
    await delay.fill(String(DELAY_SECONDS));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Settings saved.').waitFor();
  });

  it('empties the clipboard once the delay has passed, not before', async () => {
    await section('Secrets').click();
    await page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name: 'db-password', exact: true }).click();
    await pauseClock();
    await copyButton().click();
    await page.getByText(`Copied; clears in ${DELAY_SECONDS} s`).waitFor();
    expect(await clipboardText()).toBe(VALUE);

    await page.clock.runFor(DELAY_SECONDS * 1000 - 1);
    expect(await clipboardText()).toBe(VALUE);
    await page.clock.runFor(1);
    await expect.poll(clipboardText).toBe('');
    await page.getByText('Clipboard cleared').waitFor();
    await page.clock.resume();
  });

  it('leaves alone what the user copied in the meantime', async () => {
    await pauseClock();
    await copyButton().click();
    await page.getByText(`Copied; clears in ${DELAY_SECONDS} s`).last().waitFor();
    expect(await clipboardText()).toBe(VALUE);
    await page.evaluate(() => navigator.clipboard.writeText('what the user copied'));

    await page.clock.runFor(DELAY_SECONDS * 1000);
    await page.getByText('Clipboard left as it is: it holds something copied since').waitFor();
    expect(await clipboardText()).toBe('what the user copied');
    await page.clock.resume();
  });
});
