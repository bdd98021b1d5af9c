// The built renderer in Chromium against the real core over the loopback
// bridge: first run, secrets from creation to deletion, locking, a restart
// with the same data folder, and a wrong passphrase. The steps share one
// store and run in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  childPids,
  launchBrowser,
  openApp,
  startBridge,
  tearDown,
  type OpenedApp,
  type RunningBridge,
} from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
const FIRST_VALUE = 'hunter2-first-value';
const SECOND_VALUE = 'hunter2-second-value\nwith a second line';


describeNeeding(['chromium'], 'renderer over the loopback bridge (e2e)', () => {
  let dataDir: string;
  let bridge: RunningBridge | undefined;
  let browser: Browser | undefined;
  let app: OpenedApp | undefined;
  let page: Page;
  /** From every page opened, not just the current one. */
  const consoleErrors: string[] = [];

  async function open(): Promise<void> {
    if (!browser || !bridge) throw new Error('not started');
    if (app) consoleErrors.push(...app.consoleErrors);
    await app?.context.close();
    app = await openApp(browser, bridge);
    page = app.page;
    page.setDefaultTimeout(15_000);
  }

  const option = (name: string) => page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name, exact: true });
  const secretValue = () => page.getByRole('textbox', { name: 'Secret value' });
  const clipboardText = () => page.evaluate(() => navigator.clipboard.readText());

  async function unlock(passphrase: string): Promise<void> {
    await page.getByRole('heading', { name: 'Unlock Strongroom' }).waitFor();
    await page.getByLabel('Master passphrase', { exact: true }).fill(passphrase);
    await page.getByRole('button', { name: 'Unlock' }).click();
  }

  async function createSecret(name: string, value: string, description = ''): Promise<void> {
    await page.getByRole('button', { name: 'New secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'New secret' });
    await dialog.getByLabel('Name', { exact: true }).fill(name);
    await dialog.getByLabel('Description').fill(description);
    await dialog.getByLabel('Value', { exact: true }).fill(value);
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await dialog.waitFor({ state: 'detached' });
    await option(name).waitFor();
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'strongroom-app-e2e-'));
    bridge = await startBridge(dataDir);
    browser = await launchBrowser();
    await open();
  });

  afterAll(() =>
    tearDown(
      () => app?.context.close(),
      () => browser?.close(),
      () => bridge?.stop(),
      () => rmSync(dataDir, { recursive: true, force: true }),
    ),
  );

  it('first run: refuses a short or mismatched passphrase, then creates the store', async () => {
    await page.getByRole('heading', { name: 'Create your store' }).waitFor();
    const passphrase = page.getByLabel('Master passphrase', { exact: true });
    const repeat = page.getByLabel('Repeat passphrase', { exact: true });
    const create = page.getByRole('button', { name: 'Create store' });

    await passphrase.fill('short');
    await repeat.fill('short');
    await create.click();
    await page.getByText('Use at least 10 characters').waitFor();

    await passphrase.fill(PASSPHRASE);
    await repeat.fill(`${PASSPHRASE}!`);
    await create.click();
    await page.getByText('The passphrases do not match').waitFor();

    // The strength meter's dictionaries load lazily; this also proves the CSP lets the chunk in.
    await page.getByText(/^Strength: (Fair|Strong|Very strong)/).waitFor();

    await repeat.fill(PASSPHRASE);
    await create.click();
    await page.getByRole('button', { name: 'Lock now' }).waitFor();
    await page.getByText('No secrets yet — create your first with New secret.').waitFor();
  });

  it('creates secrets, with client-side and server-side name errors shown inline', async () => {
    await page.getByRole('button', { name: 'New secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'New secret' });
    await dialog.getByLabel('Name', { exact: true }).fill('bad name');
    await dialog.getByLabel('Value', { exact: true }).fill('x');
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await dialog.getByText('Use only letters, digits, - and _').waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await createSecret('db-password', FIRST_VALUE, 'Primary database');
    await createSecret('api-token', 'token-value-1');
    await page.getByText('2 secrets').waitFor();

    await page.getByRole('button', { name: 'New secret' }).click();
    await dialog.getByLabel('Name', { exact: true }).fill('db-password');
    await dialog.getByLabel('Value', { exact: true }).fill('another');
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await dialog.getByText('A secret named "db-password" already exists.').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('searches on the server', async () => {
    const search = page.getByPlaceholder('Search secrets');
    await search.fill('api');
    await page.getByText('1 match', { exact: true }).waitFor();
    await option('db-password').waitFor({ state: 'detached' });
    await option('api-token').waitFor();

    await search.fill('no-such-secret');
    await page.getByText('No secrets match “no-such-secret”.').waitFor();

    await search.fill('');
    await page.getByText('2 secrets').waitFor();
  });

  it('shows metadata and reveals the value only on request', async () => {
    await option('db-password').click();
    await page.getByRole('heading', { name: 'db-password', exact: true }).waitFor();
    await page.getByText('Primary database').last().waitFor();
    expect(await secretValue().textContent()).toBe('••••••');

    await page.getByRole('button', { name: 'Reveal' }).click();
    await page.getByRole('button', { name: 'Hide' }).waitFor();
    expect(await secretValue().textContent()).toBe(FIRST_VALUE);

    await page.getByRole('button', { name: 'Hide' }).click();
    await page.getByRole('button', { name: 'Reveal' }).waitFor();
    expect(await secretValue().textContent()).toBe('••••••');
  });

  it('copies the value to the clipboard', async () => {
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByText('Copied; clears in 30 s').waitFor();
    expect(await clipboardText()).toBe(FIRST_VALUE);
  });

  it('edits the value and renames the secret', async () => {
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit db-password' });
    const name = dialog.getByLabel('Name', { exact: true });
    expect(await name.inputValue()).toBe('db-password');
    await name.fill('db-main');
    await dialog.getByLabel('New value', { exact: true }).fill(SECOND_VALUE);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('heading', { name: 'db-main', exact: true }).waitFor();
    await option('db-main').waitFor();
    await option('db-password').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Reveal' }).click();
    await page.getByRole('button', { name: 'Hide' }).waitFor();
    expect(await secretValue().textContent()).toBe(SECOND_VALUE);
  });

  it('deletes only after confirmation', async () => {
    await option('api-token').click();
    await page.getByRole('heading', { name: 'api-token', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete secret?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    await option('api-token').waitFor();

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirm.waitFor({ state: 'detached' });
    await option('api-token').waitFor({ state: 'detached' });
    await page.getByText('1 secret', { exact: true }).waitFor();
  });

  it('lists the audit trail and verifies the chain', async () => {
    await page.getByRole('button', { name: 'Audit', exact: true }).click();
    const entries = page.getByRole('table', { name: 'Audit entries' });
    await entries.getByRole('cell', { name: 'Created', exact: true }).first().waitFor();
    await entries.getByRole('cell', { name: 'Deleted', exact: true }).first().waitFor();
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByRole('status', { name: 'Chain verification' }).getByText(/^Chain intact: \d+ entries checked\.$/).waitFor();
  });

  it('saves the auto-lock setting', async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const minutes = page.getByLabel('Auto-lock after (minutes)');
    expect(await minutes.inputValue()).toBe('15');
    await minutes.fill('20');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Settings saved.').waitFor();
  });

  it('locks: the revealed value leaves the page and the copied value leaves the clipboard', async () => {
    await page.getByRole('button', { name: 'Secrets', exact: true }).click();
    await option('db-main').click();
    await page.getByRole('button', { name: 'Reveal' }).click();
    await page.getByRole('button', { name: 'Hide' }).waitFor();
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    // The toast from the earlier copy may still be showing, so wait for the clipboard itself.
    await expect.poll(clipboardText).toBe(SECOND_VALUE);

    await page.getByRole('button', { name: 'Lock now' }).click();
    await page.getByRole('heading', { name: 'Unlock Strongroom' }).waitFor();
    expect(await page.content()).not.toContain('hunter2-second-value');
    await expect.poll(clipboardText).toBe('');
  });

  it('unlocks again with the data intact', async () => {
    await unlock(PASSPHRASE);
    await option('db-main').waitFor();
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    expect(await page.getByLabel('Auto-lock after (minutes)').inputValue()).toBe('20');
  });

  it('survives a server restart with the same data folder', async () => {
    await bridge?.stop();
    await page.getByText('Connection to Strongroom lost. Reconnecting…').waitFor();

    bridge = await startBridge(dataDir);
    await open();
    await unlock(PASSPHRASE);
    await option('db-main').click();
    await page.getByRole('button', { name: 'Reveal' }).click();
    await page.getByRole('button', { name: 'Hide' }).waitFor();
    expect(await secretValue().textContent()).toBe(SECOND_VALUE);
    await page.getByText('1 secret', { exact: true }).waitFor();
  });

  it('locks when the delegate restarts, then unlocks with the delegate’s new key', async () => {
    if (!bridge) throw new Error('not started');
    const delegates = childPids(bridge.pid);
    expect(delegates).toHaveLength(1);
    process.kill(delegates[0]!, 'SIGKILL');
    await page.getByText('Strongroom’s key service restarted, so the store was locked. Unlock to continue.').waitFor();
    // At once, while the new delegate may still be starting: the passphrase must be sealed to its new key.
    await unlock(PASSPHRASE);
    await option('db-main').click();
    await page.getByRole('button', { name: 'Reveal' }).click();
    await page.getByRole('button', { name: 'Hide' }).waitFor();
    expect(await secretValue().textContent()).toBe(SECOND_VALUE);
  });

  it('says so when the passphrase is wrong', async () => {
    await page.getByRole('button', { name: 'Lock now' }).click();
    await unlock('not the right passphrase');
    const alert = page.getByRole('alert').filter({ hasText: 'Wrong passphrase.' });
    await alert.waitFor();
    expect(await page.getByLabel('Master passphrase', { exact: true }).inputValue()).toBe('');
    // Any back-off keeps the button disabled; click() waits until it is enabled again.
    await unlock(PASSPHRASE);
    await option('db-main').waitFor();
  });

  it('logged no errors in the page (CSP violations included)', () => {
    // Reconnect attempts while the server was down are expected to fail.
    const unexpected = [...consoleErrors, ...(app?.consoleErrors ?? [])].filter((text) => !/^WebSocket connection to .* failed/.test(text));
    expect(unexpected).toEqual([]);
  });
});
