// The README's screenshots, made by the app itself: the secrets list, an SSH
// connection test report against a real sshd, and the migration preview
// against the Azure Key Vault emulator. Same data, viewport and theme every
// run. With STRONGROOM_SCREENSHOTS=1 the PNGs are written to docs/screenshots
// (commit them); otherwise into a temporary folder, so `npm test` leaves a
// clean clone's `git status` clean, while the steps that make them still run.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openUi, REPO_ROOT, sectionButton, tearDown, type UiSession } from './bridge-harness.js';
import { managerConfig as azureConfig, startAzureKeyVaultEmulator, type AzureKeyVaultEmulator } from '../emulators/azure-key-vault-emulator.js';
import { startSshd, type SshdUser, type TestSshd } from '../fixtures/sshd.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'screenshots for the readme 5120';
const VIEWPORT = { width: 1280, height: 760 };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const WRITE_TO_DOCS = process.env.STRONGROOM_SCREENSHOTS === '1';

/** Text secrets an on-premises admin keeps; the values are made up. */
const SECRETS: Record<string, string> = {
  billing_db_password: 'Xq7-lake-orbit-93',
  billing_api_token: 'tok_live_5f2c9e1a7b',
  ci_deploy_key_passphrase: 'amber-violin-drift',
  hr_portal_admin: 'N8w!parcel-sunrise',
  ldap_bind_password: 'cobalt-meadow-2291',
  payments_webhook_secret: 'whsec_8d1f3a0c42',
  smtp_relay_password: 'quiet-harbor-7715',
  vpn_shared_key: 'granite-echo-4408',
  'grafana-admin': 'lantern-basil-6620',
  'backup-encryption-key': 'opal-thunder-3157',
};

describeNeeding(['chromium', 'sshd'], 'README screenshots (e2e)', () => {
  let dir: string;
  let outDir: string;
  let ui: UiSession | undefined;
  let azure: AzureKeyVaultEmulator | undefined;
  let sshd: TestSshd | undefined;
  let user: SshdUser;
  let page: Page;

  const section = (name: string) => sectionButton(page, name);
  const byLabel = (scope: Locator, label: string) =>
    scope.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)).and(scope.locator('textarea, select, input:not([type="file"])'));

  /** Writes the screenshot of the app at rest (no toast, nothing focused) and checks it is a PNG. */
  async function shoot(fileName: string, target: Page | Locator): Promise<void> {
    await page.locator('.toast').first().waitFor({ state: 'detached' });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const path = join(outDir, fileName);
    await target.screenshot({ path, animations: 'disabled', caret: 'hide' });
    expect(readFileSync(path).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-screenshots-e2e-'));
    outDir = WRITE_TO_DOCS ? join(REPO_ROOT, 'docs', 'screenshots') : join(dir, 'screenshots');
    mkdirSync(outDir, { recursive: true });
    azure = await startAzureKeyVaultEmulator();
    sshd = await startSshd();
    user = await sshd.addUser({ password: 'readme-ssh-password' });
    ui = await openUi(join(dir, 'store'), {
      passphrase: PASSPHRASE,
      timeoutMs: 30_000,
      beforeCreate: async (page) => {
        await page.setViewportSize(VIEWPORT);
        await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
      },
    });
    page = ui.page;

    const envFile = join(dir, 'secrets.env');
    writeFileSync(envFile, Object.entries(SECRETS).map(([name, value]) => `${name}=${value}\n`).join(''));
    await section('Settings').click();
    await page.getByRole('button', { name: 'Import .env/CSV…' }).click();
    const importDialog = page.getByRole('dialog', { name: 'Import .env or CSV' });
    await importDialog.getByLabel('File to import').setInputFiles(envFile);
    await importDialog.getByRole('button', { name: `Import ${Object.keys(SECRETS).length} secrets` }).click();
    await importDialog.waitFor({ state: 'detached' });
  }, 180_000);

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => sshd?.stop(),
      () => azure?.close(),
      () => dir && rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('the secrets list, with one secret open', async () => {
    await section('Secrets').click();
    await page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name: 'billing_db_password', exact: true }).click();
    await page.getByRole('heading', { name: 'billing_db_password', exact: true }).waitFor();
    await shoot('secrets-list.png', page);
  });

  it('a connection test report of an SSH credential against a real sshd', async () => {
    await page.getByRole('button', { name: 'New secret' }).click();
    const create = page.getByRole('dialog', { name: 'New secret' });
    await create.getByRole('radio', { name: 'SSH credential' }).check();
    await create.getByLabel('Name', { exact: true }).fill('build_host_ssh');
    await create.getByLabel('User name', { exact: true }).fill(user.name);
    await create.getByRole('radio', { name: 'Password', exact: true }).check();
    await create.locator('#secret-password').fill(user.password);
    await create.getByLabel('Port', { exact: true }).fill(String(sshd!.port));
    await create.getByRole('button', { name: 'Create secret' }).click();
    await create.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'build_host_ssh', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Test connection', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Test connection: build_host_ssh' });
    await dialog.getByRole('textbox', { name: 'Host' }).fill('127.0.0.1');
    await dialog.getByRole('textbox', { name: 'Host' }).press('Enter');
    await dialog.getByRole('button', { name: 'Trust this key and retry' }).click();
    await dialog.getByText(`Connection works: logged in as ${user.name}`, { exact: false }).waitFor();
    await shoot('connection-test-report.png', dialog);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('the migration preview from the built-in store into Azure Key Vault', async () => {
    azure!.seedSecret('vpn-shared-key', 'written by an admin outside Strongroom');
    await section('Managers').click();
    await page.getByRole('button', { name: 'Add manager' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add manager' });
    await dialog.getByRole('radio', { name: /^Azure Key Vault/ }).check();
    const config = azureConfig(azure!);
    await byLabel(dialog, 'Name').fill('azure-prod');
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

    await section('Migration').click();
    const target = page.getByLabel('To (target)', { exact: true });
    const labels = await target.locator('option').allTextContents();
    await target.selectOption({ label: labels.find((text) => text.startsWith('azure-prod '))! });
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByRole('table', { name: 'Migration preview' }).getByText('Will fail: Name taken in the target').waitFor();
    // Tall enough for the form and the whole preview table in one picture.
    await page.setViewportSize({ width: VIEWPORT.width, height: 1180 });
    await shoot('migration-preview.png', page);
    await page.setViewportSize(VIEWPORT);
  });
});
