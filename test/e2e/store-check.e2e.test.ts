// The store file check in the app, in Chromium over the loopback bridge: Settings
// says when SQLite last checked the file, "Check now" checks it again, and a
// damaged file (an index page overwritten while nothing had it open) shows the
// problem in Settings and a banner above every view, axe-clean in both themes.
import { violationsInBothThemes } from './axe';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openUi, tearDown, type UiSession } from './bridge-harness.js';
import { CLI_ENTRY, PASSPHRASE, requireBuild } from '../support/core-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';

describeNeeding(['chromium'], 'the store file check in the app (e2e)', () => {
  let dir: string;
  let store: string;
  let ui: UiSession | undefined;
  let page: Page;

  /** Overwrites the first page of one of the secrets table's indexes with 0xFF, which no b-tree page starts with. */
  function damageAnIndex(): void {
    const file = join(store, 'strongroom.db');
    const db = new Database(file);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const index = db.prepare("SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'secrets' AND rootpage > 0 LIMIT 1").get() as { rootpage: number };
    db.close();
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (index.rootpage - 1) * pageSize);
    closeSync(fd);
  }

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'strongroom-store-check-e2e-'));
    store = join(dir, 'store');
    const passphraseFile = join(dir, 'passphrase');
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    const cli = (args: string[], input = '') => spawnSync(process.execPath, [CLI_ENTRY, '--data-dir', store, '--passphrase-file', passphraseFile, ...args], { input, encoding: 'utf8' });
    expect(cli(['init']).status).toBe(0);
    for (const name of ['alpha', 'bravo', 'charlie']) expect(cli(['secret', 'create', '--name', name], `${name} value`).status).toBe(0);
    // The CLI's first unlock ran the weekly check on the sound file; the damage comes after it, with nothing holding the file open.
    damageAnIndex();
    ui = await openUi(store, { timeoutMs: 20_000, unlockWith: PASSPHRASE });
    page = ui.page;
  }, 300_000);

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('shows the last check, finds the damage with Check now, and warns above every view', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Settings' }).click();
    const section = page.getByRole('region', { name: 'Store file' });
    // The check at the CLI's unlock saw a sound file, and the week has not passed, so unlocking did not check again.
    await section.getByText(/^Checked .+: no problems found\.$/).waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'The store file is damaged' }).count()).toBe(0);

    await section.getByRole('button', { name: 'Check now' }).click();
    await section.getByText(/^Checked .+: SQLite found \d+ problems?\.$/).waitFor();
    const problems = section.getByRole('list', { name: 'Problems SQLite found' }).getByRole('listitem');
    expect(await problems.count()).toBeGreaterThan(0);
    await section.getByText(/strongroom import --from BACKUP/).waitFor();

    const banner = page.getByRole('alert').filter({ hasText: 'The store file is damaged' });
    await banner.waitFor();
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Secrets' }).click();
    await banner.waitFor();
    await banner.getByRole('button', { name: 'Show details' }).click();
    await section.waitFor();

    expect(await violationsInBothThemes(page)).toEqual({ light: [], dark: [] });
    expect(ui!.app.consoleErrors).toEqual([]);
  });
});
