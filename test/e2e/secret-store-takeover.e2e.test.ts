// A secret store shared with others, in the real UI over the loopback bridge
// against the Vault emulator: a create whose name an admin already took there
// (through the emulator's own API, outside Strongroom) is refused naming it,
// and adopting it takes a confirmation, or the name goes to "add as reference";
// a delete removes only what Strongroom wrote, or nothing when "keep the remote
// secret" is ticked. The remote state is read back from the emulator each time,
// and the new dialog states are axe-checked in both themes.
import BetterSqlite3 from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { violationsInBothThemes } from './axe.js';
import { openUi, tearDown, type UiSession } from './bridge-harness.js';
import { managerConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { CLI_ENTRY, PASSPHRASE, requireBuild } from '../support/core-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';
import { RemoteWriteJournal } from '../../src-main/core/services/remote-writes.js';

describeNeeding(['chromium'], 'secrets in a shared secret store: adopt and keep-remote in the app (e2e)', () => {
  let dir: string;
  let store: string;
  let vault: VaultEmulator | undefined;
  let ui: UiSession | undefined;
  let page: Page;

  /** The emulator's own KV v2 API, as an admin outside Strongroom uses it. */
  const kv = async (operation: 'data' | 'metadata', name: string, init: { method?: string; body?: unknown; version?: number } = {}) => {
    const query = init.version === undefined ? '' : `?version=${init.version}`;
    const response = await fetch(`${vault!.endpoint}/v1/secret/${operation}/strongroom/${name}${query}`, {
      method: init.method ?? 'GET',
      headers: { 'X-Vault-Token': vault!.credentials.rootToken, 'Content-Type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: response.status, body: response.status === 200 ? ((await response.json()) as { data: Record<string, unknown> }) : null };
  };
  const seedRemote = async (name: string, value: string) => expect((await kv('data', name, { method: 'POST', body: { data: { value } } })).status).toBe(200);

  const openNewSecret = async (name: string, value: string) => {
    await page.getByRole('button', { name: 'New secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'New secret' });
    await dialog.getByLabel('Name', { exact: true }).fill(name);
    await dialog.getByLabel('Secret manager').selectOption({ label: 'Team Vault' });
    await dialog.getByLabel('Value', { exact: true }).fill(value);
    return dialog;
  };
  const createSecret = async (name: string, value: string) => {
    const dialog = await openNewSecret(name, value);
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name, exact: true }).waitFor();
  };
  const openDelete = async (name: string) => {
    await page.getByRole('heading', { name, exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    return page.getByRole('dialog', { name: 'Delete secret?' });
  };

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'strongroom-takeover-e2e-'));
    store = join(dir, 'store');
    const passphraseFile = join(dir, 'passphrase');
    const configFile = join(dir, 'vault.json');
    vault = await startVaultEmulator();
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    writeFileSync(configFile, JSON.stringify(managerConfig(vault)), { mode: 0o600 });
    // Spawned without blocking: the emulator answers from this process's event loop.
    const cli = (args: string[]) =>
      new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [CLI_ENTRY, '--data-dir', store, '--passphrase-file', passphraseFile, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('error', reject);
        child.once('close', (status) => resolve({ status, stderr }));
      });
    expect((await cli(['init'])).status).toBe(0);
    const added = await cli(['manager', 'add', '--name', 'Team Vault', '--kind', 'vault', '--config', configFile]);
    expect(added.status, added.stderr).toBe(0);
    ui = await openUi(store, { timeoutMs: 20_000, unlockWith: PASSPHRASE });
    page = ui.page;
  }, 300_000);

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => vault?.close(),
      () => dir && rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('refuses a name an admin already took in Vault, naming it; adopting it takes a confirmation and writes a new version on top', async () => {
    await seedRemote('taken', 'the admin value');
    const dialog = await openNewSecret('taken', 'our value');
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.filter({ hasText: 'secret/strongroom/taken already exists in Vault' }).waitFor();
    await expect.poll(() => refusal.textContent()).not.toContain('--adopt');
    const adopt = dialog.getByRole('checkbox', { name: 'Adopt the existing remote secret: write a new version on top of it' });
    expect(await adopt.isChecked()).toBe(false);
    await dialog.getByRole('button', { name: 'Add it as a reference instead' }).waitFor();
    expect(await violationsInBothThemes(page, 'dialog[open]')).toEqual({ light: [], dark: [] });

    // Without the confirmation a second try is refused again and nothing is written.
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await refusal.filter({ hasText: 'already exists' }).waitFor();
    expect((await kv('metadata', 'taken')).body?.data.current_version).toBe(1);

    await adopt.check();
    await dialog.getByRole('button', { name: 'Adopt and save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'taken', exact: true }).waitFor();
    expect((await kv('metadata', 'taken')).body?.data.current_version).toBe(2);
    expect((await kv('data', 'taken', { version: 1 })).body?.data.data).toEqual({ value: 'the admin value' });
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe('our value');

    // The default delete destroys only the version Strongroom wrote; the admin's stays readable.
    const remove = await openDelete('taken');
    await remove.getByText('In Team Vault, Strongroom removes only what it wrote there').waitFor();
    expect(await remove.getByRole('checkbox', { name: 'Keep the remote secret in Team Vault' }).isChecked()).toBe(false);
    expect(await violationsInBothThemes(page, 'dialog[open]')).toEqual({ light: [], dark: [] });
    await remove.getByRole('button', { name: 'Delete', exact: true }).click();
    await remove.waitFor({ state: 'detached' });
    expect((await kv('data', 'taken', { version: 1 })).body?.data.data).toEqual({ value: 'the admin value' });
    expect((await kv('data', 'taken', { version: 2 })).status).toBe(404);
    expect((await kv('metadata', 'taken')).status).toBe(200);
  }, 300_000);

  it('sends a taken name to "add as reference" with the name and the store filled in', async () => {
    await seedRemote('shared-token', 'the team token');
    const dialog = await openNewSecret('shared-token', 'not written');
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'secret/strongroom/shared-token already exists' }).waitFor();
    await dialog.getByRole('button', { name: 'Add it as a reference instead' }).click();
    await dialog.waitFor({ state: 'detached' });
    const reference = page.getByRole('dialog', { name: 'Reference an existing secret' });
    expect(await reference.getByLabel('Name', { exact: true }).inputValue()).toBe('shared-token');
    expect(await reference.getByLabel('Secret store').locator('option:checked').textContent()).toBe('Team Vault');
    await reference.getByLabel('Reference', { exact: true }).fill('strongroom/shared-token#value');
    await reference.getByRole('button', { name: 'Add reference' }).click();
    await reference.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe('the team token');
    expect((await kv('metadata', 'shared-token')).body?.data.current_version).toBe(1);
  }, 300_000);

  it('keeps the remote secret when asked, and otherwise deletes a secret Strongroom created there', async () => {
    await createSecret('kept-remote', 'stays in vault');
    const keep = await openDelete('kept-remote');
    await keep.getByRole('checkbox', { name: 'Keep the remote secret in Team Vault' }).check();
    await keep.getByRole('button', { name: 'Delete', exact: true }).click();
    await keep.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'kept-remote', exact: true }).waitFor({ state: 'detached' });
    expect((await kv('data', 'kept-remote')).body?.data.data).toBeDefined();

    await createSecret('ours-only', 'goes away');
    expect((await kv('metadata', 'ours-only')).status).toBe(200);
    const remove = await openDelete('ours-only');
    await remove.getByRole('button', { name: 'Delete', exact: true }).click();
    await remove.waitFor({ state: 'detached' });
    expect((await kv('metadata', 'ours-only')).status).toBe(404);
  }, 300_000);

  it('lists the writes a broken batch left unconfirmed in the manager\'s row menu, and forgets one once the admin checked the store', async () => {
    // What a kill between journaling a batch and confirming it leaves: a pending write with no secret.
    const db = new BetterSqlite3(join(store, 'strongroom.db'));
    try {
      db.pragma('busy_timeout = 5000');
      const manager = db.prepare('SELECT id FROM managers WHERE name = ?').get('Team Vault') as { id: string };
      new RemoteWriteJournal(db).begin(manager.id, [{ secretId: 'never-stored', remoteName: 'half-written', mode: 'create' }]);
    } finally {
      db.close();
    }
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Managers', exact: true }).click();
    await page.getByRole('button', { name: 'More actions for Team Vault' }).click();
    await page.getByRole('menu', { name: 'More actions for Team Vault' }).getByRole('menuitem', { name: 'Unconfirmed writes…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Unconfirmed writes in Team Vault' });
    const table = dialog.getByRole('table', { name: 'Unconfirmed writes in Team Vault' });
    await table.getByRole('cell', { name: 'half-written', exact: true }).waitFor();
    expect(await violationsInBothThemes(page, 'dialog[open]')).toEqual({ light: [], dark: [] });

    await dialog.getByRole('button', { name: 'Forget half-written (checked in the store)' }).click();
    await dialog.getByText('No unconfirmed writes', { exact: false }).waitFor();
    await page.getByText('Forgot the unconfirmed write of "half-written"', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });

    // Forgotten for good, and recorded.
    const check = new BetterSqlite3(join(store, 'strongroom.db'), { readonly: true });
    try {
      expect(check.prepare("SELECT count(*) AS n FROM remote_writes WHERE remote_name = 'half-written'").get()).toEqual({ n: 0 });
      expect(check.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'manager.forgetWrite'").get()).toEqual({ n: 1 });
    } finally {
      check.close();
    }
  }, 300_000);
});
