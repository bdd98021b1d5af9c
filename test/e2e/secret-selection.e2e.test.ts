// Ticking secrets in the list for a bulk scope edit, in Chromium against the
// real core over the loopback bridge: selection mode, a click and Space tick
// one, Shift ticks a range, "Select all listed", the "N selected" count, and
// the edit applying to the ticked secrets only, or to every secret listed
// when none is ticked (the dialog says which). axe in both themes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { violationsInBothThemes } from './axe';
import { openUi, sectionButton, tearDown, type UiSession } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
/** In the list's order (by name). */
const NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
const noViolations = { light: [], dark: [] };

describeNeeding(['chromium'], 'secrets list selection for the bulk scope edit (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let page: Page;

  const list = () => page.getByRole('listbox', { name: 'Secrets' });
  const row = (name: string) => list().getByRole('option', { name, exact: true });
  const ticked = async () => (await list().getByRole('option', { selected: true }).allTextContents()).map((text) => NAMES.find((name) => text.includes(name)));
  const count = () => page.getByRole('group', { name: 'Selection' }).getByRole('status');
  /** The names the application filter lists, i.e. the secrets whose scope takes billing. */
  async function scopedToBilling(): Promise<string[]> {
    await page.getByLabel('Application filter').selectOption({ label: 'billing' });
    await page.getByText(/\d+ match(es)?|No secrets match these filters/).first().waitFor();
    const names = (await list().count()) > 0 ? await list().getByRole('option').evaluateAll((options) => options.map((option) => option.getAttribute('aria-label'))) : [];
    await page.getByLabel('Application filter').selectOption({ label: 'All applications' });
    return names as string[];
  }
  async function addBillingScope(expectedText: RegExp): Promise<void> {
    await page.getByRole('button', { name: 'Edit scopes…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit scope of several secrets' });
    await dialog.getByText(expectedText).waitFor();
    expect(await violationsInBothThemes(page, 'dialog[open]')).toEqual(noViolations);
    await dialog.getByLabel('Application', { exact: true }).selectOption({ label: 'billing' });
    await dialog.getByRole('button', { name: /^Add billing / }).click();
    const report = page.getByRole('dialog', { name: 'Scope edit finished' });
    await report.getByRole('button', { name: 'Close' }).click();
    await report.waitFor({ state: 'detached' });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-selection-e2e-'));
    ui = await openUi(join(dir, 'store'), { passphrase: PASSPHRASE, timeoutMs: 20_000 });
    page = ui.page;
    const envFile = join(dir, 'six.env');
    writeFileSync(envFile, NAMES.map((name) => `${name}=value of ${name}`).join('\n'));
    await page.keyboard.press('Control+k');
    await page.getByRole('combobox', { name: 'Search commands' }).fill('Import .env/CSV…');
    await page.getByRole('option', { name: 'Import .env/CSV…', exact: true }).click();
    const importing = page.getByRole('dialog', { name: 'Import .env or CSV' });
    await importing.getByLabel('File to import').setInputFiles(envFile);
    await importing.getByRole('button', { name: 'Import 6 secrets' }).click();
    await importing.waitFor({ state: 'detached' });
    await sectionButton(page, 'Applications').click();
    await page.getByLabel('Application name', { exact: true }).fill('billing');
    await page.getByRole('button', { name: 'Add application' }).click();
    await page.getByRole('region', { name: 'Application billing' }).waitFor();
    await sectionButton(page, 'Secrets').click();
    await page.getByText('6 secrets', { exact: true }).waitFor();
  }, 120_000);

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('ticks by click, Shift+click and Space, counts them, and has no axe violations', async () => {
    const select = page.getByRole('button', { name: 'Select', exact: true });
    expect(await select.getAttribute('aria-pressed')).toBe('false');
    await select.click();
    expect(await select.getAttribute('aria-pressed')).toBe('true');
    expect(await list().getAttribute('aria-multiselectable')).toBe('true');
    await count().getByText('None selected: a bulk edit applies to every secret listed').waitFor();

    await row('bravo').click();
    await count().getByText('1 selected').waitFor();
    // Shift+click ticks from the last one ticked to this one.
    await row('delta').click({ modifiers: ['Shift'] });
    await count().getByText('3 selected').waitFor();
    expect(await ticked()).toEqual(['bravo', 'charlie', 'delta']);
    // A click on a ticked one unticks it.
    await row('charlie').click();
    expect(await ticked()).toEqual(['bravo', 'delta']);

    // The keyboard: arrows move, Space ticks the row they are on.
    await list().focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Space');
    await count().getByText('3 selected').waitFor();
    expect(await ticked()).toEqual(['bravo', 'delta', 'foxtrot']);
    expect(await violationsInBothThemes(page)).toEqual(noViolations);
  }, 120_000);

  it('edits the scope of the ticked secrets only, and the dialog says so', async () => {
    await addBillingScope(/^Changes the usage scope of the 3 selected secrets\./);
    expect((await scopedToBilling()).sort()).toEqual(['bravo', 'delta', 'foxtrot']);
  }, 120_000);

  it('selects all listed, clears, and with nothing ticked edits every secret listed, saying so', async () => {
    await page.getByRole('button', { name: 'Select all listed' }).click();
    await count().getByText('6 selected').waitFor();
    expect(await ticked()).toEqual(NAMES);
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await count().getByText('None selected: a bulk edit applies to every secret listed').waitFor();
    expect(await ticked()).toEqual([]);

    await addBillingScope(/^No secret is selected, so this changes the usage scope of all 6 secrets the list shows\./);
    expect((await scopedToBilling()).sort()).toEqual(NAMES);

    // Leaving selection mode drops the ticks; the list opens secrets again.
    await page.getByRole('button', { name: 'Select', exact: true }).click();
    expect(await list().getAttribute('aria-multiselectable')).toBeNull();
    await row('echo').click();
    await page.getByRole('heading', { name: 'echo', exact: true }).waitFor();
  }, 120_000);
});
