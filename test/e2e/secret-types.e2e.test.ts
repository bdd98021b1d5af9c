// Every secret type's form in Chromium against the real core and delegate
// over the loopback bridge: what each form sends, the errors each shows
// (from the shared schemas before sending, from the delegate after), the
// facts shown once an SSH key is parsed, WinRM's SSL port rule, and a file
// uploaded then downloaded byte for byte. The steps share one store.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openUi, tearDown, type UiSession } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
const KEY_PASSPHRASE = 'key passphrase 7';

describeNeeding(['chromium'], 'secret types through the UI (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let page: Page;
  const keys = {} as Record<'ed25519' | 'rsa', { path: string; text: string; fingerprint: string }>;

  const option = (name: string) => page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name, exact: true });
  const field = (dialog: Locator, label: string) => dialog.getByLabel(label, { exact: true });
  const fieldError = (dialog: Locator, id: string) => dialog.locator(`#secret-${id}-error`);

  async function newSecret(type: string, name: string): Promise<Locator> {
    await page.getByRole('button', { name: 'New secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'New secret' });
    await dialog.getByRole('radio', { name: type }).check();
    await field(dialog, 'Name').fill(name);
    return dialog;
  }

  async function create(dialog: Locator, name: string): Promise<void> {
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await dialog.waitFor({ state: 'detached' });
    await option(name).waitFor();
    await page.getByRole('heading', { name, exact: true }).waitFor();
  }

  /** The value of one metadata row in the detail view. */
  const detailValue = (label: string) => page.locator('.meta div').filter({ has: page.getByText(label, { exact: true }) }).locator('dd');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-types-e2e-'));
    for (const [name, args] of [
      ['ed25519', ['-t', 'ed25519', '-N', '']],
      ['rsa', ['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', KEY_PASSPHRASE]],
    ] as const) {
      const path = join(dir, name);
      execFileSync('ssh-keygen', ['-q', ...args, '-f', path, '-C', name]);
      const fingerprint = execFileSync('ssh-keygen', ['-lf', `${path}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
      keys[name] = { path, text: readFileSync(path, 'utf8'), fingerprint };
    }
    ui = await openUi(join(dir, 'store'), { passphrase: PASSPHRASE, timeoutMs: 15_000 });
    page = ui.page;
  });

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('SSH credential with a key file: loads the key from a file, then shows its type and SHA256 fingerprint', async () => {
    const dialog = await newSecret('SSH credential', 'web_ssh');
    await field(dialog, 'User name').fill('deploy');
    expect(await dialog.getByRole('radio', { name: 'Key file', exact: true }).isChecked()).toBe(true);
    expect(await field(dialog, 'Port').inputValue()).toBe('22');
    await dialog.getByLabel('Private key file').setInputFiles(keys.ed25519.path);
    await expect.poll(() => field(dialog, 'Private key').inputValue()).toBe(keys.ed25519.text);
    await create(dialog, 'web_ssh');

    expect(await detailValue('Key type').textContent()).toBe('ssh-ed25519');
    expect(await detailValue('Fingerprint').textContent()).toBe(keys.ed25519.fingerprint);
    expect(await option('web_ssh').textContent()).toContain('deploy · port 22 · ssh-ed25519');

    // Each secret field has its own reveal toggle.
    const key = page.getByRole('textbox', { name: 'Private key', exact: true });
    expect(await key.textContent()).toBe('••••••');
    await page.getByRole('button', { name: 'Show private key' }).click();
    await expect.poll(() => key.textContent()).toContain('BEGIN OPENSSH PRIVATE KEY');
    // The key has no passphrase: nothing to show, copy or audit, and the detail says so.
    expect(await detailValue('Key passphrase').textContent()).toBe('None');
    expect(await page.getByRole('button', { name: 'Show key passphrase' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Hide private key' }).click();
    await expect.poll(() => key.textContent()).toBe('••••••');
  });

  it('refuses a malformed key and a wrong key passphrase at once, on their fields', async () => {
    const dialog = await newSecret('SSH credential', 'rsa_ssh');
    await field(dialog, 'User name').fill('ops');
    await field(dialog, 'Private key').fill('not a key at all');
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await fieldError(dialog, 'privateKey').getByText(/Not a private key in PEM, PKCS#8 or OpenSSH format/).waitFor();
    expect(await field(dialog, 'Private key').getAttribute('aria-invalid')).toBe('true');

    await field(dialog, 'Private key').fill(keys.rsa.text);
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await fieldError(dialog, 'keyPassphrase').getByText('This key is encrypted: give its passphrase').waitFor();

    await field(dialog, 'Key passphrase').fill('not the passphrase');
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await fieldError(dialog, 'keyPassphrase').getByText('Wrong passphrase for this key').waitFor();
    expect(JSON.stringify(ui?.app.consoleErrors)).not.toContain('PRIVATE KEY');

    await field(dialog, 'Key passphrase').fill(KEY_PASSPHRASE);
    await field(dialog, 'Port').fill('2222');
    await create(dialog, 'rsa_ssh');
    expect(await detailValue('Key type').textContent()).toBe('ssh-rsa');
    expect(await detailValue('Fingerprint').textContent()).toBe(keys.rsa.fingerprint);
    expect(await detailValue('Port').textContent()).toBe('2222');
  });

  it('checks SSH fields with the shared schemas before sending: user name, port, password, key path', async () => {
    const dialog = await newSecret('SSH credential', 'pw_ssh');
    await field(dialog, 'User name').fill('has space');
    await dialog.getByRole('radio', { name: 'Password', exact: true }).check();
    await field(dialog, 'Port').fill('70000');
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await fieldError(dialog, 'username').getByText('User name cannot contain spaces, :, @, / or \\').waitFor();
    await fieldError(dialog, 'port').getByText('Port must be 1–65535').waitFor();
    await fieldError(dialog, 'password').getByText('A password is required for password authentication').waitFor();

    await dialog.getByRole('radio', { name: 'Key path on this machine', exact: true }).check();
    await field(dialog, 'Key path').fill('relative/key');
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await fieldError(dialog, 'keyPath').getByText('Use an absolute path on this machine').waitFor();
    await field(dialog, 'Key path').fill(join(dir, 'no-such-key'));
    await field(dialog, 'User name').fill('root');
    await field(dialog, 'Port').fill('22');
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    // Only the delegate can tell the file is not there.
    await fieldError(dialog, 'keyPath').getByText('This key file cannot be read on this machine').waitFor();

    await dialog.getByRole('radio', { name: 'Password', exact: true }).check();
    await dialog.locator('#secret-password').fill('s3cret-pw');
    await create(dialog, 'pw_ssh');
    expect(await detailValue('Authentication').textContent()).toBe('Password');
    await page.getByRole('button', { name: 'Show password' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Password', exact: true }).textContent()).toBe('s3cret-pw');
  });

  it('SSH via Kerberos: principal, realm, optional KDC, and where the ticket comes from', async () => {
    const dialog = await newSecret('SSH via Kerberos', 'krb_ssh');
    await field(dialog, 'Principal').fill('alice@EXAMPLE.TEST');
    await field(dialog, 'Realm').fill('EXAMPLE.TEST');
    await dialog.getByLabel('KDC').fill('kdc.example.test:88');
    await dialog.getByRole('radio', { name: 'Password', exact: true }).check();
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await fieldError(dialog, 'principal').getByText('Give the principal without @REALM').waitFor();
    await fieldError(dialog, 'password').getByText('A password is required to obtain a ticket').waitFor();

    await field(dialog, 'Principal').fill('alice');
    await dialog.getByRole('radio', { name: 'Keytab', exact: true }).check();
    await field(dialog, 'Keytab path').fill('/etc/krb5/alice.keytab');
    await create(dialog, 'krb_ssh');
    expect(await detailValue('Ticket from').textContent()).toBe('Keytab');
    expect(await detailValue('KDC').textContent()).toBe('kdc.example.test:88');
    expect(await option('krb_ssh').textContent()).toContain('alice@EXAMPLE.TEST');
    await page.getByText('No secret fields: this secret names a keytab or ticket cache on this machine.').waitFor();
  });

  it('Vault-signed SSH certificate: says signing needs a Vault manager and still saves the other fields', async () => {
    const dialog = await newSecret('Vault-signed SSH certificate', 'vault_cert');
    await dialog.getByText('Signing needs a Vault secret manager; add one under Managers.', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await fieldError(dialog, 'privateKey').getByText('A private key is required').waitFor();
    await fieldError(dialog, 'role').getByText('Role is required').waitFor();
    await fieldError(dialog, 'username').waitFor();

    await field(dialog, 'Private key').fill(keys.ed25519.text);
    expect(await field(dialog, 'Engine mount').inputValue()).toBe('ssh-client-signer');
    await field(dialog, 'Role').fill('deploy');
    await field(dialog, 'User name').fill('deploy');
    await create(dialog, 'vault_cert');
    expect(await detailValue('Vault manager').textContent()).toBe('None yet (signing needs one)');
    expect(await detailValue('Fingerprint').textContent()).toBe(keys.ed25519.fingerprint);
  });

  it('WinRM: "Use SSL" moves the port between 5985 and 5986 unless it was typed by hand', async () => {
    const dialog = await newSecret('WinRM', 'win_admin');
    const port = field(dialog, 'Port');
    const ssl = dialog.getByRole('checkbox', { name: 'Use SSL' });
    expect(await port.inputValue()).toBe('5985');
    await ssl.check();
    expect(await port.inputValue()).toBe('5986');
    await ssl.uncheck();
    expect(await port.inputValue()).toBe('5985');
    await port.fill('15985');
    await ssl.check();
    expect(await port.inputValue()).toBe('15985');
    await port.fill('5986');
    await ssl.uncheck();
    expect(await port.inputValue()).toBe('5985');
    await ssl.check();

    await dialog.getByLabel('Domain').fill('CORP');
    await field(dialog, 'User name').fill('administrator');
    await dialog.getByRole('radio', { name: 'Kerberos', exact: true }).check();
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await fieldError(dialog, 'realm').getByText('Realm is required').waitFor();
    await fieldError(dialog, 'password').getByText('A password is required').waitFor();

    await dialog.getByRole('radio', { name: 'NTLM', exact: true }).check();
    await dialog.locator('#secret-password').fill('winpw-1');
    await dialog.getByRole('checkbox', { name: 'Skip certificate check' }).check();
    await create(dialog, 'win_admin');
    expect(await detailValue('Port').textContent()).toBe('5986');
    expect(await detailValue('Use SSL').textContent()).toBe('Yes');
    expect(await detailValue('Skip certificate check').textContent()).toBe('Yes');
    expect(await option('win_admin').textContent()).toContain('CORP\\administrator · port 5986 · NTLM · SSL');
  });

  it('edits a structured secret: changing a field needs the secret fields again, and makes a new version', async () => {
    await option('win_admin').click();
    await page.getByRole('heading', { name: 'win_admin', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit win_admin' });
    expect(await field(dialog, 'Port').inputValue()).toBe('5986');
    expect(await dialog.getByRole('checkbox', { name: 'Use SSL' }).isChecked()).toBe(true);
    await field(dialog, 'User name').fill('svc_admin');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await fieldError(dialog, 'password').getByText('A password is required').waitFor();
    await dialog.locator('#secret-password').fill('winpw-2');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => detailValue('User name').textContent()).toBe('svc_admin');
    expect(await detailValue('Version').textContent()).toBe('2');
  });

  it('refuses a file over 10 MiB before reading it', async () => {
    const dialog = await newSecret('Encrypted file', 'big_file');
    expect(await dialog.locator('#secret-file-hint').textContent()).toContain('Up to 10 MiB');
    await field(dialog, 'File').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(10 * 1024 * 1024 + 1, 1) });
    await fieldError(dialog, 'file').getByText(/^This file is 10\.0 MiB \(10,485,761 bytes\); files are limited to 10 MiB$/).waitFor();
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    // The refused submit sends nothing and moves focus to the field that is wrong.
    await page.waitForFunction(() => document.activeElement?.id === 'secret-file');
    expect(await dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await option('big_file').waitFor({ state: 'detached' });
  });

  it('uploads a file, then downloads the same bytes through a download the user saves', async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31 + 7) % 256));
    const dialog = await newSecret('Encrypted file', 'keystore');
    await field(dialog, 'File').setInputFiles({ name: 'keystore.p12', mimeType: 'application/x-pkcs12', buffer: bytes });
    await dialog.locator('#secret-file-hint').getByText('Chosen: keystore.p12 (68 KiB)').waitFor();
    await create(dialog, 'keystore');
    expect(await detailValue('File name').textContent()).toBe('keystore.p12');
    expect(await detailValue('Size').textContent()).toBe('68 KiB');
    expect(await option('keystore').textContent()).toContain('keystore.p12 · 68 KiB');

    // Headless Chromium may or may not have the save picker; test the <a download> path.
    await page.evaluate(() => {
      delete (window as unknown as Record<string, unknown>).showSaveFilePicker;
      (window as unknown as Record<string, unknown>).showSaveFilePicker = undefined;
    });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download', exact: true }).click()]);
    expect(download.suggestedFilename()).toBe('keystore.p12');
    const saved = join(dir, 'downloaded.p12');
    await download.saveAs(saved);
    expect(readFileSync(saved).equals(bytes)).toBe(true);
    // The temporary link is gone again.
    expect(await page.evaluate(() => document.querySelectorAll('a[download]').length)).toBe(0);

    // The audit trail says Downloaded, not Revealed.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Audit' }).click();
    await page.getByRole('searchbox', { name: 'Secret filter' }).fill('keystore');
    const entries = page.getByRole('table', { name: 'Audit entries' });
    await entries.getByRole('cell', { name: 'Downloaded', exact: true }).waitFor();
    expect(await entries.getByRole('cell', { name: 'Revealed', exact: true }).count()).toBe(0);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Secrets' }).click();
  });

  it('shows each type with its own row look and filters by type', async () => {
    const list = page.getByRole('listbox', { name: 'Secrets' });
    expect(await list.getByRole('option').count()).toBe(7);
    expect(await option('keystore').locator('.type-badge').textContent()).toBe('FILE');
    expect(await option('krb_ssh').locator('.type-badge').textContent()).toBe('KRB');
    const typeFilter = page.getByRole('button', { name: /^Type filter/ });
    await typeFilter.click();
    expect(await typeFilter.getAttribute('aria-expanded')).toBe('true');
    await page.getByRole('group', { name: 'Show types' }).waitFor();
    await page.getByRole('checkbox', { name: 'SSH credential' }).check();
    await page.getByText('3 matches').waitFor();
    await page.getByRole('checkbox', { name: 'WinRM credential' }).check();
    await page.getByText('4 matches').waitFor();
    await page.getByRole('button', { name: 'Show all types' }).click();
    await page.getByText('7 secrets').waitFor();
    // Esc closes the group and gives focus back to its toggle.
    await page.keyboard.press('Escape');
    await page.getByRole('group', { name: 'Show types' }).waitFor({ state: 'detached' });
    expect(await typeFilter.evaluate((button) => button === document.activeElement)).toBe(true);
  });

  it('logged no errors in the page', () => {
    expect(ui?.app.consoleErrors ?? []).toEqual([]);
  });
});
