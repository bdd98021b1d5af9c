// What a new administrator's first session stumbled on (issue 14), driven
// through accessible names in Chromium against the real core over the
// loopback bridge: a weak master passphrase, the sidebar search, creating a
// secret while a search is active, the audit trail's actors, labels and
// filters, the managers table, Settings, and returning to the same view
// after locking. The steps share one store and run in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newTextSecretInUi, openUi, sectionButton, tearDown, type UiSession } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

/** Long enough for the length rule, and rated Weak by zxcvbn. */
const WEAK_PASSPHRASE = 'password1234';

describeNeeding(['chromium'], 'a first session (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let page: Page;

  const section = (name: string) => sectionButton(page, name);
  const option = (name: string) => page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name, exact: true });
  const search = () => page.getByRole('searchbox', { name: 'Search secrets' });

  async function createText(name: string, value: string): Promise<void> {
    await newTextSecretInUi(page, name, value);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-first-session-e2e-'));
    ui = await openUi(join(dir, 'store'), { timeoutMs: 15_000 });
    page = ui.page;
  });

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('refuses a weak master passphrase until the user explicitly accepts it', async () => {
    await page.getByRole('heading', { name: 'Create your store' }).waitFor();
    // Each field's show/hide button has its own name.
    await page.getByRole('button', { name: 'Show passphrase', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Show confirmation', exact: true }).waitFor();

    await page.getByLabel('Master passphrase', { exact: true }).fill(WEAK_PASSPHRASE);
    await page.getByLabel('Repeat passphrase', { exact: true }).fill(WEAK_PASSPHRASE);
    await page.getByText('Strength: Weak').or(page.getByText('Strength: Very weak')).first().waitFor();
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.getByText(/choose a stronger one, or tick “Use this weak passphrase anyway”/).waitFor();
    expect(await page.getByRole('heading', { name: 'Create your store' }).isVisible()).toBe(true);

    await page.getByRole('checkbox', { name: 'Use this weak passphrase anyway' }).check();
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.getByRole('button', { name: 'Lock now' }).waitFor();
  });

  it('gives search the full width of the sidebar, with the buttons on their own row', async () => {
    const box = (await search().boundingBox())!;
    const pane = (await page.locator('.secrets__list-pane').boundingBox())!;
    // The pane's padding on both sides is all that is left over.
    expect(box.width).toBeGreaterThan(pane.width - 40);
    const newSecret = (await page.getByRole('button', { name: 'New secret' }).boundingBox())!;
    expect(newSecret.y).toBeGreaterThanOrEqual(box.y + box.height);
    // The placeholder is not clipped.
    expect(await search().evaluate((input: HTMLInputElement) => input.scrollWidth <= input.clientWidth)).toBe(true);
  });

  it('clears an active search when a new secret would be hidden by it, and says so', async () => {
    await createText('billing_db', 'value-1');
    await option('billing_db').waitFor();
    await search().fill('billing');
    await page.getByText('1 match', { exact: true }).waitFor();

    await createText('web_token', 'value-2');
    await page.getByText('Created web_token. Search and filters cleared so it shows in the list').waitFor();
    await option('web_token').waitFor();
    expect(await search().inputValue()).toBe('');
    await page.getByText('2 secrets', { exact: true }).waitFor();
    await page.getByRole('heading', { name: 'web_token', exact: true }).waitFor();
  });

  it('names the actor, labels the actions and filters the audit trail by secret, actor, action and time', async () => {
    await option('billing_db').click();
    await page.getByRole('button', { name: 'Reveal', exact: true }).click();
    await page.getByRole('button', { name: 'Hide', exact: true }).waitFor();

    await section('Audit').click();
    const table = page.getByRole('table', { name: 'Audit entries' });
    await table.getByRole('cell', { name: 'Revealed', exact: true }).waitFor();
    expect(await table.getByRole('cell', { name: 'bridge', exact: true }).count()).toBe(0);
    expect(await table.getByRole('cell', { name: 'UI (browser)', exact: true }).count()).toBeGreaterThan(3);
    expect(await table.getByRole('cell', { name: 'secret.reveal' }).count()).toBe(0);

    await page.getByRole('searchbox', { name: 'Secret filter' }).fill('billing');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    await page.getByRole('combobox', { name: 'Action filter' }).selectOption({ label: 'Revealed' });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await page.getByRole('combobox', { name: 'Actor filter' }).selectOption({ label: 'CLI' });
    await page.getByText('No audit entries match these filters.').waitFor();
    await page.getByRole('combobox', { name: 'Actor filter' }).selectOption({ label: 'UI' });
    await page.getByRole('combobox', { name: 'Time filter' }).selectOption({ label: 'Last hour' });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThan(3);
  });

  it('keeps a managers row on one line: Test and Edit as buttons, the rest in a row menu', async () => {
    await section('Managers').click();
    const table = page.getByRole('table', { name: 'Secret managers' });
    await table.getByRole('cell', { name: 'Built-in store (offline)', exact: true }).waitFor();
    const more = page.getByRole('button', { name: 'More actions for Built-in store' });
    await more.click();
    const menu = page.getByRole('menu', { name: 'More actions for Built-in store' });
    await menu.getByRole('menuitem', { name: 'Edit usage scope…' }).waitFor();
    expect(await menu.getByRole('menuitem', { name: 'Set as default' }).isDisabled()).toBe(true);
    // Esc closes the menu and gives focus back to its button.
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    expect(await more.evaluate((button) => button === document.activeElement)).toBe(true);

    // A dialog opened from the menu returns focus to the menu button when it closes.
    await more.press('Enter');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Usage scope of Built-in store' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await more.evaluate((button) => button === document.activeElement)).toBe(true);
  });

  it('Settings: one heading hierarchy, "store" for our store, and locking returns to Settings after unlock', async () => {
    await section('Settings').click();
    await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
    await page.getByRole('heading', { name: 'Known hosts', level: 3 }).waitFor();
    await page.getByRole('heading', { name: 'Backup and import', level: 3 }).waitFor();
    await page.getByText('The store locks itself after this long', { exact: false }).waitFor();
    expect(await page.getByText(/\bthe vault\b/i).count()).toBe(0);
    // Known hosts lines up with the other sections of the column.
    const knownHosts = (await page.getByRole('heading', { name: 'Known hosts' }).boundingBox())!;
    const backup = (await page.getByRole('heading', { name: 'Backup and import' }).boundingBox())!;
    expect(knownHosts.x).toBe(backup.x);

    await page.getByRole('button', { name: 'Lock now' }).click();
    await page.getByRole('heading', { name: 'Unlock Strongroom' }).waitFor();
    await page.getByLabel('Master passphrase', { exact: true }).fill(WEAK_PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
    expect(await section('Settings').getAttribute('aria-current')).toBe('page');
  });
});
