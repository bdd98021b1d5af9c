// Every dialog of the app, one row each, driven by keyboard in Chromium against
// the real core over the loopback bridge: opened by keyboard (from the command
// palette where it offers the dialog, otherwise Enter on the button that opens
// it), no axe violation in either theme, Tab and Shift+Tab cycle inside it,
// and Escape, then its Cancel/Close button, close it with focus back on the
// control that opened it. The rows of each describe share one store and run in
// order: a restore is offered only while the store is empty, a rollback needs
// two versions. The dialogs about external managers (a Vault secret store, an
// AWS KMS key) and migrations run in a second describe against the emulators.
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { violationsInBothThemes } from './axe';
import { openUi, sectionButton, tearDown, type UiSession } from './bridge-harness.js';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { managerConfig as vaultConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { runNodeScript } from '../fixtures/process-tools.js';
import { describeNeeding } from '../fixtures/system-tools.js';
import { CLI_ENTRY } from '../support/core-harness.js';
import { RemoteWriteJournal } from '../../src-main/core/services/remote-writes.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
const SECRET = 'dialog_probe';
const BACKUP_PASSPHRASE = 'velvet lantern drifts over 19 dunes';
/** The host key the Known hosts row removes; nothing listens there. */
const KNOWN_HOST = { host: '127.0.0.1', port: 2222 };

interface DialogRow {
  /** The dialog's accessible name. */
  dialog: string;
  /** Goes where the dialog is offered and returns the control focus must come back to. */
  prepare: () => Promise<Locator>;
  /** Opens the dialog by keyboard, with the focus on that control. */
  open: (opener: Locator) => Promise<void>;
  /** Waits until the open dialog has settled (a test that runs as it opens); nothing to wait for by default. */
  ready?: (dialog: Locator) => Promise<void>;
  /** Its button that closes it without doing anything; the palette has none, and a report that shows once is closed by Esc only. */
  dismiss?: string;
  /** Where focus must go on close when the opener is gone (the dialog reports a deletion that removed it). */
  focusAfter?: () => Locator;
}

/** Runs the built CLI on `dataDir`; throws with its stderr unless it exits 0. */
async function cli(dataDir: string, passphraseFile: string, args: string[], stdin?: string): Promise<void> {
  const outcome = await runNodeScript(CLI_ENTRY, ['--data-dir', dataDir, '--passphrase-file', passphraseFile, ...args], { stdin });
  if (outcome.code !== 0) throw new Error(`strongroom ${args.join(' ')} exited with ${outcome.code}: ${outcome.stderr}`);
}

/** Writes to the store file beside the running app, as a crash or an earlier session leaves it. */
function withStoreFile(dataDir: string, write: (db: BetterSqlite3.Database) => void): void {
  const db = new BetterSqlite3(join(dataDir, 'strongroom.db'));
  try {
    db.pragma('busy_timeout = 5000');
    write(db);
  } finally {
    db.close();
  }
}

/**
 * The keyboard moves the rows are built from, and the checks every row runs,
 * on the page `current()` returns (each describe opens its own).
 */
function keyboardDriver(current: () => Page) {
  const section = (name: string) => sectionButton(current(), name);
  const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

  /** Focus on a section's button, that section shown. */
  const atSection = (name: string) => async () => {
    await section(name).click();
    await section(name).focus();
    return section(name);
  };
  /** Ctrl+K, the command's label, Enter. */
  const fromPalette = (command: string) => async (): Promise<void> => {
    const page = current();
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
    const opener = button(current());
    await opener.focus();
    return opener;
  };
  const pressEnter = async () => current().keyboard.press('Enter');
  /** Enter on a row's "More actions" button, the arrow keys down to `item`, Enter. */
  const fromRowMenu = (item: string) => async () => {
    const page = current();
    await page.keyboard.press('Enter');
    const wanted = page.getByRole('menuitem', { name: item, exact: true });
    await wanted.waitFor();
    for (let presses = 0; presses < 8 && !(await isFocused(wanted)); presses++) await page.keyboard.press('ArrowDown');
    expect(await isFocused(wanted), `the arrow keys reach "${item}"`).toBe(true);
    await page.keyboard.press('Enter');
  };

  /** Where focus is, as the index of the focused element among the open dialog's elements; -1 outside it. */
  const focusInDialog = () =>
    current().evaluate(() => {
      const dialog = document.querySelector('dialog[open]');
      const active = document.activeElement;
      return dialog && active && dialog.contains(active) ? Array.from(dialog.querySelectorAll('*')).indexOf(active) : -1;
    });

  /** Tabs until focus comes back to where it started: every stop on the way is inside the dialog. */
  async function expectTabCycle(name: string): Promise<void> {
    const page = current();
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

  /** One row: opens by keyboard, axe in both themes, the Tab cycle, then Esc and the dismiss button each give focus back to the opener. */
  async function checkDialog(row: DialogRow): Promise<void> {
    const page = current();
    // A row that failed may have left its dialog open; each row starts from none.
    for (let open = 0; open < 3 && (await page.locator('dialog[open]').count()) > 0; open++) await page.keyboard.press('Escape');
    const dialog = page.getByRole('dialog', { name: row.dialog, exact: true });

    const opener = await row.prepare();
    expect(await isFocused(opener), `${row.dialog}: its opener has focus`).toBe(true);
    await row.open(opener);
    await dialog.waitFor();
    await row.ready?.(dialog);
    expect(await violationsInBothThemes(page, 'dialog[open]')).toEqual({ light: [], dark: [] });
    await expectTabCycle(row.dialog);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await isFocused(row.focusAfter?.() ?? opener), `${row.dialog}: Esc returned focus to ${row.focusAfter ? 'the control after the deleted one' : 'the opener'}`).toBe(true);

    if (!row.dismiss) return;
    const again = await row.prepare();
    await row.open(again);
    await dialog.waitFor();
    await row.ready?.(dialog);
    await dialog.getByRole('button', { name: row.dismiss, exact: true }).focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    expect(await isFocused(row.focusAfter?.() ?? again), `${row.dialog}: ${row.dismiss} returned focus to the opener`).toBe(true);
  }

  /** Answers an open question dialog by keyboard: focus on its confirming button, Enter, and waits until it is gone. */
  async function confirmByKeyboard(dialog: string, confirm: string | RegExp): Promise<void> {
    const page = current();
    const question = page.getByRole('dialog', { name: dialog });
    await question.getByRole('button', { name: confirm, exact: typeof confirm === 'string' }).focus();
    await page.keyboard.press('Enter');
    await question.waitFor({ state: 'detached' });
  }

  /** One test per row, in order. */
  function itChecksEach(rows: DialogRow[], before: Partial<Record<string, () => Promise<void>>> = {}): void {
    for (const row of rows) {
      it(`${row.dialog}: opens by keyboard, no axe violation in either theme, Tab stays inside, Esc${row.dismiss ? ` and ${row.dismiss}` : ''} return focus to the opener`, async () => {
        await before[row.dialog]?.();
        await checkDialog(row);
      }, 120_000);
    }
  }

  return { section, isFocused, atSection, fromPalette, atButton, pressEnter, fromRowMenu, itChecksEach, confirmByKeyboard };
}

describeNeeding(['chromium'], 'every dialog by keyboard: axe in both themes, focus trap and focus return (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let page: Page;
  const { section, isFocused, atSection, fromPalette, atButton, pressEnter, fromRowMenu, itChecksEach, confirmByKeyboard } = keyboardDriver(() => page);
  const store = () => join(dir, 'store');
  const backupFile = () => join(dir, 'one-secret.srbackup');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-dialogs-e2e-'));
    // A backup of another store holding one secret, for the restore's report.
    const passphraseFile = join(dir, 'passphrase');
    const backupPassphraseFile = join(dir, 'backup-passphrase');
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    writeFileSync(backupPassphraseFile, `${BACKUP_PASSPHRASE}\n`, { mode: 0o600 });
    const source = join(dir, 'backup-source');
    await cli(source, passphraseFile, ['init']);
    await cli(source, passphraseFile, ['secret', 'create', '--name', 'restored_probe'], 'restored value\n');
    await cli(source, passphraseFile, ['export', '--out', backupFile(), '--export-passphrase-file', backupPassphraseFile]);
    ui = await openUi(store(), { passphrase: PASSPHRASE, timeoutMs: 20_000 });
    page = ui.page;
  }, 180_000);

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
    // Its report replaces the form in place; the store is no longer empty after it, so it opens once.
    {
      dialog: 'Backup restored',
      prepare: atButton('Settings', (p) => p.getByRole('button', { name: 'Restore backup…' })),
      open: async () => {
        await page.keyboard.press('Enter');
        const form = page.getByRole('dialog', { name: 'Restore backup' });
        await form.getByLabel('Backup file').setInputFiles(backupFile());
        await form.getByLabel('Backup passphrase', { exact: true }).fill(BACKUP_PASSPHRASE);
        await form.getByRole('button', { name: 'Restore', exact: true }).focus();
        await page.keyboard.press('Enter');
      },
      ready: (dialog) => dialog.getByText('Restored 1 secret (1 version)', { exact: false }).waitFor(),
    },
    { dialog: 'New secret', prepare: atSection('Secrets'), open: fromPalette('New secret: Encrypted text'), dismiss: 'Cancel' },
    { dialog: 'Reference an existing secret', prepare: atSection('Secrets'), open: fromPalette('New reference to a remote secret…'), dismiss: 'Close' },
    { dialog: 'Export backup', prepare: atSection('Settings'), open: fromPalette('Export backup…'), dismiss: 'Cancel' },
    { dialog: 'Import .env or CSV', prepare: atSection('Secrets'), open: fromPalette('Import .env/CSV…'), dismiss: 'Cancel' },
    { dialog: 'Add manager', prepare: atSection('Managers'), open: fromPalette('Add manager…'), dismiss: 'Cancel' },
    { dialog: 'Rotate master key', prepare: atButton('Settings', (p) => p.getByRole('button', { name: 'Rotate master key…' })), open: pressEnter, dismiss: 'Cancel' },
    // From here on the store holds a secret with two versions, an application and a known host.
    { dialog: 'Edit scope of several secrets', prepare: atSection('Secrets'), open: fromPalette('Edit scopes of the listed secrets…'), dismiss: 'Cancel' },
    { dialog: `Edit ${SECRET}`, prepare: atButton('Secrets', (p) => p.getByRole('button', { name: 'Edit', exact: true })), open: pressEnter, dismiss: 'Cancel' },
    { dialog: 'Delete secret?', prepare: atButton('Secrets', (p) => p.getByRole('button', { name: 'Delete', exact: true })), open: pressEnter, dismiss: 'Cancel' },
    { dialog: 'Roll back to version 1?', prepare: atButton('Secrets', (p) => p.getByRole('button', { name: 'Roll back to version 1' })), open: pressEnter, dismiss: 'Cancel' },
    { dialog: 'Rename billing', prepare: atButton('Applications', (p) => p.getByRole('button', { name: 'Rename application billing' })), open: pressEnter, dismiss: 'Cancel' },
    { dialog: 'Edit prod (billing)', prepare: atButton('Applications', (p) => p.getByRole('button', { name: 'Edit environment prod of billing' })), open: pressEnter, dismiss: 'Cancel' },
    { dialog: 'Delete environment prod?', prepare: atButton('Applications', (p) => p.getByRole('button', { name: 'Delete environment prod of billing' })), open: pressEnter, dismiss: 'Cancel' },
    { dialog: 'Delete application billing?', prepare: atButton('Applications', (p) => p.getByRole('button', { name: 'Delete application billing' })), open: pressEnter, dismiss: 'Cancel' },
    {
      dialog: `Remove the key of ${KNOWN_HOST.host}:${KNOWN_HOST.port}?`,
      prepare: async () => {
        await section('Settings').click();
        await page.getByRole('button', { name: 'Refresh known hosts' }).click();
        const remove = page.getByRole('button', { name: `Remove the ssh-ed25519 key of ${KNOWN_HOST.host}:${KNOWN_HOST.port}` });
        await remove.focus();
        return remove;
      },
      open: pressEnter,
      dismiss: 'Cancel',
    },
    // The built-in store has no Test or Edit: its row menu offers the scope.
    {
      dialog: 'Usage scope of Built-in store',
      prepare: atButton('Managers', (p) => p.getByRole('button', { name: 'More actions for Built-in store' }).first()),
      open: fromRowMenu('Edit usage scope…'),
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
    // Scoping the built-in store to billing · prod would leave its secrets, usable in billing's every environment or anywhere, outside it.
    {
      dialog: 'Narrow these secrets too?',
      prepare: atButton('Managers', (p) => p.getByRole('button', { name: 'More actions for Built-in store' }).first()),
      open: async () => {
        await fromRowMenu('Edit usage scope…')();
        const scope = page.getByRole('dialog', { name: 'Usage scope of Built-in store' });
        await scope.getByRole('radio', { name: 'Scoped', exact: true }).check();
        await scope.getByLabel('Application for entry 1').selectOption({ label: 'billing' });
        // Options read "prod (Production)".
        const environment = scope.getByLabel('Environment for entry 1');
        await environment.selectOption({ label: (await environment.locator('option').allTextContents()).find((text) => text.startsWith('prod ('))! });
        await scope.getByRole('button', { name: 'Save scope' }).focus();
        await page.keyboard.press('Enter');
      },
      ready: (dialog) => dialog.getByRole('list', { name: 'Secrets outside the new scope' }).getByText(SECRET, { exact: true }).waitFor(),
      dismiss: 'Cancel',
    },
    // A deletion's report replaces its question; the Delete button that opened it is gone when it closes.
    {
      dialog: 'Deleted environment prod',
      prepare: atButton('Applications', (p) => p.getByRole('button', { name: 'Delete environment prod of billing' })),
      open: async () => {
        await page.keyboard.press('Enter');
        await page.getByRole('dialog', { name: 'Delete environment prod?' }).getByRole('button', { name: 'Delete environment', exact: true }).focus();
        await page.keyboard.press('Enter');
      },
      focusAfter: () => page.getByRole('button', { name: 'Rename application billing' }),
    },
    {
      dialog: 'Deleted application billing',
      prepare: atButton('Applications', (p) => p.getByRole('button', { name: 'Delete application billing' })),
      open: async () => {
        await page.keyboard.press('Enter');
        await page.getByRole('dialog', { name: 'Delete application billing?' }).getByRole('button', { name: 'Delete application', exact: true }).focus();
        await page.keyboard.press('Enter');
      },
      focusAfter: () => page.getByLabel('Application name', { exact: true }),
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

  /**
   * A secret with two versions (for the rollback) and an application (for the scope and application dialogs), made in the UI,
   * and a trusted host key as a connection test leaves it.
   */
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
    withStoreFile(store(), (db) =>
      db
        .prepare('INSERT INTO known_hosts (host, port, key_type, fingerprint, public_key, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(KNOWN_HOST.host, KNOWN_HOST.port, 'ssh-ed25519', 'SHA256:dialogs0e2e0known0host0fingerprint00000000', 'AAAAC3NzaC1lZDI1NTE5AAAAIDialogsE2eKnownHost', new Date().toISOString(), 'test'),
    );
  }

  itChecksEach(rows, { 'Edit scope of several secrets': fillTheStore });

  it('a confirmed rollback gives focus back to the Roll back button that asked, and the history names what it restored', async () => {
    await section('Secrets').click();
    await page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name: SECRET, exact: true }).click();
    const rollBack = page.getByRole('button', { name: 'Roll back to version 1' });
    await rollBack.focus();
    await page.keyboard.press('Enter');
    await confirmByKeyboard('Roll back to version 1?', /^Roll back/);
    await page.getByText('v3: rollback of v1', { exact: false }).first().waitFor();
    await expect.poll(() => isFocused(rollBack)).toBe(true);
  }, 120_000);

  it('a confirmed deletion takes the opener with it: focus goes to the list the secret was chosen from', async () => {
    await section('Secrets').click();
    await page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name: SECRET, exact: true }).click();
    await page.getByRole('heading', { name: SECRET, exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).focus();
    await page.keyboard.press('Enter');
    await confirmByKeyboard('Delete secret?', 'Delete');
    await page.getByRole('heading', { name: SECRET, exact: true }).waitFor({ state: 'detached' });
    await expect.poll(() => isFocused(page.getByRole('listbox', { name: 'Secrets' }))).toBe(true);
  }, 120_000);

  it('a confirmed removal of the only known host key gives focus to Refresh known hosts', async () => {
    await section('Settings').click();
    await page.getByRole('button', { name: `Remove the ssh-ed25519 key of ${KNOWN_HOST.host}:${KNOWN_HOST.port}` }).focus();
    await page.keyboard.press('Enter');
    await confirmByKeyboard(`Remove the key of ${KNOWN_HOST.host}:${KNOWN_HOST.port}?`, 'Remove key');
    await page.getByText('No host keys trusted yet.', { exact: false }).waitFor();
    await expect.poll(() => isFocused(page.getByRole('button', { name: 'Refresh known hosts' }))).toBe(true);
  }, 120_000);
});

describeNeeding(['chromium'], 'the dialogs of external managers and migrations by keyboard, against the Vault and AWS KMS emulators (e2e)', () => {
  let dir: string;
  let vault: VaultEmulator | undefined;
  let aws: AwsEmulator | undefined;
  let ui: UiSession | undefined;
  let page: Page;
  const { section, isFocused, atSection, fromPalette, atButton, pressEnter, fromRowMenu, itChecksEach, confirmByKeyboard } = keyboardDriver(() => page);
  const VAULT = 'Team Vault';
  /** A second Vault manager holding nothing, removed last. */
  const SPARE = 'Spare Vault';
  const KMS = 'aws';
  /** Secrets of the built-in store the migrations would move to Vault; enough that a slowed run is still going when paused. */
  const MOVABLE = Array.from({ length: 8 }, (_, i) => `movable_${i}`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-dialogs-managers-e2e-'));
    const store = join(dir, 'store');
    const passphraseFile = join(dir, 'passphrase');
    vault = await startVaultEmulator();
    aws = await startAwsEmulator();
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'vault.json'), JSON.stringify(vaultConfig(vault)), { mode: 0o600 });
    writeFileSync(join(dir, 'aws.json'), JSON.stringify({ region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials }, keyArn: aws.keyArn }), { mode: 0o600 });
    writeFileSync(join(dir, 'movable.env'), MOVABLE.map((name) => `${name}=${name}-value\n`).join(''));
    await cli(store, passphraseFile, ['init']);
    await cli(store, passphraseFile, ['manager', 'add', '--name', VAULT, '--kind', 'vault', '--config', join(dir, 'vault.json')]);
    await cli(store, passphraseFile, ['manager', 'add', '--name', SPARE, '--kind', 'vault', '--config', join(dir, 'vault.json')]);
    await cli(store, passphraseFile, ['manager', 'add', '--name', KMS, '--kind', 'aws-kms', '--config', join(dir, 'aws.json')]);
    await cli(store, passphraseFile, ['secret', 'create', '--name', 'kms_probe', '--manager', KMS], 'wrapped by kms\n');
    await cli(store, passphraseFile, ['import', '--from', join(dir, 'movable.env')]);
    // What a kill between journaling a batch and confirming it leaves: a pending write with no secret.
    withStoreFile(store, (db) => {
      const manager = db.prepare('SELECT id FROM managers WHERE name = ?').get(VAULT) as { id: string };
      new RemoteWriteJournal(db).begin(manager.id, [{ secretId: 'never-stored', remoteName: 'half-written', mode: 'create' }]);
    });
    ui = await openUi(store, { timeoutMs: 20_000, unlockWith: PASSPHRASE });
    page = ui.page;
  }, 300_000);

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => vault?.close(),
      () => aws?.close(),
      () => dir && rmSync(dir, { recursive: true, force: true }),
    ),
  );

  /** The heading of a run from the built-in store to Vault, where focus goes once its Start or Cancel button is gone. */
  const runHeading = () => page.getByRole('heading', { name: new RegExp(`^Built-in store.* → ${VAULT}$`) });

  /** Shows the Migration view with a preview of every built-in secret going to Vault, deleting the source copies or not. */
  async function previewMigration(deleteSource: boolean): Promise<void> {
    await section('Migration').click();
    const source = page.getByLabel('From (source)', { exact: true });
    await source.selectOption({ label: (await source.locator('option').allTextContents()).find((text) => text.startsWith('Built-in store'))! });
    const target = page.getByLabel('To (target)', { exact: true });
    await target.selectOption({ label: (await target.locator('option').allTextContents()).find((text) => text.startsWith(`${VAULT} `))! });
    await page.getByRole('radio', { name: 'All secrets of the source' }).check();
    await page.getByLabel('Requests in flight per manager').fill('1');
    await page.getByRole('checkbox', { name: 'Delete the source copy after each secret has moved' }).setChecked(deleteSource);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByRole('table', { name: 'Migration preview' }).waitFor();
  }

  const rows: DialogRow[] = [
    {
      dialog: `Test connection: ${VAULT}`,
      prepare: atButton('Managers', (p) => p.getByRole('button', { name: `Test connection of ${VAULT}` })),
      open: pressEnter,
      // The test runs as the dialog opens; its verdict replaces the spinner.
      ready: (dialog) => dialog.getByRole('list', { name: 'Checks' }).waitFor(),
      dismiss: 'Close',
    },
    // With a secret store to point at, the reference dialog is a form (without one, the first describe's row sees a notice).
    { dialog: 'Reference an existing secret', prepare: atSection('Secrets'), open: fromPalette('New reference to a remote secret…'), dismiss: 'Cancel' },
    { dialog: `Edit ${VAULT}`, prepare: atButton('Managers', (p) => p.getByRole('button', { name: `Edit ${VAULT}`, exact: true })), open: pressEnter, dismiss: 'Cancel' },
    {
      dialog: `Unconfirmed writes in ${VAULT}`,
      prepare: atButton('Managers', (p) => p.getByRole('button', { name: `More actions for ${VAULT}` })),
      open: fromRowMenu('Unconfirmed writes…'),
      ready: (dialog) => dialog.getByRole('cell', { name: 'half-written', exact: true }).waitFor(),
      dismiss: 'Close',
    },
    { dialog: `Remove ${VAULT}?`, prepare: atButton('Managers', (p) => p.getByRole('button', { name: `More actions for ${VAULT}` })), open: fromRowMenu('Remove…'), dismiss: 'Cancel' },
    {
      dialog: `Re-wrap keys: ${KMS}`,
      prepare: atButton('Managers', (p) => p.getByRole('button', { name: `More actions for ${KMS}` })),
      open: fromRowMenu('Re-wrap keys…'),
      dismiss: 'Cancel',
    },
    {
      dialog: 'Delete the source copies?',
      prepare: async () => {
        await previewMigration(true);
        const start = page.getByRole('button', { name: 'Start migration' });
        await start.focus();
        return start;
      },
      open: pressEnter,
      dismiss: 'Cancel',
    },
    {
      dialog: 'Cancel this migration?',
      prepare: async () => {
        await section('Migration').click();
        const cancel = page.getByRole('button', { name: 'Cancel migration…' });
        if (!(await cancel.isVisible())) {
          // Slowed down so the run is still going when Pause is pressed; paused, it stays open for the rows.
          vault!.setFaults({ latencyMs: 400 });
          await previewMigration(false);
          await page.getByRole('button', { name: 'Start migration' }).click();
          await page.getByRole('heading', { name: 'Current migration' }).waitFor();
          await page.getByRole('button', { name: 'Pause', exact: true }).click();
          await page.getByRole('button', { name: 'Resume', exact: true }).waitFor();
          vault!.setFaults({});
        }
        await cancel.focus();
        return cancel;
      },
      open: pressEnter,
      dismiss: 'Cancel',
    },
  ];

  itChecksEach(rows);

  it('a confirmed cancel of a migration takes its Cancel button away: focus goes to the run it ended', async () => {
    await section('Migration').click();
    await page.getByRole('button', { name: 'Cancel migration…' }).focus();
    await page.keyboard.press('Enter');
    await confirmByKeyboard('Cancel this migration?', 'Cancel migration');
    await page.getByRole('button', { name: 'Cancel migration…' }).waitFor({ state: 'detached' });
    await expect.poll(() => isFocused(runHeading())).toBe(true);
  }, 120_000);

  it('a confirmed start that deletes the source copies takes the Start button away: focus goes to the run it started', async () => {
    // The cancelled run's report is shown until a new migration is asked for.
    await section('Migration').click();
    await page.getByRole('button', { name: 'New migration', exact: true }).click();
    await previewMigration(true);
    await page.getByRole('button', { name: 'Start migration' }).focus();
    await page.keyboard.press('Enter');
    await confirmByKeyboard('Delete the source copies?', 'Start and delete source copies');
    await expect.poll(() => isFocused(runHeading())).toBe(true);
  }, 120_000);

  it('a confirmed removal of a manager gives focus to the managers table its row was in', async () => {
    await section('Managers').click();
    await page.getByRole('button', { name: `More actions for ${SPARE}` }).focus();
    await fromRowMenu('Remove…')();
    await confirmByKeyboard(`Remove ${SPARE}?`, 'Remove manager');
    await page.getByRole('cell', { name: SPARE, exact: true }).waitFor({ state: 'detached' });
    await expect.poll(() => isFocused(page.getByRole('region', { name: 'Secret managers, scrollable' }))).toBe(true);
  }, 120_000);
});
