// The keyboard alone, in Chromium against the real core over the loopback
// bridge: create a secret, reveal it, copy it and lock, reaching each control
// with Tab and seeing where focus is at every step.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openUi, tearDown, type UiSession } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
/** More Tab presses than the main screen has stops; reaching a control takes fewer. */
const MAX_TABS = 80;

describeNeeding(['chromium'], 'the keyboard alone (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let page: Page;

  const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

  /** Presses Tab until `target` has focus, and checks focus is drawn there (a visible outline). */
  async function tabTo(target: Locator): Promise<void> {
    for (let presses = 0; presses < MAX_TABS; presses++) {
      if (await isFocused(target)) {
        const outline = await target.evaluate((element) => getComputedStyle(element).outlineStyle);
        expect(outline).not.toBe('none');
        return;
      }
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${target.toString()}`);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-keyboard-e2e-'));
    ui = await openUi(join(dir, 'store'), { passphrase: PASSPHRASE, timeoutMs: 15_000 });
    page = ui.page;
  });

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('creates, reveals, copies and locks with the keyboard only', async () => {
    // Create: Ctrl+N, the name has focus, Tab to the value, Ctrl+Enter saves.
    await page.keyboard.press('Control+n');
    const dialog = page.getByRole('dialog', { name: 'New secret' });
    await dialog.waitFor();
    expect(await isFocused(dialog.getByLabel('Name', { exact: true }))).toBe(true);
    await page.keyboard.type('keyboard_token');
    await tabTo(dialog.getByLabel('Value', { exact: true }));
    await page.keyboard.type('typed-with-keys-only');
    await page.keyboard.press('Control+Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'keyboard_token', exact: true }).waitFor();

    // Reveal: Tab to it, Enter; focus stays on the button, now "Hide".
    const reveal = page.getByRole('button', { name: 'Reveal', exact: true });
    await tabTo(reveal);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe('typed-with-keys-only');
    expect(await isFocused(page.getByRole('button', { name: 'Hide', exact: true }))).toBe(true);

    // Copy: the next stop; Space presses it.
    const copy = page.getByRole('button', { name: 'Copy', exact: true });
    await tabTo(copy);
    await page.keyboard.press('Space');
    await page.getByText('Copied; clears in', { exact: false }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('typed-with-keys-only');
    expect(await isFocused(copy)).toBe(true);

    // Lock: Ctrl+L, and the unlock screen has the passphrase field focused.
    await page.keyboard.press('Control+l');
    await page.getByRole('heading', { name: 'Unlock Strongroom' }).waitFor();
    const passphrase = page.getByLabel('Master passphrase', { exact: true });
    await expect.poll(() => isFocused(passphrase)).toBe(true);
    await page.keyboard.type(PASSPHRASE);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Lock now' }).waitFor();
  });
});
