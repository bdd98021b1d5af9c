// The test-only manager kind "kv-lite" (test/kinds/kv-lite/) in the real UI, in
// Chromium through the loopback bridge: the recipe of docs/architecture.md
// ("Adding a manager kind") carried all the way from the description and the
// provider to a secret kept in the kind's emulator. The app is the product's
// code built with the kind registered (scripts/build-test-kinds.mjs, into
// dist-test/); nothing in src-* names the kind.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT, openUi, sectionButton, tearDown, type UiSession } from './bridge-harness.js';
import { violationsInBothThemes } from './axe.js';
import { startKvLiteEmulator, type KvLiteEmulator } from '../emulators/kv-lite-emulator.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'kv-lite kind e2e passphrase';
const MANAGER = 'team-kv';
const PREFIX = 'team-';
// The test build and a Chromium session on a machine shared by several suites.
const SETUP_TIMEOUT_MS = 300_000;

describeNeeding(['chromium'], 'a test-only manager kind in the real UI (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let emulator: KvLiteEmulator | undefined;
  let page: Page;
  const field = (scope: Locator, label: string) => scope.getByLabel(label, { exact: true });
  /** What the emulator holds under a name, read with its token the way an admin would. */
  const remoteValue = async (name: string): Promise<string | null> => {
    const response = await fetch(`${emulator!.url}/v1/secrets/${encodeURIComponent(name)}`, { headers: { authorization: `Bearer ${emulator!.token}` } });
    return response.ok ? ((await response.json()) as { value: string }).value : null;
  };

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'scripts', 'build-test-kinds.mjs')], { cwd: REPO_ROOT });
    dir = mkdtempSync(join(tmpdir(), 'strongroom-kv-lite-e2e-'));
    emulator = await startKvLiteEmulator();
    ui = await openUi(join(dir, 'store'), {
      passphrase: PASSPHRASE,
      timeoutMs: 20_000,
      bridge: { serveEntry: join(REPO_ROOT, 'dist-test', 'main', 'serve.js') },
    });
    page = ui.page;
  }, SETUP_TIMEOUT_MS);

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => emulator?.close(),
      () => dir && rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('is offered by the add-manager form with the fields its description lists, and the form passes axe', async () => {
    await sectionButton(page, 'Managers').click();
    await page.getByRole('button', { name: 'Add manager' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add manager' });
    await dialog.getByRole('radio', { name: /^KV Lite \(test kind\)/ }).check();
    const configuration = dialog.getByRole('group', { name: 'KV Lite (test kind) configuration' });
    for (const label of ['Server URL', 'Access token']) await expect.poll(() => field(configuration, label).count()).toBe(1);
    await expect.poll(() => configuration.getByLabel(/^Name prefix/).count()).toBe(1);
    expect(await violationsInBothThemes(page, 'dialog[open]')).toEqual({ light: [], dark: [] });

    // Sent empty, the form names the required fields its description marks, checked by the kind's own schema.
    await field(dialog, 'Name').fill(MANAGER);
    await dialog.getByRole('button', { name: 'Add manager' }).click();
    await dialog.getByText('Server URL is required').waitFor();
    await dialog.getByText('Access token is required').waitFor();
    expect(await violationsInBothThemes(page, 'dialog[open]')).toEqual({ light: [], dark: [] });
  });

  it('adds a kv-lite manager against its emulator, shows it with its health, and tests it', async () => {
    const dialog = page.getByRole('dialog', { name: 'Add manager' });
    await field(dialog, 'Server URL').fill(emulator!.url);
    await field(dialog, 'Access token').fill(emulator!.token);
    await dialog.getByLabel(/^Name prefix/).fill(PREFIX);
    await dialog.getByRole('button', { name: 'Add manager' }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = page.getByRole('table', { name: 'Secret managers' }).getByRole('row').filter({ has: page.getByRole('cell', { name: MANAGER, exact: true }) });
    await row.getByRole('cell', { name: 'KV Lite (test kind)', exact: true }).waitFor();
    await row.getByLabel(/^Health of team-kv: /).waitFor();

    await page.getByRole('button', { name: `Test connection of ${MANAGER}` }).click();
    const test = page.getByRole('dialog', { name: `Test connection: ${MANAGER}` });
    await test.getByRole('status').filter({ hasText: /works|passed|OK/i }).waitFor();
    await test.getByRole('button', { name: 'Close' }).click();
    await row.getByLabel(`Health of ${MANAGER}: Healthy`, { exact: true }).waitFor();
  });

  it('keeps a new secret in kv-lite, under its prefix, and reveals it from there', async () => {
    await sectionButton(page, 'Secrets').click();
    const writesBefore = emulator!.writeCalls();
    await page.getByRole('button', { name: 'New secret' }).click();
    const create = page.getByRole('dialog', { name: 'New secret' });
    await field(create, 'Name').fill('kv-kept');
    await create.getByLabel('Secret manager').selectOption({ label: MANAGER });
    await field(create, 'Value').fill('kept-in-kv-lite-value');
    await create.getByRole('button', { name: 'Create secret' }).click();
    await create.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'kv-kept', exact: true }).waitFor();
    expect(emulator!.writeCalls()).toBeGreaterThan(writesBefore);
    expect(await remoteValue(`${PREFIX}kv-kept`)).toBe('kept-in-kv-lite-value');

    const requestsBefore = emulator!.calls();
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe('kept-in-kv-lite-value');
    // Read from kv-lite, not from a local copy.
    expect(emulator!.calls()).toBeGreaterThan(requestsBefore);
  });
});
