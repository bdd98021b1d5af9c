// Applications and environments, usage scopes, versions, search, backup and
// import, in Chromium against the real core over the loopback bridge. The
// steps share one store; the last ones restore its backup into a second,
// fresh store served by a second server.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStoreInUi, launchBrowser, newTextSecretInUi, openApp, sectionButton, startBridge, tearDown, type OpenedApp, type RunningBridge } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
const EXPORT_PASSPHRASE = 'seven yellow kites over harbour';

describeNeeding(['chromium'], 'scopes, versions, search, backup and import (e2e)', () => {
  let dir: string;
  let bridge: RunningBridge | undefined;
  let second: RunningBridge | undefined;
  let browser: Browser | undefined;
  const opened: OpenedApp[] = [];
  let page: Page;
  let backupPath = '';

  const option = (name: string) => page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name, exact: true });
  const section = (name: string) => sectionButton(page, name);
  const optionNames = () => page.getByRole('listbox', { name: 'Secrets' }).getByRole('option').evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label')));
  const scopeForm = () => page.getByRole('form', { name: 'Usage scope of this secret' });

  async function open(target: RunningBridge): Promise<void> {
    if (!browser) throw new Error('not started');
    const app = await openApp(browser, target);
    opened.push(app);
    page = app.page;
    page.setDefaultTimeout(15_000);
  }

  const createStore = () => createStoreInUi(page, PASSPHRASE);

  async function createText(name: string, value: string): Promise<void> {
    await newTextSecretInUi(page, name, value);
    await option(name).waitFor();
  }

  async function setValue(name: string, value: string): Promise<void> {
    await option(name).click();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Edit ${name}` });
    await dialog.getByLabel('New value', { exact: true }).fill(value);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  async function addEnvironment(app: string, name: string, type: 'Production' | 'Non-Production'): Promise<void> {
    await page.getByLabel(`New environment name for ${app}`).fill(name);
    await page.getByLabel(`Type of the new environment of ${app}`).selectOption({ label: type });
    await page.getByRole('button', { name: `Add environment to ${app}` }).click();
    await page.getByRole('list', { name: `Environments of ${app}` }).getByText(name, { exact: true }).waitFor();
  }

  async function setEntry(form: Locator, n: number, application: string, environment: string): Promise<void> {
    await form.getByLabel(`Application for entry ${n}`).selectOption({ label: application });
    await form.getByLabel(`Environment for entry ${n}`).selectOption({ label: environment });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-scopes-e2e-'));
    bridge = await startBridge(join(dir, 'source'));
    browser = await launchBrowser();
    await open(bridge);
    await createStore();
  });

  afterAll(() =>
    tearDown(
      ...opened.map((app) => () => app.context.close()),
      () => browser?.close(),
      () => bridge?.stop(),
      () => second?.stop(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('creates, renames and checks applications and their typed environments', async () => {
    await section('Applications').click();
    await page.getByText('No applications yet.', { exact: false }).waitFor();
    const name = page.getByLabel('Application name');
    await name.fill('-bad');
    await page.getByRole('button', { name: 'Add application' }).click();
    await page.getByText('Start with a letter or digit', { exact: false }).waitFor();
    for (const app of ['billing', 'web']) {
      await name.fill(app);
      await page.getByRole('button', { name: 'Add application' }).click();
      await page.getByRole('heading', { name: app, exact: true }).waitFor();
    }
    await name.fill('BILLING');
    await page.getByRole('button', { name: 'Add application' }).click();
    await page.getByText('An application named "BILLING" already exists.').waitFor();
    await name.fill('');

    await addEnvironment('billing', 'prod', 'Production');
    await addEnvironment('billing', 'qa', 'Non-Production');
    await addEnvironment('web', 'prod', 'Production');

    await page.getByRole('button', { name: 'Rename application web' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename web' });
    await rename.getByLabel('Application name').fill('website');
    await rename.getByRole('button', { name: 'Save' }).click();
    await rename.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'website', exact: true }).waitFor();
    await page.getByRole('list', { name: 'Environments of billing' }).getByText('Non-Production').waitFor();
  });

  it('edits a secret’s usage scope and shows the resulting summary', async () => {
    await section('Secrets').click();
    await createText('db_password', 'value-1');
    await createText('api_token', 'token-1');
    await createText('qa_only', 'qa-1');

    await option('db_password').click();
    let form = scopeForm();
    await form.getByText('Unscoped: usable by any application, and outside applications.').waitFor();
    await form.getByLabel('Scoped', { exact: true }).check();
    await setEntry(form, 1, 'billing', 'Production');
    await form.getByText('Usable by billing · Production.').waitFor();
    await form.getByRole('button', { name: 'Save scope' }).click();
    // The summary writes the entries out, not a count.
    await page.locator('.meta div').filter({ hasText: 'Usage scope' }).getByText('billing · Production', { exact: true }).waitFor();

    await option('qa_only').click();
    await page.getByRole('heading', { name: 'qa_only', exact: true }).waitFor();
    form = scopeForm();
    await form.getByLabel('Scoped', { exact: true }).check();
    await setEntry(form, 1, 'billing', 'qa (Non-Production)');
    await form.getByRole('button', { name: 'Add entry' }).click();
    await setEntry(form, 2, 'All applications', 'Non-Production');
    await form.getByLabel('Scope to account', { exact: false }).check();
    await form.getByText('Usable by billing · qa; All applications · Non-Production; and outside applications (account level).').waitFor();
    await form.getByRole('button', { name: 'Remove entry 2' }).click();
    await form.getByLabel('Scope to account', { exact: false }).uncheck();
    await form.getByText('Usable by billing · qa.').waitFor();
    await form.getByRole('button', { name: 'Save scope' }).click();
    await page.getByText('Scope saved').first().waitFor();
  });

  it('filters by application, environment and type, and sorts', async () => {
    await page.getByText('3 secrets').waitFor();
    await page.getByLabel('Application filter').selectOption({ label: 'billing' });
    await page.getByText('2 matches').waitFor();
    expect(await optionNames()).toEqual(['db_password', 'qa_only']);
    await page.getByLabel('Environment filter').selectOption({ label: 'qa' });
    await page.getByText('1 match', { exact: true }).waitFor();
    expect(await optionNames()).toEqual(['qa_only']);
    await page.getByLabel('Application filter').selectOption({ label: 'All applications' });
    await page.getByText('3 secrets').waitFor();

    await page.getByRole('button', { name: 'Sort direction: ascending' }).click();
    await expect.poll(optionNames).toEqual(['qa_only', 'db_password', 'api_token']);
    await page.getByLabel('Sort by').selectOption({ label: 'Created' });
    await expect.poll(optionNames).toEqual(['qa_only', 'api_token', 'db_password']);
    await page.getByRole('button', { name: 'Sort direction: descending' }).click();
    await page.getByLabel('Sort by').selectOption({ label: 'Name' });
    await expect.poll(optionNames).toEqual(['api_token', 'db_password', 'qa_only']);

    await page.getByPlaceholder('Search secrets').fill('_o');
    await page.getByText('1 match', { exact: true }).waitFor();
    await page.getByPlaceholder('Search secrets').fill('');
    await page.getByText('3 secrets').waitFor();
  });

  it('moves through the list with the keyboard: / to search, arrows to move, Enter to open', async () => {
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Search secrets');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Secrets');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'db_password', exact: true }).waitFor();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'qa_only', exact: true }).waitFor();
  });

  it('lists versions, reveals an old one, and rolls back to it as a new version', async () => {
    await setValue('db_password', 'value-2');
    await setValue('db_password', 'value-3');
    const versions = page.getByRole('table', { name: 'Versions' });
    await versions.getByRole('cell', { name: /^v3/ }).waitFor();
    expect(await versions.locator('tbody tr').count()).toBe(3);
    // Who made each version is shown beside it.
    expect((await versions.locator('tbody tr').first().locator('td').nth(2).textContent())?.trim()).not.toBe('');

    await page.getByRole('button', { name: 'View version 1' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Value of version 1' }).textContent()).toBe('value-1');
    await page.getByRole('button', { name: 'Hide version 1' }).click();

    expect(await page.getByRole('button', { name: 'Roll back to version 3' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Roll back to version 1' }).click();
    const confirm = page.getByRole('dialog', { name: 'Roll back to version 1?' });
    await confirm.getByText('This creates version 4 with the value of version 1.', { exact: false }).waitFor();
    await confirm.getByRole('button', { name: 'Roll back' }).click();
    await confirm.waitFor({ state: 'detached' });
    // The new version says which one it restored, and the last column says what it holds.
    await versions.getByRole('cell', { name: /^v4: rollback of v1/ }).waitFor();
    expect(await versions.getByRole('columnheader', { name: 'Details' }).count()).toBe(1);
    expect(await versions.getByRole('cell', { name: 'UI (browser)' }).count()).toBe(4);
    await page.getByRole('button', { name: 'Reveal', exact: true }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe('value-1');
  });

  it('deletes an environment after saying what will happen, then reports the secrets that lost entries', async () => {
    await section('Applications').click();
    await page.getByRole('button', { name: 'Delete environment qa of billing' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete environment qa?' });
    await confirm.getByText('No secret becomes more widely usable.', { exact: false }).waitFor();
    await confirm.getByRole('button', { name: 'Delete environment' }).click();
    const report = page.getByRole('dialog', { name: 'Deleted environment qa' });
    await report.getByText('1 secret lost scope entries: qa_only.').waitFor();
    await report.getByText('These are now usable by no application: qa_only.', { exact: false }).waitFor();
    await report.getByRole('button', { name: 'OK' }).click();
    await report.waitFor({ state: 'detached' });
    await page.getByRole('list', { name: 'Environments of billing' }).getByText('qa').waitFor({ state: 'detached' });

    await section('Secrets').click();
    await option('qa_only').click();
    await scopeForm().getByText('Usable by no application until entries are added.').waitFor();
  });

  it('asks before a manager’s narrower scope narrows its secrets, and can cancel', async () => {
    await section('Managers').click();
    const table = page.getByRole('table', { name: 'Secret managers' });
    await table.getByRole('cell', { name: 'Built-in store', exact: true }).waitFor();
    await table.getByRole('cell', { name: '3', exact: true }).waitFor();

    const narrowTo = async () => {
      await page.getByRole('button', { name: 'More actions for Built-in store' }).click();
      await page.getByRole('menuitem', { name: 'Edit usage scope…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Usage scope of Built-in store' });
      await dialog.getByLabel('Scoped', { exact: true }).check();
      await setEntry(dialog, 1, 'website', 'Production');
      await dialog.getByRole('button', { name: 'Save scope' }).click();
      const conflict = page.getByRole('dialog', { name: 'Narrow these secrets too?' });
      await conflict.getByRole('list', { name: 'Secrets outside the new scope' }).waitFor();
      expect(await conflict.getByRole('listitem').allTextContents()).toEqual(['api_token', 'db_password']);
      return conflict;
    };

    let conflict = await narrowTo();
    await conflict.getByRole('button', { name: 'Cancel' }).click();
    await conflict.waitFor({ state: 'detached' });
    await table.getByText('Unscoped: usable by any application', { exact: false }).waitFor();

    conflict = await narrowTo();
    await conflict.getByRole('button', { name: 'Narrow these secrets too' }).click();
    await conflict.waitFor({ state: 'detached' });
    await table.getByText('Usable by website · Production.').waitFor();

    await section('Secrets').click();
    await option('api_token').click();
    await page.getByRole('heading', { name: 'api_token', exact: true }).waitFor();
    const form = scopeForm();
    await form.getByText('Usable by website · Production.').waitFor();
    // A secret's scope cannot be wider than its manager's: main says so, inline.
    await form.getByLabel('Unscoped (any application)').check();
    await form.getByRole('button', { name: 'Save scope' }).click();
    await form.getByRole('alert').getByText('This scope is wider than the scope of the manager "Built-in store".', { exact: false }).waitFor();

    await section('Managers').click();
    await page.getByRole('button', { name: 'More actions for Built-in store' }).click();
    await page.getByRole('menuitem', { name: 'Edit usage scope…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Usage scope of Built-in store' });
    await dialog.getByLabel('Unscoped (any application)').check();
    await dialog.getByRole('button', { name: 'Save scope' }).click();
    await dialog.waitFor({ state: 'detached' });
    await table.getByText('Unscoped: usable by any application', { exact: false }).waitFor();
  });

  it('imports a .env file: a clashing name is reported and nothing is written; a clean file goes in with progress', async () => {
    const clash = join(dir, 'clash.env');
    writeFileSync(clash, '# exported\nAPI_NEW=abc\napi_token=dup\n');
    const clean = join(dir, 'clean.env');
    writeFileSync(clean, 'IMPORTED_A=one\nexport IMPORTED_B="two words"\n');

    await section('Settings').click();
    await page.getByRole('button', { name: 'Import .env/CSV…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import .env or CSV' });
    await dialog.getByLabel('File to import').setInputFiles(clash);
    const preview = dialog.getByRole('table', { name: 'Import preview' });
    await preview.getByRole('row').filter({ hasText: 'api_token' }).getByText('Name taken').waitFor();
    await preview.getByRole('row').filter({ hasText: 'API_NEW' }).getByText('New', { exact: true }).waitFor();
    await dialog.getByText('This name is already in use: api_token.', { exact: false }).waitFor();
    expect(await dialog.getByRole('button', { name: /^Import/ }).isDisabled()).toBe(true);
    expect(await page.content()).not.toContain('dup');

    await dialog.getByLabel('File to import').setInputFiles(clean);
    await dialog.getByRole('button', { name: 'Import 2 secrets' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Imported 2 secrets from clean.env').waitFor();

    await section('Secrets').click();
    await page.getByText('5 secrets').waitFor();
    await option('API_NEW').waitFor({ state: 'detached' });
    await option('IMPORTED_B').click();
    await page.getByRole('button', { name: 'Reveal', exact: true }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe('two words');
  });

  it('exports a backup under a passphrase chosen for it, saved as a download', async () => {
    await section('Settings').click();
    await page.getByText('Available only in an empty store', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Restore backup…' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Export backup…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export backup' });
    await dialog.getByLabel('Export passphrase', { exact: true }).fill(EXPORT_PASSPHRASE);
    await dialog.getByLabel('Repeat export passphrase', { exact: true }).fill(`${EXPORT_PASSPHRASE}!`);
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await dialog.getByText('The passphrases do not match').waitFor();
    await dialog.getByText(/^Strength: (Fair|Strong|Very strong)/).waitFor();
    await dialog.getByLabel('Repeat export passphrase', { exact: true }).fill(EXPORT_PASSPHRASE);

    await page.evaluate(() => {
      (window as unknown as Record<string, unknown>).showSaveFilePicker = undefined;
    });
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export', exact: true }).click()]);
    expect(download.suggestedFilename()).toMatch(/^strongroom-\d{8}-\d{6}\.srbackup$/);
    backupPath = join(dir, download.suggestedFilename());
    await download.saveAs(backupPath);
    await page.getByText(/^Exported 5 secrets to strongroom-/).waitFor();
    const content = readFileSync(backupPath, 'utf8');
    expect(content).not.toContain('value-1');
    expect(content).not.toContain('db_password');
  });

  it('restores the backup into a fresh store on a second server, refusing a wrong passphrase cleanly', async () => {
    second = await startBridge(join(dir, 'restored'));
    await open(second);
    await createStore();
    await page.getByText('No secrets yet', { exact: false }).waitFor();
    await section('Settings').click();
    await page.getByText('This store is empty: a backup can be restored into it.').waitFor();
    await page.getByRole('button', { name: 'Restore backup…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore backup' });
    await dialog.getByLabel('Backup file').setInputFiles(backupPath);
    await dialog.getByLabel('Backup passphrase', { exact: true }).fill('not the export passphrase');
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await dialog.getByText('Wrong passphrase for this backup. Nothing was restored.').waitFor();

    await dialog.getByLabel('Backup passphrase', { exact: true }).fill(EXPORT_PASSPHRASE);
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    const report = page.getByRole('dialog', { name: 'Backup restored' });
    await report.getByText('Restored 5 secrets (8 versions), 2 applications and 2 environments.').waitFor();
    await report.getByText('Nothing was skipped.').waitFor();
    await report.getByRole('button', { name: 'Done' }).click();
    await page.getByText('Available only in an empty store', { exact: false }).waitFor();

    await section('Secrets').click();
    await page.getByText('5 secrets').waitFor();
    await option('db_password').click();
    await page.getByRole('button', { name: 'Reveal', exact: true }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe('value-1');
    expect(await page.getByRole('table', { name: 'Versions' }).locator('tbody tr').count()).toBe(4);
  });

  it('logged no errors in either page', () => {
    expect(opened.flatMap((app) => app.consoleErrors)).toEqual([]);
  });
});
