// The fingerprint of an SSH key as soon as it is pasted, before saving, in
// Chromium over the loopback bridge: the key is sealed to the delegate, which
// answers with the type and SHA256 fingerprint that `ssh-keygen -lf` prints,
// shown in a monospace face that never wraps; an encrypted key asks for its
// passphrase first. axe-clean in both themes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { violationsInBothThemes } from './axe.js';
import { openUi, tearDown, type UiSession } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
const KEY_PASSPHRASE = 'key passphrase';

describeNeeding(['chromium', 'ssh-keygen'], 'SSH key fingerprint on paste (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let page: Page;
  const keys = {} as Record<'ed25519' | 'rsaPkcs8', { text: string; fingerprint: string }>;

  const fingerprint = (dialog: Locator) => dialog.getByRole('status', { name: 'Key fingerprint' });

  async function newSshSecret(): Promise<Locator> {
    await page.getByRole('button', { name: 'New secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'New secret' });
    await dialog.getByRole('radio', { name: 'SSH credential' }).check();
    await dialog.getByLabel('Name', { exact: true }).fill('web_ssh');
    return dialog;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-fingerprint-e2e-'));
    for (const [name, args] of [
      ['ed25519', ['-t', 'ed25519', '-N', '']],
      ['rsaPkcs8', ['-t', 'rsa', '-b', '2048', '-m', 'PKCS8', '-N', KEY_PASSPHRASE]],
    ] as const) {
      const path = join(dir, name);
      execFileSync('ssh-keygen', ['-q', ...args, '-f', path, '-C', name]);
      const printed = execFileSync('ssh-keygen', ['-lf', path], { encoding: 'utf8', input: '' }).split(' ')[1]!;
      keys[name] = { text: readFileSync(path, 'utf8'), fingerprint: printed };
    }
    ui = await openUi(join(dir, 'store'), { passphrase: PASSPHRASE, timeoutMs: 30_000 });
    page = ui.page;
  }, 180_000);

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('shows the type and the fingerprint ssh-keygen -lf prints as soon as a key is pasted', async () => {
    const dialog = await newSshSecret();
    expect(await fingerprint(dialog).textContent()).toBe('');
    await page.evaluate((text) => navigator.clipboard.writeText(text), keys.ed25519.text);
    await dialog.getByLabel('Private key', { exact: true }).focus();
    await page.keyboard.press('Control+V');
    await expect.poll(() => fingerprint(dialog).textContent()).toBe(`ED25519 ${keys.ed25519.fingerprint}`);

    // Monospace, and the fingerprint is never broken across lines.
    const code = fingerprint(dialog).locator('code');
    expect(await code.evaluate((element) => getComputedStyle(element).whiteSpace)).toBe('nowrap');
    expect(await code.evaluate((element) => getComputedStyle(element).fontFamily)).toMatch(/mono/i);
    const lines = await code.evaluate((element) => element.getClientRects().length);
    expect(lines).toBe(1);
    expect(await violationsInBothThemes(page, 'dialog')).toEqual({ light: [], dark: [] });

    // Nothing was saved: the fingerprint came before the Create button.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByRole('listbox', { name: 'Secrets' }).getByRole('option').count()).toBe(0);
  });

  it('asks for the passphrase of an encrypted key, then shows its fingerprint', async () => {
    const dialog = await newSshSecret();
    await dialog.getByLabel('Private key', { exact: true }).fill(keys.rsaPkcs8.text);
    await expect.poll(() => fingerprint(dialog).textContent()).toBe('Encrypted: the fingerprint shows once its passphrase is entered.');
    await dialog.getByLabel('Key passphrase', { exact: true }).fill('not the passphrase');
    await expect.poll(() => fingerprint(dialog).textContent()).toMatch(/Wrong passphrase/);
    await dialog.getByLabel('Key passphrase', { exact: true }).fill(KEY_PASSPHRASE);
    await expect.poll(() => fingerprint(dialog).textContent()).toBe(`RSA ${keys.rsaPkcs8.fingerprint}`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});
