// Progress on a long import, in Chromium against the real core over the
// loopback bridge: the bar (by its accessible name) shows counts as batches
// land and the import completes; a stop takes effect between batches, and
// what was imported before it stays.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openUi, sectionButton, tearDown, type UiSession } from './bridge-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const PASSPHRASE = 'plaid giraffe orbits quietly 42';
/** Three batches of 1,000 (IMPORT_BATCH): enough steps to watch. */
const SECRETS = 3000;

const envFile = (prefix: string) => `${Array.from({ length: SECRETS }, (_, i) => `${prefix}_${i}=value-${i}`).join('\n')}\n`;

describeNeeding(['chromium'], 'progress of a large import (e2e)', () => {
  let dir: string;
  let ui: UiSession | undefined;
  let page: Page;

  const section = (name: string) => sectionButton(page, name);

  async function openImport(file: string) {
    await section('Settings').click();
    await page.getByRole('button', { name: 'Import .env/CSV…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import .env or CSV' });
    await dialog.getByLabel('File to import').setInputFiles(file);
    await dialog.getByRole('button', { name: `Import ${SECRETS} secrets` }).waitFor();
    return dialog;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-progress-e2e-'));
    writeFileSync(join(dir, 'first.env'), envFile('FIRST'));
    writeFileSync(join(dir, 'second.env'), envFile('SECOND'));
    ui = await openUi(join(dir, 'store'), { passphrase: PASSPHRASE, timeoutMs: 120_000 });
    page = ui.page;
  }, 180_000);

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('shows the import progress bar with counts, and completes', async () => {
    const dialog = await openImport(join(dir, 'first.env'));
    await dialog.getByRole('button', { name: `Import ${SECRETS} secrets` }).click();
    const bar = dialog.getByRole('progressbar', { name: 'Import progress' });
    expect(await bar.getAttribute('max')).toBe(String(SECRETS));
    await expect.poll(() => bar.getAttribute('aria-valuetext'), { timeout: 120_000 }).toMatch(/^Imported (1,000|2,000) of 3,000 · [\d,]+ a second · about \d+ (s|min) left$/);
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(`Imported ${SECRETS} secrets from first.env`).waitFor();
    await section('Secrets').click();
    await page.getByText('3,000 secrets', { exact: false }).waitFor();
  }, 300_000);

  it('stops between batches when asked, keeping what was imported', async () => {
    const dialog = await openImport(join(dir, 'second.env'));
    await dialog.getByRole('button', { name: `Import ${SECRETS} secrets` }).click();
    await dialog.getByRole('button', { name: 'Stop import' }).click();
    const stopped = dialog.getByRole('status').filter({ hasText: 'Stopped after' });
    await stopped.waitFor();
    const kept = Number(/Stopped after ([\d,]+) of 3,000/.exec((await stopped.textContent()) ?? '')?.[1]?.replace(/,/g, ''));
    // Whole batches only: a stop never leaves one half written.
    expect(kept % 1000).toBe(0);
    expect(kept).toBeLessThan(SECRETS);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await section('Secrets').click();
    await page.getByText(`${(SECRETS + kept).toLocaleString('en')} secrets`, { exact: false }).waitFor();
  }, 300_000);
});
