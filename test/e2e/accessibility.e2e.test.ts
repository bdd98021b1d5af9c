// axe-core on every screen and every dialog of the app, in the light and the
// dark theme (prefers-color-scheme), failing on any violation, against the
// real core over the loopback bridge. Each dialog is opened from its button
// and closed with Esc, and focus must come back to that button.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { axeViolations } from './axe';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStoreInUi, openUi, sectionButton, tearDown, type UiSession } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';
import { managerConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { secretTypeDescriptions, secretTypes } from '../../src-shared/contract.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
const SECTIONS = ['Secrets', 'Applications', 'Managers', 'Migration', 'Audit', 'Settings'];

describeNeeding(['chromium'], 'accessibility of every screen, both themes (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let page: Page;
  let vault: VaultEmulator | undefined;

  const violations = (selector?: string) => axeViolations(page, selector);

  const section = (name: string) => sectionButton(page, name);
  const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

  /** The open dialog's violations in both themes, keyed "<dialog> (<theme>)"; `states` puts it in each state worth checking. */
  async function dialogViolations(name: string, states: Record<string, () => Promise<void>> = { '': async () => {} }): Promise<Record<string, string[]>> {
    const found: Record<string, string[]> = {};
    await page.getByRole('dialog', { name }).waitFor();
    for (const [state, enter] of Object.entries(states)) {
      await enter();
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        found[`${name}${state ? `, ${state}` : ''} (${scheme})`] = await violations('dialog[open]');
      }
    }
    await page.emulateMedia({ colorScheme: null });
    return found;
  }

  /**
   * Opens a dialog with `opener`, checks it in both themes (in each of `states`),
   * closes it with Esc and checks focus went back to the opener.
   */
  async function checkDialog(opener: Locator, name: string, states?: Record<string, () => Promise<void>>): Promise<Record<string, string[]>> {
    await opener.click();
    const found = await dialogViolations(name, states);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name }).waitFor({ state: 'detached' });
    found[`${name}: focus back on its opener`] = (await isFocused(opener)) ? [] : ['focus is elsewhere'];
    return found;
  }

  /** Everything found must be empty; the keys say which dialog and theme failed. */
  function expectNone(found: Record<string, string[]>): void {
    expect(Object.fromEntries(Object.entries(found).filter(([, list]) => list.length > 0))).toEqual({});
    expect(Object.keys(found).length).toBeGreaterThan(0);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-a11y-e2e-'));
    vault = await startVaultEmulator();
    ui = await openUi(join(dir, 'store'), { timeoutMs: 15_000 });
    page = ui.page;
  });

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => vault?.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it.each(['light', 'dark'] as const)('the first-run screen has no violations in the %s theme', async (scheme) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.getByRole('heading', { name: 'Create your store' }).waitFor();
    expect(await violations()).toEqual([]);
  });

  it.each(['light', 'dark'] as const)('every main view has no violations in the %s theme', async (scheme) => {
    if (await page.getByRole('heading', { name: 'Create your store' }).isVisible()) await createStoreInUi(page, PASSPHRASE);
    await page.emulateMedia({ colorScheme: scheme });
    const found: Record<string, string[]> = {};
    for (const name of SECTIONS) {
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name }).click();
      // Secrets has no heading until a secret is chosen; the other views open with theirs.
      await (name === 'Secrets' ? page.getByText('No secrets yet', { exact: false }) : page.getByRole('heading', { level: 2 }).first()).waitFor();
      found[name] = await violations();
    }
    expect(found).toEqual(Object.fromEntries(SECTIONS.map((name) => [name, []])));
  });

  it('the backup dialogs have no violations in either theme and give focus back', async () => {
    await section('Settings').click();
    // Restore is offered only while the store is empty, as it still is here.
    const restore = page.getByRole('button', { name: 'Restore backup…' });
    await expect.poll(() => restore.isEnabled()).toBe(true);
    expectNone({
      ...(await checkDialog(restore, 'Restore backup')),
      ...(await checkDialog(page.getByRole('button', { name: 'Export backup…' }), 'Export backup')),
      ...(await checkDialog(page.getByRole('button', { name: 'Import .env/CSV…' }), 'Import .env or CSV')),
    });
  });

  // Dozens of dialogs, each measured in both themes: minutes on a loaded machine, against the default minute.
  it('the secret dialogs (new of every type, edit, reference, delete, connection test) have no violations in either theme', async () => {
    await section('Secrets').click();
    const newSecret = page.getByRole('button', { name: 'New secret', exact: true });
    const typeStates = Object.fromEntries(
      secretTypes.map((type) => [secretTypeDescriptions[type].label, () => page.getByRole('dialog', { name: 'New secret' }).getByRole('radio', { name: secretTypeDescriptions[type].label }).check()]),
    );
    const found = { ...(await checkDialog(newSecret, 'New secret', typeStates)) };
    // A form showing its errors, too.
    await newSecret.click();
    const form = page.getByRole('dialog', { name: 'New secret' });
    await form.getByRole('radio', { name: 'SSH credential' }).check();
    await form.getByRole('button', { name: 'Create secret' }).click();
    await form.locator('.field__error').first().waitFor();
    Object.assign(found, await dialogViolations('New secret', { 'with errors': async () => {} }));
    await form.getByLabel('Name', { exact: true }).fill('web_ssh');
    await form.getByLabel('User name', { exact: true }).fill('deploy');
    await form.getByRole('radio', { name: 'Password', exact: true }).check();
    await form.locator('#secret-password').fill('s3cret-pw');
    await form.getByRole('button', { name: 'Create secret' }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'web_ssh', exact: true }).waitFor();

    Object.assign(found, await checkDialog(page.getByRole('button', { name: 'Reference…' }), 'Reference an existing secret'));
    Object.assign(found, await checkDialog(page.getByRole('button', { name: 'Edit', exact: true }), 'Edit web_ssh'));
    Object.assign(found, await checkDialog(page.getByRole('button', { name: 'Delete', exact: true }), 'Delete secret?'));
    Object.assign(found, await checkDialog(page.getByRole('button', { name: 'Test connection' }), 'Test connection: web_ssh'));
    expectNone(found);
  }, 240_000);

  it('the manager dialogs (add of every kind, edit, test, usage scope) and the command palette have no violations in either theme', async () => {
    await section('Managers').click();
    const add = page.getByRole('button', { name: 'Add manager' });
    const kinds = page.getByRole('dialog', { name: 'Add manager' }).getByRole('group', { name: 'Kind' }).getByRole('radio');
    await add.click();
    const kindNames = await kinds.evaluateAll((radios) => radios.map((radio) => (radio as HTMLInputElement).value));
    await page.keyboard.press('Escape');
    const kindStates = Object.fromEntries(kindNames.map((value) => [value, () => page.getByRole('dialog', { name: 'Add manager' }).locator(`input[name="manager-kind"][value="${value}"]`).check()]));
    const found = { ...(await checkDialog(add, 'Add manager', kindStates)) };

    // Edit and Test belong to managers outside the built-in store: add one kept in Vault.
    await add.click();
    const form = page.getByRole('dialog', { name: 'Add manager' });
    await form.getByRole('radio', { name: /HashiCorp Vault/ }).check();
    await form.getByLabel('Name', { exact: true }).fill('team-vault');
    await form.getByLabel('URL', { exact: true }).fill(vault!.endpoint);
    await form.getByLabel('Token', { exact: true }).fill(vault!.credentials.token);
    await form.getByLabel('KV engine mount', { exact: true }).fill('secret');
    // Adding runs the connection test first, and the emulator's token may write only under this path.
    await form.getByLabel('Base path (optional)', { exact: true }).fill(managerConfig(vault!).basePath);
    await form.getByRole('button', { name: 'Add manager' }).click();
    await form.waitFor({ state: 'detached' });
    Object.assign(found, await checkDialog(page.getByRole('button', { name: 'Edit team-vault' }), 'Edit team-vault'));
    const test = page.getByRole('button', { name: 'Test connection of team-vault' });
    await test.click();
    // The report, whatever it says, once the test has finished.
    await page.getByRole('dialog', { name: 'Test connection: team-vault' }).getByRole('button', { name: 'Test again' }).and(page.locator(':enabled')).waitFor();
    Object.assign(found, await dialogViolations('Test connection: team-vault'));
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Test connection: team-vault' }).waitFor({ state: 'detached' });
    found['Test connection: team-vault: focus back on its opener'] = (await isFocused(test)) ? [] : ['focus is elsewhere'];

    await section('Secrets').click();
    const withVault = await checkDialog(page.getByRole('button', { name: 'Reference…' }), 'Reference an existing secret');
    for (const [key, list] of Object.entries(withVault)) found[`${key}, with a Vault manager`] = list;
    await section('Managers').click();
    const more = page.getByRole('button', { name: 'More actions for Built-in store' });
    await more.click();
    await page.getByRole('menuitem', { name: 'Edit usage scope…' }).click();
    Object.assign(found, await dialogViolations('Usage scope of Built-in store'));
    await page.keyboard.press('Escape');

    await section('Secrets').focus();
    await page.keyboard.press('Control+k');
    Object.assign(found, await dialogViolations('Command palette'));
    await page.keyboard.press('Escape');
    expectNone(found);
  }, 240_000);
});
