// The migration view and the master key rotation in the real UI, through the
// loopback bridge with Chromium, against the Azure Key Vault emulator: a
// preview that says what moves, what is renamed and what fails and why; an
// edited target name, refused when it clashes; a run from the built-in store
// into Azure with its progress, pause, resume and cancel; the report, kept and
// exported as CSV and JSON; choosing secrets by search, keyboard and "all
// matching" among more than 500 (one past the 500th moved), and reviewing
// them with "Show only chosen"; and axe on the view and its dialogs in both
// themes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { violationsInBothThemes as themeViolations } from './axe';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openUi, sectionButton, tearDown, type UiSession } from './bridge-harness.js';
import { managerConfig as azureConfig, startAzureKeyVaultEmulator, type AzureKeyVaultEmulator } from '../emulators/azure-key-vault-emulator.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'migration view e2e passphrase 7431';
const TARGET = 'azure-target';
/** Over Azure's 25 KiB limit. */
const BIG_VALUE = 'b'.repeat(30_000);
const CHOSEN = ['alpha', 'beta', 'with_underscore', 'taken', 'big', 'edit_me'];
const BULK = Array.from({ length: 24 }, (_, i) => `bulk_${String(i).padStart(2, '0')}`);

describeNeeding(['chromium'], 'migration view and master key rotation (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let azure: AzureKeyVaultEmulator | undefined;
  let page: Page;

  const section = (name: string) => sectionButton(page, name);
  // Labels may carry "(optional)" after them; a field, never its show or fetch button.
  const byLabel = (scope: Locator, label: string) =>
    scope.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)).and(scope.locator('textarea, select, input:not([type="file"])'));
  const previewTable = () => page.getByRole('table', { name: 'Migration preview' });
  // A row is named by its cells in order; the first is the secret's name.
  const rowOf = (table: Locator, name: string) => table.getByRole('row', { name: new RegExp(`^${name} `) });
  const previewRow = (name: string) => rowOf(previewTable(), name);
  const reportRow = (name: string) => rowOf(page.getByRole('table', { name: 'Migration report' }), name);

  /** Opens a secret through the search box (the list draws only the rows in view), reveals it, and waits for `expected`. */
  async function expectRevealed(name: string, expected: string): Promise<void> {
    await section('Secrets').click();
    await page.getByRole('searchbox', { name: 'Search secrets' }).fill(name);
    await page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name, exact: true }).click();
    await page.getByRole('heading', { name, exact: true }).waitFor();
    await page.getByRole('button', { name: 'Reveal', exact: true }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe(expected);
  }

  /** Picks the manager whose option starts with `name` (options read "name (kind)"). */
  async function chooseManager(label: string, name: string): Promise<void> {
    const select = page.getByLabel(label, { exact: true });
    const labels = await select.locator('option').allTextContents();
    const wanted = labels.find((text) => text.startsWith(`${name} `));
    if (!wanted) throw new Error(`no manager "${name}" among ${labels.join(' | ')}`);
    await select.selectOption({ label: wanted });
  }

  const violationsInBothThemes = () => themeViolations(page);

  const sourceList = () => page.getByRole('listbox', { name: 'Secrets of the source' });
  const sourceSearch = () => page.getByRole('searchbox', { name: 'Search the source’s secrets' });
  const chosenCount = () => page.getByRole('status').filter({ hasText: / chosen/ });

  /** Chooses a secret of the source by searching for its name (the list draws only the rows in view). */
  async function chooseSecret(name: string): Promise<void> {
    await sourceSearch().fill(name);
    const option = sourceList().getByRole('option', { name, exact: true });
    await option.click();
    await expect.poll(() => option.getAttribute('aria-selected')).toBe('true');
  }

  /** A download's text: the save picker is hidden so saveFile takes its <a download> path, as headless Chromium needs. */
  async function downloadText(click: () => Promise<void>): Promise<{ name: string; text: string }> {
    await page.evaluate(() => {
      (window as unknown as Record<string, unknown>).showSaveFilePicker = undefined;
    });
    const [download] = await Promise.all([page.waitForEvent('download'), click()]);
    const path = join(dir, download.suggestedFilename());
    await download.saveAs(path);
    return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
  }

  async function importEnv(fileName: string, entries: Record<string, string>): Promise<void> {
    const file = join(dir, fileName);
    writeFileSync(file, Object.entries(entries).map(([name, value]) => `${name}=${value}\n`).join(''));
    await section('Settings').click();
    await page.getByRole('button', { name: 'Import .env/CSV…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import .env or CSV' });
    await dialog.getByLabel('File to import').setInputFiles(file);
    const n = Object.keys(entries).length;
    await dialog.getByRole('button', { name: `Import ${n} secrets` }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-migration-e2e-'));
    azure = await startAzureKeyVaultEmulator();
    ui = await openUi(join(dir, 'store'), { passphrase: PASSPHRASE, timeoutMs: 30_000, beforeCreate: (page) => page.setViewportSize({ width: 1280, height: 900 }) });
    page = ui.page;

    await importEnv('chosen.env', {
      alpha: 'alpha-value',
      beta: 'beta-value',
      with_underscore: 'renamed-value',
      taken: 'mine-not-theirs',
      big: BIG_VALUE,
      edit_me: 'edited-value',
    });
    await importEnv('bulk.env', Object.fromEntries(BULK.map((name) => [name, `${name}-value`])));
    // An admin wrote this into the vault outside Strongroom: it is never written over.
    azure.seedSecret('taken', 'written by an admin');

    await addAzureManager(TARGET);
  }, 180_000);

  /** Adds a manager named `name` for the emulator's one key vault, through the Managers view. */
  async function addAzureManager(name: string): Promise<void> {
    await section('Managers').click();
    await page.getByRole('button', { name: 'Add manager' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add manager' });
    await dialog.getByRole('radio', { name: /^Azure Key Vault/ }).check();
    const config = azureConfig(azure!);
    await byLabel(dialog, 'Name').fill(name);
    await byLabel(dialog, 'Tenant id').fill(config.tenantId);
    await byLabel(dialog, 'Client id').fill(config.clientId);
    await byLabel(dialog, 'Client secret').fill(config.clientSecret);
    await byLabel(dialog, 'Vault name').fill(config.vaultName);
    await dialog.getByRole('button', { name: 'Advanced settings' }).click();
    await byLabel(dialog, 'Vault URL').fill(config.vaultUrl);
    await byLabel(dialog, 'Sign-in authority').fill(config.authorityHost);
    await byLabel(dialog, 'Resource Manager URL').fill(config.resourceManagerUrl);
    await byLabel(dialog, 'CA certificate').fill(config.caCertificate);
    await dialog.getByRole('button', { name: 'Add manager' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name, exact: true }).waitFor();
  }

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => azure?.close(),
      () => dir && rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('previews chosen secrets: each will move, be renamed, or fail with its reason; nothing is written', async () => {
    const writesBefore = azure!.calls.setSecret ?? 0;
    await section('Migration').click();
    await page.getByRole('heading', { name: 'Migration', level: 2 }).waitFor();
    await chooseManager('From (source)', 'Built-in store');
    await chooseManager('To (target)', TARGET);
    await page.getByRole('radio', { name: 'Chosen secrets' }).check();
    for (const name of CHOSEN) await chooseSecret(name);
    await chosenCount().filter({ hasText: `${CHOSEN.length} chosen` }).waitFor();
    await page.getByRole('button', { name: 'Preview', exact: true }).click();

    await previewTable().waitFor();
    await previewRow('alpha').getByText('Will move', { exact: true }).waitFor();
    await previewRow('with_underscore').getByText('Will be renamed to with-underscore').waitFor();
    await previewRow('taken').getByText('Will fail: Name taken in the target').waitFor();
    await previewRow('big').getByText('Will fail: Too large for the target').waitFor();
    await page.getByText('6 secrets: 2 will move, 2 will be renamed, 2 will fail.').waitFor();

    // The outcome filter shows only what was asked for.
    const filters = page.getByRole('group', { name: 'Show outcome' });
    await filters.getByRole('button', { name: /^Will fail/ }).click();
    expect(await filters.getByRole('button', { name: /^Will fail/ }).getAttribute('aria-pressed')).toBe('true');
    await previewRow('alpha').waitFor({ state: 'detached' });
    expect(await previewTable().getByRole('row').count()).toBe(3); // the heading row and the two failures
    await filters.getByRole('button', { name: 'All', exact: true }).click();
    await previewRow('alpha').waitFor();

    expect(azure!.calls.setSecret ?? 0).toBe(writesBefore);
  });

  it('edits a mapped name: a clash with another secret’s name is refused and said so, a free name is taken', async () => {
    await page.getByRole('button', { name: 'Edit target name of edit_me' }).click();
    const field = page.getByRole('textbox', { name: 'Target name of edit_me' });
    await field.fill('alpha');
    await field.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Two secrets map to this name' }).waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    // Refused: the preview keeps the name the engine made.
    await previewRow('edit_me').getByText('Will be renamed to edit-me').waitFor();
    await previewRow('alpha').getByText('Will move', { exact: true }).waitFor();

    await field.fill('edited-name');
    await page.getByRole('button', { name: 'Save name' }).click();
    await previewRow('edit_me').getByText('Will be renamed to edited-name').waitFor();
    // Focus returns to the row's edit button, so the keyboard goes on from there.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Edit target name of edit_me');
  });

  it('has no axe violations on the migration view with a preview, in both themes', async () => {
    expect(await violationsInBothThemes()).toEqual({ light: [], dark: [] });
  });

  it('runs built-in → Azure: progress, then the report; values moved and readable, the taken name untouched', async () => {
    await page.getByRole('button', { name: 'Start migration' }).focus();
    await page.keyboard.press('Enter');
    const progress = page.getByRole('progressbar', { name: 'Migration progress' });
    await progress.waitFor();
    // The Start button went with the preview: focus is on the run it started, not lost to the page.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('migration-run-title');
    await page.getByRole('heading', { name: 'Migration report' }).waitFor();
    expect(await progress.getAttribute('aria-valuetext')).toBe('4 of 6 secrets done, 2 errors');
    await page.getByText('Errors so far').waitFor();

    await reportRow('alpha').getByText('Moved', { exact: true }).waitFor();
    await reportRow('with_underscore').getByText('Renamed to with-underscore').waitFor();
    await reportRow('edit_me').getByText('Renamed to edited-name').waitFor();
    await reportRow('taken').getByText('Failed', { exact: true }).waitFor();
    await reportRow('big').getByText(/Too large for the target/).waitFor();

    await expectRevealed('with_underscore', 'renamed-value');
    const option = page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name: 'with_underscore', exact: true });
    expect(await option.textContent()).toContain(`in ${TARGET}`);
    await expectRevealed('taken', 'mine-not-theirs');
  });

  it('shows the run again after leaving the view, lists it among past runs, and exports its report as CSV and JSON', async () => {
    await section('Migration').click();
    await page.getByRole('heading', { name: 'Migration report' }).waitFor();
    await reportRow('alpha').waitFor();
    const past = page.getByRole('table', { name: 'Past migrations' });
    expect(await past.getByRole('row').count()).toBe(2);
    await past.getByRole('row').nth(1).getByText(`Built-in store`, { exact: false }).waitFor();

    const csv = await downloadText(() => page.getByRole('button', { name: 'Export CSV' }).click());
    expect(csv.name).toMatch(/^strongroom-migration-\d{8}-[0-9a-f]{8}\.csv$/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('name,target_name,outcome,reason,detail,state,updated_at');
    expect(lines).toHaveLength(7);
    expect(lines.find((line) => line.startsWith('with_underscore,'))).toMatch(/^with_underscore,with-underscore,renamed,,/);
    expect(lines.find((line) => line.startsWith('big,'))).toMatch(/^big,big,failed,Too large for the target,/);
    expect(csv.text).not.toContain('renamed-value');

    const json = await downloadText(() => page.getByRole('button', { name: 'Export JSON' }).click());
    const parsed = JSON.parse(json.text) as { run: { total: number; done: number; failed: number }; items: { name: string; outcome: string }[] };
    expect(parsed.run).toMatchObject({ total: 6, done: 4, failed: 2 });
    expect(Object.fromEntries(parsed.items.map((item) => [item.name, item.outcome]))).toEqual({
      alpha: 'moved',
      beta: 'moved',
      big: 'failed',
      edit_me: 'renamed',
      taken: 'failed',
      with_underscore: 'renamed',
    });
  });

  it('saves a search from the secrets list, applies it there, and selects by it, or by a filter, in the migration view; the run rate shows each manager’s default and links to its setting; axe-clean', async () => {
    await section('Secrets').click();
    const search = page.getByRole('searchbox', { name: 'Search secrets' });
    await search.fill('bulk_1');
    await page.getByRole('button', { name: 'Save search', exact: true }).click();
    const form = page.getByRole('form', { name: 'Save search' });
    await form.getByLabel('Name of the search').fill('Bulk tens');
    expect(await violationsInBothThemes()).toEqual({ light: [], dark: [] });
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    // Focus goes back to the button that opened the form.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Save search');
    const saved = page.getByRole('list', { name: 'Saved searches' });
    await saved.getByRole('button', { name: 'Apply saved search Bulk tens' }).waitFor();
    // A name already saved is refused, and said so.
    await page.getByRole('button', { name: 'Save search', exact: true }).click();
    await form.getByLabel('Name of the search').fill('bulk TENS');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await form.getByRole('alert').filter({ hasText: 'already exists' }).waitFor();
    await form.getByLabel('Name of the search').press('Escape');
    await form.waitFor({ state: 'detached' });

    await search.fill('');
    await page.getByText('30 secrets').waitFor();
    await saved.getByRole('button', { name: 'Apply saved search Bulk tens' }).click();
    expect(await search.inputValue()).toBe('bulk_1');
    await page.getByText('10 matches').waitFor();

    await section('Migration').click();
    await page.getByRole('button', { name: 'New migration' }).click();
    await page.getByRole('radio', { name: 'A saved search' }).check();
    await page.getByLabel('Saved search', { exact: true }).selectOption({ label: 'Bulk tens' });
    const rateHint = page.locator('#migration-rate-hint');
    await rateHint.getByText(`${TARGET}: 400 requests/s (published quota)`).waitFor();
    await rateHint.getByText('Built-in store: no limit until the provider throttles (no published quota)').waitFor();
    await page.getByRole('checkbox', { name: 'Keep references as references' }).check();
    await page.getByLabel('Requests per second for this run (optional)').fill('0');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByText(/^Enter a number of requests per second above 0/).waitFor();
    await page.getByLabel('Requests per second for this run (optional)').fill('50');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByText('10 secrets: 0 will move, 10 will be renamed, 0 will fail.').waitFor();
    await previewRow('bulk_10').getByText('Will be renamed to bulk-10').waitFor();
    expect(await previewRow('bulk_09').count()).toBe(0);

    // By a filter: the list's name search and types, over the source's secrets.
    await page.getByRole('radio', { name: 'Secrets matching a filter' }).check();
    await page.getByLabel('Name search', { exact: true }).fill('bulk_2');
    await page.getByRole('group', { name: /^Types/ }).getByRole('checkbox', { name: 'Encrypted text', exact: true }).check();
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByText('4 secrets: 0 will move, 4 will be renamed, 0 will fail.').waitFor();
    expect(await violationsInBothThemes()).toEqual({ light: [], dark: [] });

    // The link goes to the per-manager rate setting, whose stored rate the run's hint then shows.
    await page.getByRole('link', { name: 'Change a manager’s rate' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Request rate per manager');
    const rates = page.getByRole('form', { name: `Rate of ${TARGET}` });
    await rates.getByLabel(TARGET, { exact: true }).fill('300');
    await rates.getByRole('button', { name: 'Save rate' }).click();
    await rates.getByText('Now: 300 requests/s (set here)').waitFor();
    await rateHint.getByText(`${TARGET}: 300 requests/s (set here)`).waitFor();
    await rates.getByRole('button', { name: `Use the published quota for ${TARGET}` }).click();
    await rates.getByText('Now: 400 requests/s (published quota)').waitFor();

    await page.getByLabel('Requests per second for this run (optional)').fill('');
    await page.getByRole('checkbox', { name: 'Keep references as references' }).uncheck();
    // Back to the last run, where the next test starts.
    await page.getByRole('table', { name: 'Past migrations' }).getByRole('button', { name: /^Open the migration/ }).click();
    await page.getByRole('heading', { name: 'Migration report' }).waitFor();
  });

  it('asks before deleting source copies; pauses, resumes and cancels a running migration; its dialogs and the running view are axe-clean', async () => {
    // Slow the target down so the run is still going when the buttons are pressed.
    azure!.setFaults({ latencyMs: 120 });
    await page.getByRole('button', { name: 'New migration' }).click();
    await page.getByRole('radio', { name: 'All secrets of the source' }).check();
    await page.getByLabel('Requests in flight per manager').fill('1');

    // Deleting the source copies warns beside the box and asks again before the run starts.
    const deleteSource = page.getByRole('checkbox', { name: 'Delete the source copy after each secret has moved' });
    await deleteSource.check();
    await page.getByText(/^Warning: once a secret has switched to the target/).waitFor();
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByRole('button', { name: 'Start migration' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete the source copies?' });
    await confirm.waitFor();
    expect(await violationsInBothThemes()).toEqual({ light: [], dark: [] });
    await confirm.getByRole('button', { name: 'Cancel', exact: true }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await page.getByRole('table', { name: 'Past migrations' }).getByRole('row').count()).toBe(2);
    await deleteSource.uncheck();

    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await previewRow('bulk_00').getByText('Will be renamed to bulk-00').waitFor();
    await page.getByRole('button', { name: 'Start migration' }).click();

    await page.getByRole('heading', { name: 'Current migration' }).waitFor();
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByText('Paused', { exact: true }).first().waitFor();
    const pausedAt = await page.getByRole('progressbar', { name: 'Migration progress' }).getAttribute('aria-valuetext');
    expect(await violationsInBothThemes()).toEqual({ light: [], dark: [] });

    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Cancel migration…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this migration?' });
    await dialog.waitFor();
    expect(await violationsInBothThemes()).toEqual({ light: [], dark: [] });
    await dialog.getByRole('button', { name: 'Cancel migration' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Migration report' }).waitFor();
    await page.getByRole('table', { name: 'Migration report' }).getByText('Cancelled', { exact: true }).first().waitFor();
    expect(pausedAt).toMatch(/^\d+ of \d+ secrets done/);
    azure!.setFaults({});
  });

  it('rotates the master key from Settings: a wrong passphrase is refused and said so, then the rotation reports what it re-wrapped', async () => {
    await section('Settings').click();
    await page.getByRole('button', { name: 'Rotate master key…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate master key' });
    expect(await violationsInBothThemes()).toEqual({ light: [], dark: [] });
    await dialog.getByLabel('Master passphrase', { exact: true }).fill('not the passphrase at all');
    await dialog.getByRole('button', { name: 'Rotate master key' }).click();
    await dialog.getByText('Wrong passphrase: nothing was rotated.').waitFor();

    await dialog.getByLabel('Master passphrase', { exact: true }).fill(PASSPHRASE);
    await dialog.getByRole('button', { name: 'Rotate master key' }).click();
    await dialog.getByRole('status').filter({ hasText: /^Rotated to master key version 2: \d+ data keys? and 1 manager configuration re-wrapped\./ }).waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });

    // Every secret still reveals under the new master key, one kept here and one moved to Azure.
    for (const name of ['bulk_23', 'beta']) await expectRevealed(name, `${name}-value`);
    expect(ui!.app.consoleErrors).toEqual([]);
  });

  it('keeps a reference a reference into another manager of the same key vault: the preview says so and why, and the run writes nothing into Azure', async () => {
    const twin = 'azure-twin';
    azure!.seedSecret('shared-db-password', 'referenced-value');
    await addAzureManager(twin);
    await section('Secrets').click();
    await page.getByRole('button', { name: 'Reference…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reference an existing secret' });
    await byLabel(dialog, 'Name').fill('shared_ref');
    await dialog.getByLabel('Secret store').selectOption({ label: TARGET });
    await byLabel(dialog, 'Reference').fill('shared-db-password');
    await dialog.getByRole('button', { name: 'Add reference' }).click();
    await dialog.waitFor({ state: 'detached' });

    await section('Migration').click();
    await page.getByRole('button', { name: 'New migration' }).click();
    await chooseManager('From (source)', TARGET);
    await chooseManager('To (target)', twin);
    await page.getByRole('radio', { name: 'Chosen secrets' }).check();
    await chooseSecret('shared_ref');
    await page.getByRole('checkbox', { name: 'Keep references as references' }).check();
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await previewRow('shared_ref').getByText('Stays a reference', { exact: true }).waitFor();
    await previewRow('shared_ref')
      .getByText(/^Stays a reference \(target reaches the same remote\): "azure-twin" \(Azure Key Vault\) has the same vaultName, vaultUrl, environment/)
      .waitFor();
    expect(await violationsInBothThemes()).toEqual({ light: [], dark: [] });

    const writesBefore = azure!.calls.setSecret ?? 0;
    await page.getByRole('button', { name: 'Start migration' }).click();
    await page.getByRole('heading', { name: 'Migration report' }).waitFor();
    await reportRow('shared_ref').getByText('Moved', { exact: true }).waitFor();
    await reportRow('shared_ref').getByText('stays a reference to shared-db-password').waitFor();
    expect(azure!.calls.setSecret ?? 0).toBe(writesBefore);
    await expectRevealed('shared_ref', 'referenced-value');
    const option = page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name: 'shared_ref', exact: true });
    expect(await option.textContent()).toContain(`in ${twin}`);
    expect(ui!.app.consoleErrors).toEqual([]);
  });
  it('chooses among more than 500 secrets: one past the 500th by search, one by keyboard, every match of a search; the chosen set outlives searches, and they move; axe-clean', async () => {
    const many = Array.from({ length: 560 }, (_, i) => `many${String(i).padStart(4, '0')}`);
    await importEnv('many.env', Object.fromEntries(many.map((name) => [name, `${name}-value`])));
    await section('Migration').click();
    await page.getByRole('button', { name: 'New migration' }).click();
    await chooseManager('From (source)', 'Built-in store');
    await chooseManager('To (target)', TARGET);
    await page.getByRole('radio', { name: 'Chosen secrets' }).check();
    const list = sourceList();
    const option = (name: string) => list.getByRole('option', { name, exact: true });

    // The whole source is listed, not its first 500: End reaches its last row.
    const everything = await chosenCount().filter({ hasText: /^[\d,]+ secrets · 0 chosen$/ }).textContent();
    const total = Number(everything!.replace(/ secrets.*$/, '').replace(/,/g, ''));
    expect(total).toBeGreaterThan(560);
    await list.focus();
    await list.press('End');
    await list.locator(`[role="option"][aria-posinset="${total}"]`).waitFor();

    // By keyboard: from the search box into the list, down three rows, Space.
    await sourceSearch().fill('many00');
    await chosenCount().filter({ hasText: '100 matches · 0 chosen' }).waitFor();
    await sourceSearch().press('ArrowDown');
    for (let i = 0; i < 3; i++) await list.press('ArrowDown');
    await list.press('Space');
    await expect.poll(() => option('many0003').getAttribute('aria-selected')).toBe('true');
    expect(await list.getAttribute('aria-activedescendant')).toBe(await option('many0003').getAttribute('id'));
    await chosenCount().filter({ hasText: '1 chosen' }).waitFor();

    // Past the 500th, by search; the one chosen before stays chosen.
    await chooseSecret('many0537');
    await chosenCount().filter({ hasText: '1 match · 2 chosen' }).waitFor();

    // Every match of a search, then a search's matches unchosen.
    await sourceSearch().fill('many055');
    await chosenCount().filter({ hasText: '10 matches · 2 chosen' }).waitFor();
    await page.getByRole('button', { name: 'Choose all 10 matching' }).click();
    await chosenCount().filter({ hasText: '10 matches · 12 chosen' }).waitFor();
    await sourceSearch().fill('many0559');
    await chosenCount().filter({ hasText: '1 match · 12 chosen' }).waitFor();
    await page.getByRole('button', { name: 'Unchoose the matching' }).click();
    await chosenCount().filter({ hasText: '1 match · 11 chosen' }).waitFor();
    await sourceSearch().fill('');
    await chosenCount().filter({ hasText: `${total.toLocaleString('en')} secrets · 11 chosen` }).waitFor();
    expect(await violationsInBothThemes()).toEqual({ light: [], dark: [] });

    // Reviewed before the preview, by keyboard: only the chosen, by name, with their count; a search narrows them, and
    // one unchosen there stays listed to choose again.
    const showChosen = page.getByRole('button', { name: 'Show only chosen' });
    await showChosen.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => showChosen.getAttribute('aria-pressed')).toBe('true');
    const review = page.getByRole('listbox', { name: 'Chosen secrets' });
    const reviewed = ['many0003', 'many0537', ...Array.from({ length: 9 }, (_, i) => `many055${i}`)];
    await chosenCount().filter({ hasText: 'Showing 11 chosen secrets · 11 chosen' }).waitFor();
    await expect
      .poll(() => review.getByRole('option').evaluateAll((options) => options.map((option) => [option.getAttribute('aria-label'), option.getAttribute('aria-selected')])))
      .toEqual(reviewed.map((name) => [name, 'true']));
    expect(await page.getByRole('button', { name: /^Choose all/ }).count()).toBe(0);
    expect(await violationsInBothThemes()).toEqual({ light: [], dark: [] });
    await sourceSearch().fill('MANY053');
    await chosenCount().filter({ hasText: '1 of 11 chosen secrets matches · 11 chosen' }).waitFor();
    await sourceSearch().press('ArrowDown');
    await review.press('Space');
    await expect.poll(() => review.getByRole('option', { name: 'many0537', exact: true }).getAttribute('aria-selected')).toBe('false');
    await chosenCount().filter({ hasText: '1 of 11 chosen secrets matches · 10 chosen' }).waitFor();
    await review.press('Space');
    await chosenCount().filter({ hasText: '1 of 11 chosen secrets matches · 11 chosen' }).waitFor();
    await sourceSearch().fill('');
    await showChosen.click();
    await expect.poll(() => showChosen.getAttribute('aria-pressed')).toBe('false');
    await chosenCount().filter({ hasText: `${total.toLocaleString('en')} secrets · 11 chosen` }).waitFor();
    await list.waitFor();

    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByText('11 secrets: 11 will move, 0 will be renamed, 0 will fail.').waitFor();
    await previewRow('many0537').getByText('Will move', { exact: true }).waitFor();
    expect(await previewRow('many0559').count()).toBe(0);
    await page.getByRole('button', { name: 'Start migration' }).click();
    await page.getByRole('heading', { name: 'Migration report' }).waitFor();
    for (const name of ['many0003', 'many0537', 'many0550']) await reportRow(name).getByText('Moved', { exact: true }).waitFor();
    await expectRevealed('many0537', 'many0537-value');
    const moved = page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name: 'many0537', exact: true });
    expect(await moved.textContent()).toContain(`in ${TARGET}`);
    expect(ui!.app.consoleErrors).toEqual([]);
  }, 300_000);
});
