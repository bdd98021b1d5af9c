// The managers page and connection tests in the real UI: add a Vault manager
// against the Vault emulator and test it, then create an SSH credential, test
// it against a real sshd on loopback, trust its host key after seeing the
// fingerprint, and find the test in the history.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openUi, tearDown, type UiSession } from './bridge-harness.js';
import { startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { startGcpKmsEmulator, type GcpKmsEmulator } from '../emulators/gcp-kms-emulator.js';
import { managerConfig as azureConfig, startAzureKeyVaultEmulator, type AzureKeyVaultEmulator } from '../emulators/azure-key-vault-emulator.js';
import { startSshd, type SshdUser, type TestSshd } from '../fixtures/sshd.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'managers and connections e2e passphrase';


describeNeeding(['chromium'], 'managers and connection tests in the UI (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let vault: VaultEmulator | undefined;
  let aws: AwsEmulator | undefined;
  let gcp: GcpKmsEmulator | undefined;
  let azure: AzureKeyVaultEmulator | undefined;
  let sshd: TestSshd | undefined;
  let user: SshdUser;
  let page: Page;
  const field = (scope: Locator, label: string) => scope.getByLabel(label, { exact: true });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-managers-e2e-'));
    vault = await startVaultEmulator();
    aws = await startAwsEmulator();
    gcp = await startGcpKmsEmulator();
    azure = await startAzureKeyVaultEmulator();
    sshd = await startSshd();
    user = await sshd.addUser({ password: 'e2e-ssh-password' });
    ui = await openUi(join(dir, 'store'), { passphrase: PASSPHRASE, timeoutMs: 20_000 });
    page = ui.page;
  });

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => sshd?.stop(),
      () => vault?.close(),
      () => aws?.close(),
      () => gcp?.close(),
      () => azure?.close(),
      () => dir && rmSync(dir, { recursive: true, force: true }),
    ),
  );

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

  it('references a secret that already exists in Vault: reveals its value, and deleting the reference leaves it there', async () => {
    const kv = (method: string, body?: unknown) =>
      fetch(`${vault!.endpoint}/v1/secret/data/strongroom/existing`, {
        method,
        headers: { 'X-Vault-Token': vault!.credentials.rootToken, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await kv('POST', { data: { password: 'remote-only-value' } })).ok).toBe(true);

    await page.getByRole('button', { name: 'Reference…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reference an existing secret' });
    await field(dialog, 'Name').fill('vault_ref');
    await dialog.getByLabel('Secret store').selectOption({ label: 'team-vault' });
    await field(dialog, 'Reference').fill('strongroom/existing#password');
    await dialog.getByRole('button', { name: 'Add reference' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'vault_ref', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe('remote-only-value');

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog', { name: 'Delete secret?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'vault_ref', exact: true }).waitFor({ state: 'detached' });
    const remote = (await (await kv('GET')).json()) as { data: { data: { password: string } } };
    expect(remote.data.data.password).toBe('remote-only-value');
  });

  /** Fields by the start of their label (optional ones end in "(optional)"); a field's "load from file" input is not the field. */
  const byLabel = (scope: Locator, label: string) =>
    scope.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)).and(scope.locator('textarea, select, input:not([type="file"])'));

  interface CloudManager {
    kind: string;
    name: string;
    fields: () => Record<string, string>;
    select?: Record<string, string>;
    after?: () => Record<string, string>;
    advanced: () => Record<string, string>;
    /** Requests the emulator has received, to show the secret really went there. */
    used: () => number;
  }

  it.each<CloudManager>([
    {
      kind: 'AWS KMS',
      name: 'aws-kms-e2e',
      fields: () => ({ Region: aws!.region, 'Access key id': aws!.credentials.accessKeyId, 'Secret access key': aws!.credentials.secretAccessKey, 'Key ARN': aws!.keyArn }),
      advanced: () => ({ 'Service endpoint': aws!.endpoint }),
      used: () => aws!.calls.count('kms:*'),
    },
    {
      kind: 'AWS Secrets Manager',
      name: 'aws-sm-e2e',
      fields: () => ({ Region: aws!.region, 'Access key id': aws!.credentials.accessKeyId, 'Secret access key': aws!.credentials.secretAccessKey, 'Name prefix': 'strongroom/' }),
      advanced: () => ({ 'Service endpoint': aws!.endpoint }),
      used: () => aws!.calls.count('secretsmanager:*'),
    },
    {
      kind: 'Google Cloud KMS',
      name: 'gcp-kms-e2e',
      fields: () => ({ 'Project id': gcp!.projectId, Location: gcp!.location, 'Key ring': gcp!.keyRing, 'Key name': gcp!.keyName }),
      select: { Credential: 'accessToken' },
      after: () => ({ 'Access token': gcp!.accessToken }),
      advanced: () => ({ Endpoint: gcp!.endpoint }),
      used: () => gcp!.calls.count('cloudkms:*'),
    },
    {
      kind: 'Azure Key Vault',
      name: 'azure-e2e',
      fields: () => {
        const config = azureConfig(azure!);
        return { 'Tenant id': config.tenantId, 'Client id': config.clientId, 'Client secret': config.clientSecret, 'Vault name': config.vaultName };
      },
      advanced: () => {
        const config = azureConfig(azure!);
        return { 'Vault URL': config.vaultUrl, 'Sign-in authority': config.authorityHost, 'Resource Manager URL': config.resourceManagerUrl, 'CA certificate': config.caCertificate };
      },
      used: () => Object.values(azure!.calls).reduce((sum, n) => sum + n, 0),
    },
  ])('adds a $kind manager in the UI against its emulator, tests it, and keeps a secret in it', async (spec) => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Managers' }).click();
    await page.getByRole('button', { name: 'Add manager' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add manager' });
    await dialog.getByRole('radio', { name: new RegExp(`^${spec.kind}`) }).check();
    await field(dialog, 'Name').fill(spec.name);
    for (const [label, value] of Object.entries(spec.fields())) await byLabel(dialog, label).fill(value);
    for (const [label, value] of Object.entries(spec.select ?? {})) await byLabel(dialog, label).selectOption(value);
    for (const [label, value] of Object.entries(spec.after?.() ?? {})) await byLabel(dialog, label).fill(value);
    await dialog.getByRole('button', { name: 'Advanced settings' }).click();
    for (const [label, value] of Object.entries(spec.advanced())) await byLabel(dialog, label).fill(value);
    await dialog.getByRole('button', { name: 'Add manager' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: `Test connection of ${spec.name}` }).click();
    const test = page.getByRole('dialog', { name: `Test connection: ${spec.name}` });
    await test.getByRole('status').filter({ hasText: /works|passed|OK/i }).waitFor();
    await test.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Secrets' }).click();
    const before = spec.used();
    const secretName = `${spec.name}-secret`;
    await page.getByRole('button', { name: 'New secret' }).click();
    const create = page.getByRole('dialog', { name: 'New secret' });
    await create.getByLabel('Secret manager').selectOption({ label: spec.name });
    await field(create, 'Value').fill(`value kept by ${spec.kind}`);
    if (spec.kind === 'Azure Key Vault') {
      // Azure's names take no underscore: refused before anything is written, and said so.
      await field(create, 'Name').fill('azure_e2e_secret');
      await create.getByRole('button', { name: 'Create secret' }).click();
      await create.getByText(/letters, digits and dashes|not allowed|refuse/i).first().waitFor();
    }
    await field(create, 'Name').fill(secretName);
    await create.getByRole('button', { name: 'Create secret' }).click();
    await create.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: secretName, exact: true }).waitFor();
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe(`value kept by ${spec.kind}`);
    expect(spec.used()).toBeGreaterThan(before);

    if (['HashiCorp Vault', 'AWS Secrets Manager', 'Azure Key Vault'].includes(spec.kind)) {
      // A secret store's secret says which store holds it and where, in the details and in the list.
      const row = page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name: secretName, exact: true });
      expect(await row.textContent()).toContain(`in ${spec.name}`);
      expect(await page.locator('.meta div').filter({ has: page.getByText('Type', { exact: true }) }).locator('dd').textContent()).toBe(
        `Encrypted text, kept in ${spec.kind}`,
      );
      await page.getByRole('button', { name: /^Copy remote (path|name|ARN or name)$/ }).click();
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain(secretName);
    }
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
