// The command palette (Ctrl+K), driven through accessible names in Chromium
// against the real core over the loopback bridge: every command it lists,
// fuzzy search, recent secrets kept only until a lock, the credential picker
// for a connection test, and focus going back to where it was. The steps
// share one store and run in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { axeViolations, THEMES } from './axe';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { secretTypeDescriptions, secretTypes } from '../../src-shared/contract.js';
import { openUi, sectionButton, tearDown, unlockInUi, type UiSession } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
const SECTIONS = ['Secrets', 'Applications', 'Managers', 'Migration', 'Audit', 'Settings'];

describeNeeding(['chromium'], 'the command palette (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let page: Page;

  const section = (name: string) => sectionButton(page, name);
  const palette = () => page.getByRole('dialog', { name: 'Command palette' });
  const combobox = () => palette().getByRole('combobox', { name: 'Search commands' });
  const commandOption = (name: string) => palette().getByRole('listbox', { name: 'Commands' }).getByRole('option', { name, exact: true });
  const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

  async function openPalette(): Promise<void> {
    await page.keyboard.press('Control+k');
    await combobox().waitFor();
    expect(await isFocused(combobox())).toBe(true);
  }

  /** The accessible name of the option the combobox points at. */
  async function activeOption(): Promise<string> {
    const id = await combobox().getAttribute('aria-activedescendant');
    return (await page.locator(`[id="${id}"] .palette__option-label`).textContent()) ?? '';
  }

  async function createText(name: string): Promise<void> {
    await page.getByRole('button', { name: 'New secret', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New secret' });
    await dialog.getByLabel('Name', { exact: true }).fill(name);
    await dialog.getByLabel('Value', { exact: true }).fill(`value of ${name}`);
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-palette-e2e-'));
    ui = await openUi(join(dir, 'store'), { passphrase: PASSPHRASE, timeoutMs: 15_000 });
    page = ui.page;
  });

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('lists every action: a new secret of each type, every view, lock, test, add a manager, export', async () => {
    await section('Audit').focus();
    await openPalette();
    for (const type of secretTypes) await commandOption(`New secret: ${secretTypeDescriptions[type].label}`).waitFor();
    for (const name of SECTIONS) await commandOption(`Go to ${name}`).waitFor();
    for (const name of ['Lock now', 'Start a migration…', 'Test a credential…', 'Add manager…', 'Export backup…', 'Import .env/CSV…', 'New reference to a remote secret…', 'Search secrets']) {
      await commandOption(name).waitFor();
    }
    // Esc closes it and focus goes back to where it was.
    await page.keyboard.press('Escape');
    await palette().waitFor({ state: 'detached' });
    expect(await isFocused(section('Audit'))).toBe(true);
  });

  it('has no axe violations in either theme, with the combobox pointing at an option', async () => {
    for (const scheme of THEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await openPalette();
      await page.keyboard.press('ArrowDown');
      expect(await axeViolations(page, 'dialog[open]')).toEqual([]);
      await page.keyboard.press('Escape');
      await palette().waitFor({ state: 'detached' });
    }
    await page.emulateMedia({ colorScheme: null });
  });

  it('finds commands by fuzzy search and opens a new secret of the chosen type; focus returns to the opener', async () => {
    await section('Settings').click();
    await section('Settings').focus();
    await openPalette();
    // A typo still finds it.
    await combobox().fill('new ssh credental');
    await expect.poll(activeOption).toBe('New secret: SSH credential');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New secret' });
    await dialog.waitFor();
    expect(await dialog.getByRole('radio', { name: 'SSH credential' }).isChecked()).toBe(true);
    expect(await isFocused(dialog.getByLabel('Name', { exact: true }))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await isFocused(section('Settings'))).toBe(true);

    // Arrow keys move through the matches and wrap.
    await openPalette();
    await combobox().fill('go to');
    await expect.poll(activeOption).toMatch(/^Go to /);
    const first = await activeOption();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowDown');
    expect(await activeOption()).toBe(first);
    await combobox().fill('audit');
    await expect.poll(activeOption).toBe('Go to Audit');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Audit trail', level: 2 }).waitFor();
    expect(await section('Audit').getAttribute('aria-current')).toBe('page');

    // A query nothing matches says so.
    await openPalette();
    await combobox().fill('zzqqxxj');
    await palette().getByRole('status').getByText('No command or secret matches.').waitFor();
    await page.keyboard.press('Escape');
  });

  it('offers recent secrets first, finds others by name, and forgets the recent ones at lock', async () => {
    await section('Secrets').click();
    await createText('alpha_token');
    await createText('beta_key');
    await page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name: 'alpha_token', exact: true }).click();
    await section('Managers').click();

    await openPalette();
    const recent = palette().getByRole('group', { name: 'Recent secrets' });
    await recent.getByRole('option', { name: 'alpha_token', exact: true }).waitFor();
    expect(await recent.getByRole('option').allTextContents()).toEqual([expect.stringContaining('alpha_token'), expect.stringContaining('beta_key')]);
    expect(await activeOption()).toBe('alpha_token');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'alpha_token', exact: true }).waitFor();
    expect(await section('Secrets').getAttribute('aria-current')).toBe('page');

    await page.getByRole('button', { name: 'Lock now' }).click();
    await unlockInUi(page, PASSPHRASE);

    await openPalette();
    expect(await palette().getByRole('group', { name: 'Recent secrets' }).count()).toBe(0);
    // Not recent any more, but main finds it by name.
    await combobox().fill('beta_k');
    await palette().getByRole('group', { name: 'Secrets' }).getByRole('option', { name: 'beta_key', exact: true }).click();
    await page.getByRole('heading', { name: 'beta_key', exact: true }).waitFor();
  });

  it('picks a credential and opens its connection test', async () => {
    await openPalette();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'New secret', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New secret' });
    await dialog.getByRole('radio', { name: 'SSH credential' }).check();
    await dialog.getByLabel('Name', { exact: true }).fill('web_ssh');
    await dialog.getByLabel('User name', { exact: true }).fill('deploy');
    await dialog.getByRole('radio', { name: 'Password', exact: true }).check();
    await dialog.locator('#secret-password').fill('s3cret-pw');
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await dialog.waitFor({ state: 'detached' });
    await section('Audit').click();

    await openPalette();
    await combobox().fill('test a cred');
    await expect.poll(activeOption).toBe('Test a credential…');
    await page.keyboard.press('Enter');
    const credentials = palette().getByRole('listbox', { name: 'Credentials' });
    await credentials.getByRole('option', { name: 'web_ssh', exact: true }).waitFor();
    // Only what a connection test accepts: no text secrets.
    expect(await credentials.getByRole('option', { name: 'alpha_token' }).count()).toBe(0);
    await palette().getByRole('combobox', { name: 'Search credentials to test' }).fill('web');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Test connection: web_ssh' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'web_ssh', exact: true }).waitFor();
  });

  it('adds a manager, exports a backup, starts a migration and locks from the palette', async () => {
    for (const [command, dialogName, sectionName] of [
      ['Add manager…', 'Add manager', 'Managers'],
      ['Export backup…', 'Export backup', 'Settings'],
      ['New reference to a remote secret…', 'Reference an existing secret', 'Secrets'],
    ] as const) {
      await openPalette();
      await combobox().fill(command.replace('…', ''));
      await expect.poll(activeOption).toBe(command);
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: dialogName });
      await dialog.waitFor();
      expect(await section(sectionName).getAttribute('aria-current')).toBe('page');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    }

    await openPalette();
    await combobox().fill('start a migr');
    await expect.poll(activeOption).toBe('Start a migration…');
    await page.keyboard.press('Enter');
    await expect.poll(() => section('Migration').getAttribute('aria-current')).toBe('page');

    await openPalette();
    await combobox().fill('lock');
    await expect.poll(activeOption).toBe('Lock now');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Unlock Strongroom' }).waitFor();
  });
});
