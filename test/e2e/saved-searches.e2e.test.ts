// Renaming a saved search where the secrets list shows them, in Chromium
// against the real core over the loopback bridge: by keyboard, in place of the
// search's entry; a name another search has (in any case) is refused and said
// so; Esc cancels; focus goes back to the entry's Rename button; the renamed
// search still applies, and the migration view offers it by its new name. axe
// in both themes with the edit open.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { violationsInBothThemes } from './axe';
import { newTextSecretInUi, openUi, sectionButton, tearDown, type UiSession } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'saved searches renamed 5821 quietly';

describeNeeding(['chromium'], 'renaming a saved search (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let page: Page;

  const search = () => page.getByRole('searchbox', { name: 'Search secrets' });
  const saved = () => page.getByRole('list', { name: 'Saved searches' });
  const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.id ?? null);

  async function saveSearch(query: string, name: string): Promise<void> {
    await search().fill(query);
    await page.getByRole('button', { name: 'Save search', exact: true }).click();
    const form = page.getByRole('form', { name: 'Save search' });
    await form.getByLabel('Name of the search').fill(name);
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    await saved().getByRole('button', { name: `Apply saved search ${name}`, exact: true }).waitFor();
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-saved-searches-e2e-'));
    ui = await openUi(join(dir, 'store'), { passphrase: PASSPHRASE, timeoutMs: 20_000 });
    page = ui.page;
    for (const name of ['db_prod', 'db_test', 'api_key']) await newTextSecretInUi(page, name, `value of ${name}`);
    await page.getByText('3 secrets', { exact: true }).waitFor();
    await saveSearch('db_', 'Databases');
    await saveSearch('api', 'Keys');
    await search().fill('');
    await page.getByText('3 secrets', { exact: true }).waitFor();
  }, 120_000);

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('renames by keyboard in place, refuses a name another search has, and has no axe violations', async () => {
    await saved().getByRole('button', { name: 'Rename saved search Databases', exact: true }).focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: 'Rename saved search Databases' });
    const field = form.getByLabel('New name for Databases');
    await expect.poll(focusedLabel).toBe(await field.getAttribute('id'));
    // The whole name is selected: typing replaces it.
    expect(await field.evaluate((input: HTMLInputElement) => [input.selectionStart, input.selectionEnd])).toEqual([0, 'Databases'.length]);
    expect(await violationsInBothThemes(page)).toEqual({ light: [], dark: [] });

    await page.keyboard.type('keys');
    await page.keyboard.press('Enter');
    await form.getByRole('alert').filter({ hasText: 'A saved search named "keys" already exists.' }).waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await violationsInBothThemes(page)).toEqual({ light: [], dark: [] });

    await field.fill('');
    await page.keyboard.press('Enter');
    await form.getByRole('alert').filter({ hasText: 'Give the search a name.' }).waitFor();

    await field.fill('DB secrets');
    await page.keyboard.press('Enter');
    await form.waitFor({ state: 'detached' });
    await expect.poll(focusedLabel).toBe('Rename saved search DB secrets');
    expect(await saved().getByRole('button', { name: 'Apply saved search Databases', exact: true }).count()).toBe(0);

    // Renamed, it applies as before.
    await saved().getByRole('button', { name: 'Apply saved search DB secrets', exact: true }).click();
    expect(await search().inputValue()).toBe('db_');
    await page.getByText('2 matches', { exact: true }).waitFor();
  });

  it('Esc and Cancel leave the name as it was and give focus back to Rename', async () => {
    const rename = saved().getByRole('button', { name: 'Rename saved search Keys', exact: true });
    await rename.focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: 'Rename saved search Keys' });
    await page.keyboard.type('Not kept');
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    await expect.poll(focusedLabel).toBe('Rename saved search Keys');

    await page.keyboard.press('Enter');
    await form.getByLabel('New name for Keys').fill('Not kept either');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await form.waitFor({ state: 'detached' });
    await expect.poll(focusedLabel).toBe('Rename saved search Keys');
    expect(await saved().getByRole('button', { name: /^Apply saved search / }).evaluateAll((buttons) => buttons.map((button) => button.textContent))).toEqual([
      'DB secrets',
      'Keys',
    ]);
  });

  it('the migration view offers the search by its new name', async () => {
    await sectionButton(page, 'Migration').click();
    await page.getByRole('radio', { name: 'A saved search' }).check();
    const options = await page.getByLabel('Saved search', { exact: true }).locator('option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(['DB secrets', 'Keys']));
    expect(options).not.toContain('Databases');
  });
});
