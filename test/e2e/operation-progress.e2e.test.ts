// Progress of the long operations main runs (backup export and restore, bulk
// scope edits), in Chromium against the real core over the loopback bridge,
// by accessible names: each bar with its counts, stopping where it is safe
// (an export leaves no file, a restore leaves the store empty, an edit stops
// between batches), axe on the new dialogs, and the sidebar's quiet
// "Indexing" status while main's search index is rebuilt.
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/store/database.js';
import { CLI_ENTRY, requireBuild } from '../support/core-harness.js';
import { violationsInBothThemes } from './axe.js';
import { openUi, sectionButton, tearDown, unlockInUi, type UiSession } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
const EXPORT_PASSPHRASE = 'lantern meadow copper violin 7';
/** Fifteen backup parts of 200 and six scope-edit batches of 500. */
const SECRETS = 3000;
/** Enough names that rebuilding the search index takes many slices. */
const INDEXED_EXTRA = 100_000;

describeNeeding(['chromium'], 'progress of export, restore and bulk scope edits (e2e)', () => {
  let dir: string;
  let store: string;
  let ui: UiSession | undefined;
  let second: UiSession | undefined;
  let page: Page;
  let backupPath: string;
  let downloads = 0;

  const cli = (...args: string[]) => {
    const result = spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', store, '--passphrase-file', join(dir, 'passphrase'), ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`strongroom ${args.join(' ')}: ${result.stderr}`);
  };

  const noViolations = { light: [], dark: [] };
  const focusedName = (on: Page) => on.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

  async function openExport(on: Page): Promise<Locator> {
    await sectionButton(on, 'Settings').click();
    await on.getByRole('button', { name: 'Export backup…' }).click();
    const dialog = on.getByRole('dialog', { name: 'Export backup' });
    await dialog.getByLabel('Export passphrase', { exact: true }).fill(EXPORT_PASSPHRASE);
    await dialog.getByLabel('Repeat export passphrase', { exact: true }).fill(EXPORT_PASSPHRASE);
    // Headless Chromium saves through <a download>, which Playwright sees as a download.
    await on.evaluate(() => {
      (window as unknown as Record<string, unknown>).showSaveFilePicker = undefined;
    });
    return dialog;
  }

  async function openRestore(on: Page): Promise<Locator> {
    await sectionButton(on, 'Settings').click();
    const button = on.getByRole('button', { name: 'Restore backup…' });
    await expect.poll(() => button.isEnabled()).toBe(true);
    await button.click();
    const dialog = on.getByRole('dialog', { name: 'Restore backup' });
    await dialog.getByLabel('Backup file').setInputFiles(backupPath);
    await dialog.getByLabel('Backup passphrase', { exact: true }).fill(EXPORT_PASSPHRASE);
    return dialog;
  }

  async function openBulkEdit(): Promise<Locator> {
    await sectionButton(page, 'Secrets').click();
    await page.getByText(`${SECRETS.toLocaleString('en')} secrets`).waitFor();
    await page.getByRole('button', { name: 'Edit scopes…' }).click();
    return page.getByRole('dialog', { name: 'Edit scope of several secrets' });
  }

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'strongroom-operations-e2e-'));
    store = join(dir, 'store');
    writeFileSync(join(dir, 'passphrase'), `${PASSPHRASE}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'secrets.env'), `${Array.from({ length: SECRETS }, (_, i) => `SECRET_${i}=value-${i}`).join('\n')}\n`);
    cli('init');
    cli('import', '--from', join(dir, 'secrets.env'));
    cli('app', 'create', 'billing');
    ui = await openUi(store, { timeoutMs: 120_000 });
    page = ui.page;
    page.on('download', () => {
      downloads += 1;
    });
    await unlockInUi(page, PASSPHRASE);
  }, 300_000);

  afterAll(() =>
    tearDown(
      () => second?.close(),
      () => ui?.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('stops an export when asked: no file, and the dialog says so', async () => {
    const dialog = await openExport(page);
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    // Safe to stop: the file is made only from a finished export.
    await dialog.getByRole('button', { name: 'Stop export' }).click();
    await dialog.getByRole('status').filter({ hasText: 'The export was stopped. No file was written.' }).waitFor();
    expect(downloads).toBe(0);
    expect(await dialog.getByRole('button', { name: 'Export', exact: true }).isEnabled()).toBe(true);
    expect(await violationsInBothThemes(page, 'dialog')).toEqual(noViolations);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await focusedName(page)).toBe('Export backup…');
  }, 300_000);

  it('shows the export bar with counts, rate and time left, then saves the file', async () => {
    const dialog = await openExport(page);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 300_000 }),
      (async () => {
        await dialog.getByRole('button', { name: 'Export', exact: true }).click();
        const bar = dialog.getByRole('progressbar', { name: 'Export progress' });
        await expect.poll(() => bar.getAttribute('max'), { timeout: 120_000 }).toBe(String(SECRETS));
        await expect
          .poll(() => bar.getAttribute('aria-valuetext'), { timeout: 120_000 })
          .toMatch(/^Exported [\d,]+ of 3,000 secrets · [\d,]+ a second · about \d+ (s|min) left$/);
      })(),
    ]);
    backupPath = join(dir, download.suggestedFilename());
    await download.saveAs(backupPath);
    await page.getByText(`Exported ${SECRETS} secrets to ${download.suggestedFilename()}`).waitFor();
  }, 300_000);

  it('restores into an empty store with a bar, after a stop that wrote nothing', async () => {
    second = await openUi(join(dir, 'restored'), { passphrase: 'another store passphrase 9', timeoutMs: 120_000 });
    const other = second.page;
    let dialog = await openRestore(other);
    // The dialog says what can be stopped before it starts.
    await dialog.getByText('Then everything is written in one transaction, which cannot be stopped.').waitFor();
    expect(await violationsInBothThemes(other, 'dialog')).toEqual(noViolations);
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await dialog.getByRole('button', { name: 'Stop restore' }).click();
    await dialog.getByRole('status').filter({ hasText: 'The restore was stopped before anything was written. The store is still empty.' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await sectionButton(other, 'Secrets').click();
    await other.getByText('No secrets yet', { exact: false }).waitFor();

    dialog = await openRestore(other);
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    const bar = dialog.getByRole('progressbar', { name: 'Restore progress' });
    await expect
      .poll(() => bar.getAttribute('aria-valuetext'), { timeout: 120_000 })
      .toMatch(/^(Decrypted [\d,]+ of 16 parts of the backup|Writing 3,000 secrets in one transaction)/);
    const report = other.getByRole('dialog', { name: 'Backup restored' });
    await report.getByText(`Restored ${SECRETS} secrets`).waitFor();
    await report.getByRole('button', { name: 'Done' }).click();
    await sectionButton(other, 'Secrets').click();
    await other.getByText(`${SECRETS.toLocaleString('en')} secrets`).waitFor();
  }, 300_000);

  it('adds a scope entry to every secret the list shows, batch by batch', async () => {
    const dialog = await openBulkEdit();
    expect(await violationsInBothThemes(page, 'dialog')).toEqual(noViolations);
    await dialog.getByLabel('Application', { exact: true }).selectOption({ label: 'billing' });
    const apply = dialog.getByRole('button', { name: /^Add billing .* to 3,000 secrets$/ });
    await apply.click();
    const bar = dialog.getByRole('progressbar', { name: 'Scope edit progress' });
    await expect.poll(() => bar.getAttribute('aria-valuetext'), { timeout: 120_000 }).toMatch(/^Edited [\d,]+ of 3,000 secrets/);
    const report = page.getByRole('dialog', { name: 'Scope edit finished' });
    await report.getByText('Done: 3,000 changed, 0 already so, of 3,000 secrets.').waitFor();
    expect(await violationsInBothThemes(page, 'dialog')).toEqual(noViolations);
    await report.getByRole('button', { name: 'Close' }).click();
    await report.waitFor({ state: 'detached' });
    expect(await focusedName(page)).toBe('Edit scopes…');
    await page.getByLabel('Application filter').selectOption({ label: 'billing' });
    await page.getByText('3,000 matches').waitFor();
    await page.getByLabel('Application filter').selectOption({ label: 'All applications' });
  }, 300_000);

  it('stops a bulk edit between batches and says how many changed', async () => {
    await sectionButton(page, 'Secrets').click();
    await page.getByText(`${SECRETS.toLocaleString('en')} secrets`).waitFor();
    // The command palette offers the bulk edit too.
    await page.keyboard.press('Control+k');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await palette.getByRole('combobox').fill('edit scopes');
    await palette.getByRole('option', { name: /^Edit scopes of the listed secrets…/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit scope of several secrets' });
    await dialog.getByRole('radio', { name: 'Remove this entry' }).check();
    await dialog.getByLabel('Application', { exact: true }).selectOption({ label: 'billing' });
    await dialog.getByRole('button', { name: /^Remove billing .* from 3,000 secrets$/ }).click();
    await dialog.getByRole('button', { name: 'Stop editing' }).click();
    const report = page.getByRole('dialog', { name: 'Scope edit finished' });
    const text = (await report.getByText(/^Stopped after/).textContent()) ?? '';
    const [, looked, changed] = /^Stopped after ([\d,]+) of 3,000 secrets: ([\d,]+) changed/.exec(text) ?? [];
    const kept = Number(changed?.replace(/,/g, ''));
    // Whole batches of 500 only, fewer than all of them, and every secret looked at was changed.
    expect(kept % 500).toBe(0);
    expect(kept).toBeLessThan(SECRETS);
    expect(looked).toBe(changed);
    await report.getByRole('button', { name: 'Close' }).click();
    await page.getByLabel('Application filter').selectOption({ label: 'billing' });
    await page.getByText(`${(SECRETS - kept).toLocaleString('en')} matches`).waitFor();
    await page.getByLabel('Application filter').selectOption({ label: 'All applications' });
  }, 300_000);

  it('says quietly in the sidebar while the search index is rebuilt, and stops saying it when it is ready', async () => {
    // Another process adds many secrets: main's index is stale and is built again from the next list request.
    const db = openDatabase(store);
    try {
      const insert = db.prepare(
        "INSERT INTO secrets (id, name, description, type, metadata, manager_id, current_version, scoped, scope_to_account, created_at, updated_at) VALUES (?, ?, NULL, 'text', '{}', 'local', 1, 0, 0, ?, ?)",
      );
      const version = db.prepare(
        "INSERT INTO secret_versions (secret_id, version, ciphertext, wrapped_key, keyring_version, created_at, created_by, facts) VALUES (?, 1, ?, ?, 1, ?, 'test', '{}')",
      );
      const blob = randomBytes(61).toString('base64');
      const at = new Date().toISOString();
      db.transaction(() => {
        for (let i = 0; i < INDEXED_EXTRA; i++) {
          const id = randomUUID();
          insert.run(id, `bulk-${i}`, at, at);
          version.run(id, blob, blob, at);
        }
      }).immediate();
    } finally {
      db.close();
    }
    // Records every text the status shows, however briefly: the build may be quick.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { indexingSeen: string[] }).indexingSeen = seen;
      new MutationObserver(() => {
        document.querySelectorAll('[role="status"]').forEach((status) => {
          const text = status.textContent ?? '';
          if (text.startsWith('Indexing') && !seen.includes(text)) seen.push(text);
        });
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await sectionButton(page, 'Secrets').click();
    // A new order asks main for the whole list again.
    await page.getByRole('button', { name: /^Sort direction/ }).click();
    await page.getByText(`${(SECRETS + INDEXED_EXTRA).toLocaleString('en')} secrets`).waitFor();
    await expect.poll(() => page.evaluate(() => (window as unknown as { indexingSeen: string[] }).indexingSeen), { timeout: 120_000 }).toContain(
      `Indexing ${(SECRETS + INDEXED_EXTRA).toLocaleString('en')} names… search may be slower`,
    );
    // Gone once main says the index is ready, with no further request from the page.
    await page.getByRole('status').filter({ hasText: /^Indexing/ }).waitFor({ state: 'detached', timeout: 120_000 });
  }, 300_000);
});
