// Every dialog of the app, one row each, driven by keyboard in Chromium against
// the real core over the loopback bridge: opened by keyboard (from the command
// palette where it offers the dialog, otherwise Enter on the button that opens
// it), no axe violation in either theme, Tab and Shift+Tab cycle inside it,
// and Escape, then its Cancel/Close button, close it with focus back on the
// control that opened it. The rows share one store and run in order: a restore
// is offered only while the store is empty, a rollback needs two versions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { violationsInBothThemes } from './axe';
import { openUi, sectionButton, tearDown, type UiSession } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
const SECRET = 'dialog_probe';

interface DialogRow {
  /** The dialog's accessible name. */
  dialog: string;
  /** Goes where the dialog is offered and returns the control focus must come back to. */
  prepare: () => Promise<Locator>;
  /** Opens the dialog by keyboard, with the focus on that control. */
  open: (opener: Locator) => Promise<void>;
  /** Its button that closes it without doing anything; the palette has none. */
  dismiss?: string;
}

describeNeeding(['chromium'], 'every dialog by keyboard: axe in both themes, focus trap and focus return (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let page: Page;

  const section = (name: string) => sectionButton(page, name);
  const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

  /** Focus on a section's button, that section shown. */
  const atSection = (name: string) => async () => {
    await section(name).click();
    await section(name).focus();
    return section(name);
  };
  /** Ctrl+K, the command's label, Enter. */
  const fromPalette = (command: string) => async (): Promise<void> => {
    await page.keyboard.press('Control+k');
    const combobox = page.getByRole('dialog', { name: 'Command palette' }).getByRole('combobox', { name: 'Search commands' });
    await combobox.waitFor();
    await combobox.fill(command);
    await page.getByRole('option', { name: command, exact: true }).waitFor();
    await expect.poll(async () => page.locator(`[id="${await combobox.getAttribute('aria-activedescendant')}"] .palette__option-label`).textContent()).toBe(command);
    await page.keyboard.press('Enter');
  };
  /** Focus on a button found by its name, after showing the section it is in. */
  const atButton = (sectionName: string, button: (page: Page) => Locator) => async () => {
    await section(sectionName).click();
    const opener = button(page);
    await opener.focus();
    return opener;
  };
  const pressEnter = async () => page.keyboard.press('Enter');

  /** Where focus is, as the index of the focused element among the open dialog's elements; -1 outside it. */
  const focusInDialog = () =>
    page.evaluate(() => {
      const dialog = document.querySelector('dialog[open]');
      const active = document.activeElement;
      return dialog && active && dialog.contains(active) ? Array.from(dialog.querySelectorAll('*')).indexOf(active) : -1;
    });

  /** Tabs until focus comes back to where it started: every stop on the way is inside the dialog. */
  async function expectTabCycle(name: string): Promise<void> {
    const start = await focusInDialog();
    expect(start, `${name}: focus is in the dialog when it opens`).toBeGreaterThanOrEqual(0);
    const stops = [start];
    for (let presses = 0; presses < 80; presses++) {
      await page.keyboard.press('Tab');
      const at = await focusInDialog();
      expect(at, `${name}: Tab ${presses + 1} left the dialog`).toBeGreaterThanOrEqual(0);
      if (at === start) break;
      stops.push(at);
    }
    expect(await focusInDialog(), `${name}: Tab came back to where it started`).toBe(start);
    // Shift+Tab goes the other way round: from the first stop to the last.
    await page.keyboard.press('Shift+Tab');
    expect(await focusInDialog(), `${name}: Shift+Tab from the first stop reaches the last`).toBe(stops.at(-1));
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-dialogs-e2e-'));
    ui = await openUi(join(dir, 'store'), { passphrase: PASSPHRASE, timeoutMs: 20_000 });
    page = ui.page;
  }, 120_000);

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  const rows: DialogRow[] = [
    { dialog: 'Command palette', prepare: atSection('Audit'), open: async () => page.keyboard.press('Control+k') },
    // Offered only while the store is empty.
    { dialog: 'Restore backup', prepare: atButton('Settings', (p) => p.getByRole('button', { name: 'Restore backup…' })), open: pressEnter, dismiss: 'Cancel' },
    { dialog: 'New secret', prepare: atSection('Secrets'), open: fromPalette('New secret: Encrypted text'), dismiss: 'Cancel' },
    { dialog: 'Reference an existing secret', prepare: atSection('Secrets'), open: fromPalette('New reference to a remote secret…'), dismiss: 'Close' },
    { dialog: 'Export backup', prepare: atSection('Settings'), open: fromPalette('Export backup…'), dismiss: 'Cancel' },
    { dialog: 'Import .env or CSV', prepare: atSection('Secrets'), open: fromPalette('Import .env/CSV…'), dismiss: 'Cancel' },
    { dialog: 'Add manager', prepare: atSection('Managers'), open: fromPalette('Add manager…'), dismiss: 'Cancel' },
    { dialog: 'Rotate master key', prepare: atButton('Settings', (p) => p.getByRole('button', { name: 'Rotate master key…' })), open: pressEnter, dismiss: 'Cancel' },
    // From here on the store holds a secret with two versions and an application.
    { dialog: 'Edit scope of several secrets', prepare: atSection('Secrets'), open: fromPalette('Edit scopes of the listed secrets…'), dismiss: 'Cancel' },
    { dialog: `Edit ${SECRET}`, prepare: atButton('Secrets', (p) => p.getByRole('button', { name: 'Edit', exact: true })), open: pressEnter, dismiss: 'Cancel' },
    { dialog: 'Delete secret?', prepare: atButton('Secrets', (p) => p.getByRole('button', { name: 'Delete', exact: true })), open: pressEnter, dismiss: 'Cancel' },
    { dialog: 'Roll back to version 1?', prepare: atButton('Secrets', (p) => p.getByRole('button', { name: 'Roll back to version 1' })), open: pressEnter, dismiss: 'Cancel' },
    { dialog: 'Rename billing', prepare: atButton('Applications', (p) => p.getByRole('button', { name: 'Rename application billing' })), open: pressEnter, dismiss: 'Cancel' },
    { dialog: 'Edit prod (billing)', prepare: atButton('Applications', (p) => p.getByRole('button', { name: 'Edit environment prod of billing' })), open: pressEnter, dismiss: 'Cancel' },
    { dialog: 'Delete environment prod?', prepare: atButton('Applications', (p) => p.getByRole('button', { name: 'Delete environment prod of billing' })), open: pressEnter, dismiss: 'Cancel' },
    { dialog: 'Delete application billing?', prepare: atButton('Applications', (p) => p.getByRole('button', { name: 'Delete application billing' })), open: pressEnter, dismiss: 'Cancel' },
    // The built-in store has no Test or Edit: its row menu offers the scope.
    {
      dialog: 'Usage scope of Built-in store',
      prepare: atButton('Managers', (p) => p.getByRole('button', { name: 'More actions for Built-in store' }).first()),
      open: async () => {
        await page.keyboard.press('Enter');
        const item = page.getByRole('menuitem', { name: 'Edit usage scope…' });
        await expect.poll(() => isFocused(item)).toBe(true);
        await page.keyboard.press('Enter');
      },
      dismiss: 'Cancel',
    },
    // The bulk edit's report replaces its form in place; focus still goes back to what opened the form.
    {
      dialog: 'Scope edit finished',
      prepare: atSection('Secrets'),
      open: async () => {
        await fromPalette('Edit scopes of the listed secrets…')();
        const apply = page.getByRole('dialog', { name: 'Edit scope of several secrets' }).getByRole('button', { name: /^Add billing / });
        await apply.focus();
        await page.keyboard.press('Enter');
      },
      dismiss: 'Close',
    },
    // Last: it leaves the credential open in the Secrets view.
    {
      dialog: 'Test connection: lab_ssh',
      prepare: atSection('Secrets'),
      open: async () => {
        await fromPalette('Test a credential…')();
        // The palette stays open and lists the credentials a connection test takes.
        const search = page.getByRole('dialog', { name: 'Command palette' }).getByRole('combobox', { name: 'Search credentials to test' });
        await search.fill('lab_ssh');
        await page.getByRole('listbox', { name: 'Credentials' }).getByRole('option', { name: 'lab_ssh', exact: true }).waitFor();
        await page.keyboard.press('Enter');
      },
      dismiss: 'Close',
    },
  ];

  /** A secret with two versions (for the rollback) and an application (for the scope and application dialogs), made in the UI. */
  async function fillTheStore(): Promise<void> {
    await section('Secrets').click();
    await page.getByRole('button', { name: 'New secret', exact: true }).click();
    const create = page.getByRole('dialog', { name: 'New secret' });
    await create.getByLabel('Name', { exact: true }).fill(SECRET);
    await create.getByLabel('Value', { exact: true }).fill('first value');
    await create.getByRole('button', { name: 'Create secret' }).click();
    await create.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${SECRET}` });
    await edit.getByLabel('New value', { exact: true }).fill('second value');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    await section('Applications').click();
    await page.getByLabel('Application name', { exact: true }).fill('billing');
    await page.getByRole('button', { name: 'Add application' }).click();
    await page.getByRole('region', { name: 'Application billing' }).waitFor();
    await page.getByLabel('New environment name for billing', { exact: true }).fill('prod');
    await page.getByRole('button', { name: 'Add environment to billing' }).click();
    await page.getByRole('button', { name: 'Edit environment prod of billing' }).waitFor();
    // A credential for the connection test dialog; nothing is connected to.
    await section('Secrets').click();
    await page.getByRole('button', { name: 'New secret', exact: true }).click();
    const ssh = page.getByRole('dialog', { name: 'New secret' });
    await ssh.getByRole('radio', { name: 'SSH credential' }).check();
    await ssh.getByLabel('Name', { exact: true }).fill('lab_ssh');
    await ssh.getByLabel('User name', { exact: true }).fill('admin');
    await ssh.getByRole('radio', { name: 'Password', exact: true }).check();
    await ssh.locator('#secret-password').fill('a password for the dialog test');
    await ssh.getByRole('button', { name: 'Create secret' }).click();
    await ssh.waitFor({ state: 'detached' });
    // The rows after this one act on the first secret again.
    await page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name: SECRET, exact: true }).click();
  }

  for (const row of rows) {
    it(`${row.dialog}: opens by keyboard, no axe violation in either theme, Tab stays inside, Esc${row.dismiss ? ` and ${row.dismiss}` : ''} return focus to the opener`, async () => {
      // A row that failed may have left its dialog open; each row starts from none.
      for (let open = 0; open < 3 && (await page.locator('dialog[open]').count()) > 0; open++) await page.keyboard.press('Escape');
      if (row.dialog === 'Edit scope of several secrets') await fillTheStore();
      const dialog = page.getByRole('dialog', { name: row.dialog, exact: true });

      const opener = await row.prepare();
      expect(await isFocused(opener), `${row.dialog}: its opener has focus`).toBe(true);
      await row.open(opener);
      await dialog.waitFor();
      expect(await violationsInBothThemes(page, 'dialog[open]')).toEqual({ light: [], dark: [] });
      await expectTabCycle(row.dialog);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await isFocused(opener), `${row.dialog}: Esc returned focus to the opener`).toBe(true);

      if (!row.dismiss) return;
      const again = await row.prepare();
      await row.open(again);
      await dialog.waitFor();
      await dialog.getByRole('button', { name: row.dismiss, exact: true }).focus();
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      expect(await isFocused(again), `${row.dialog}: ${row.dismiss} returned focus to the opener`).toBe(true);
    }, 120_000);
  }
});
