// The managers page and connection tests in the real UI: add a Vault manager
// against the Vault emulator and test it, then create an SSH credential, test
// it against a real sshd on loopback, trust its host key after seeing the
// fingerprint, and find the test in the history.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, openApp, startBridge, type OpenedApp, type RunningBridge } from './bridge-harness.js';
import { startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { startSshd, type SshdUser, type TestSshd } from '../fixtures/sshd.js';

const PASSPHRASE = 'managers and connections e2e passphrase';

if (!chromiumAvailable()) console.log('Chromium not installed at /usr/lib/chromium/chromium: skipping the managers/connections e2e');

describe.skipIf(!chromiumAvailable())('managers and connection tests in the UI (e2e)', () => {
  let dir: string;
  let bridge: RunningBridge | undefined;
  let browser: Browser | undefined;
  let app: OpenedApp | undefined;
  let vault: VaultEmulator | undefined;
  let sshd: TestSshd | undefined;
  let user: SshdUser;
  let page: Page;
  const field = (scope: Locator, label: string) => scope.getByLabel(label, { exact: true });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-managers-e2e-'));
    vault = await startVaultEmulator();
    sshd = await startSshd();
    user = await sshd.addUser({ password: 'e2e-ssh-password' });
    bridge = await startBridge(join(dir, 'store'));
    browser = await launchBrowser();
    app = await openApp(browser, bridge);
    page = app.page;
    page.setDefaultTimeout(20_000);
    await page.getByRole('heading', { name: 'Create your store' }).waitFor();
    await page.getByLabel('Master passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Repeat passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.getByRole('button', { name: 'Lock now' }).waitFor();
  });

  afterAll(async () => {
    await app?.context.close();
    await browser?.close();
    await bridge?.stop();
    await sshd?.stop();
    await vault?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('adds a HashiCorp Vault manager with a sealed token and tests it read-only', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Managers' }).click();
    await page.getByRole('button', { name: 'Add manager' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add manager' });
    await dialog.getByRole('radio', { name: /HashiCorp Vault/ }).check();
    await field(dialog, 'Name').fill('team-vault');
    await field(dialog, 'URL').fill(vault!.endpoint);
    await field(dialog, 'Token').fill(vault!.credentials.token);
    await field(dialog, 'KV engine mount').fill('secret');
    await dialog.getByLabel('Base path (optional)', { exact: true }).fill('strongroom');
    await dialog.getByRole('button', { name: 'Add manager' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'team-vault', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Test connection of team-vault' }).click();
    const test = page.getByRole('dialog', { name: 'Test connection: team-vault' });
    await test.getByRole('status').filter({ hasText: /works|passed|OK/i }).waitFor();
    await test.getByRole('button', { name: 'Close' }).click();
  });

  it('creates a secret in the Vault manager and reveals it: the value lives in Vault, not in the local store', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Secrets' }).click();
    const writesBefore = vault!.calls['kv-write'] ?? 0;
    await page.getByRole('button', { name: 'New secret' }).click();
    const create = page.getByRole('dialog', { name: 'New secret' });
    await field(create, 'Name').fill('vault_kept');
    await create.getByLabel('Secret manager').selectOption({ label: 'team-vault' });
    await field(create, 'Value').fill('kept-in-vault-value');
    await create.getByRole('button', { name: 'Create secret' }).click();
    await create.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'vault_kept', exact: true }).waitFor();
    expect(vault!.calls['kv-write'] ?? 0).toBeGreaterThan(writesBefore);
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe('kept-in-vault-value');
  });

  it('tests an SSH credential against a real sshd: unknown host key first, trusted after the fingerprint is shown', async () => {
    await page.getByRole('button', { name: 'New secret' }).click();
    const create = page.getByRole('dialog', { name: 'New secret' });
    await create.getByRole('radio', { name: 'SSH credential' }).check();
    await field(create, 'Name').fill('lab_ssh');
    await field(create, 'User name').fill(user.name);
    await create.getByRole('radio', { name: 'Password', exact: true }).check();
    await create.locator('#secret-password').fill(user.password);
    await field(create, 'Port').fill(String(sshd!.port));
    await create.getByRole('button', { name: 'Create secret' }).click();
    await create.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'lab_ssh', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Test connection', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Test connection: lab_ssh' });
    await dialog.getByRole('textbox', { name: 'Host' }).fill('127.0.0.1');
    await dialog.getByRole('textbox', { name: 'Host' }).press('Enter');
    await dialog.getByRole('heading', { name: 'Trust this host key?' }).waitFor();
    await dialog.getByText(sshd!.hostKeys[0]!.fingerprint).or(dialog.getByText(sshd!.hostKeys[1]?.fingerprint ?? '\u0000')).first().waitFor();
    await dialog.getByRole('button', { name: 'Trust this key and retry' }).click();
    await dialog.getByText(`Connection works: logged in as ${user.name}`, { exact: false }).waitFor();

    await dialog.getByRole('tab', { name: 'History' }).click();
    const history = dialog.getByRole('table', { name: 'Past connection tests' });
    await history.getByRole('row').nth(2).waitFor();
  });
});
