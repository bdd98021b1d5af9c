// Key rotation in the real UI, in Chromium over the loopback bridge, on a store
// the CLI filled: after the AWS KMS key rotates (through the emulator's own
// API), the test dialog lists the key material still in use; the managers
// table's "Re-wrap keys…" action explains, runs with a progress bar and
// reports, and the table of key versions then shows only the new one. In
// Settings, the master key rotation shows its progress with counts. The
// outcome of each stays after its dialog closes: on the manager's row, and
// in Settings' key rotation status, which also says that a rotation a killed
// command left interrupted finished when the UI unlocked. A re-wrap made slow
// by the emulator's injected latency shows as running, with its figures, on
// the row and in Settings, then as finished. Both dialogs and both statuses
// pass axe in both themes, running and finished.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { violationsInBothThemes } from './axe.js';
import { openUi, sectionButton, tearDown, unlockInUi, type UiSession } from './bridge-harness.js';
import { startAwsEmulator, type AwsEmulator } from '../emulators/aws-emulator.js';
import { rotateAwsKey } from '../fixtures/kms-rotation.js';
import { runNodeScript } from '../fixtures/process-tools.js';
import { describeNeeding } from '../fixtures/system-tools.js';
import { CLI_ENTRY, PASSPHRASE } from '../support/core-harness.js';

/** Two intermediate keys (each seals at most 1,000 data keys), so the re-wrap has two steps. */
const KMS_SECRETS = 1010;
/** Three batches of 1,000 keyring-wrapped data keys for the master key rotation. */
const LOCAL_SECRETS = 3000;

describeNeeding(['chromium'], 'key rotation in the UI (e2e)', () => {
  let dir: string;
  let aws: AwsEmulator | undefined;
  let ui: UiSession | undefined;
  let page: Page;

  const cliArgs = (args: string[]) => ['--data-dir', join(dir, 'store'), '--passphrase-file', join(dir, 'passphrase'), ...args];

  async function cli(...args: string[]): Promise<void> {
    const outcome = await runNodeScript(CLI_ENTRY, cliArgs(args));
    if (outcome.code !== 0) throw new Error(`${args.join(' ')} exited with ${outcome.code}: ${outcome.stderr}`);
  }

  function query<T>(sql: string): T[] {
    const db = new BetterSqlite3(join(dir, 'store', 'strongroom.db'), { readonly: true, timeout: 5000 });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  }

  const envFile = (prefix: string, count: number) => `${Array.from({ length: count }, (_, i) => `${prefix}_${i}=${prefix.toLowerCase()}-value-${i}`).join('\n')}\n`;

  /** Records every value text a progress bar named `label` shows from now on: a batch can pass between two polls. */
  async function recordProgress(label: string): Promise<() => Promise<string[]>> {
    await page.evaluate((name) => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => {
        for (const bar of Array.from(document.querySelectorAll(`progress[aria-label="${name}"]`))) {
          const text = bar.getAttribute('aria-valuetext');
          if (text && seen.at(-1) !== text) seen.push(text);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuetext'] });
    }, label);
    return () => page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-key-rotation-e2e-'));
    aws = await startAwsEmulator();
    writeFileSync(join(dir, 'passphrase'), `${PASSPHRASE}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'aws.json'), JSON.stringify({ region: aws.region, endpoint: aws.endpoint, credentials: { ...aws.credentials }, keyArn: aws.keyArn }));
    writeFileSync(join(dir, 'kms.env'), envFile('KMS', KMS_SECRETS));
    writeFileSync(join(dir, 'local.env'), envFile('LOCAL', LOCAL_SECRETS));
    await cli('init');
    await cli('manager', 'add', '--name', 'aws', '--kind', 'aws-kms', '--config', join(dir, 'aws.json'));
    await cli('import', '--from', join(dir, 'kms.env'), '--manager', 'aws');
    await cli('import', '--from', join(dir, 'local.env'));
    ui = await openUi(join(dir, 'store'), { timeoutMs: 60_000, unlockWith: PASSPHRASE });
    page = ui.page;
  }, 300_000);

  afterAll(() =>
    tearDown(
      () => ui?.close(),
      () => aws?.close(),
      () => dir && rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('after the KMS key rotated, the test dialog names the old key material as still needed', async () => {
    await rotateAwsKey(aws!);
    await sectionButton(page, 'Managers').click();
    await page.getByRole('button', { name: 'Test connection of aws' }).click();
    const test = page.getByRole('dialog', { name: 'Test connection: aws' });
    const versions = test.getByRole('region', { name: 'Key materials in use', exact: true });
    await versions.getByRole('cell', { name: 'Old: re-wrapping moves its keys to the current one' }).waitFor();
    await expect.poll(() => versions.getByRole('row').count()).toBe(2);
    expect(await versions.getByRole('row').nth(1).getByRole('cell').nth(1).textContent()).toBe('1,010');
    await expect.poll(async () => versions.textContent()).toContain('must not be destroyed');
    await test.getByRole('button', { name: 'Close' }).click();
  }, 120_000);

  it('re-wraps from the row menu with a progress bar, reports it, and lists only the new key material', async () => {
    await page.getByRole('button', { name: 'More actions for aws' }).click();
    await page.getByRole('menuitem', { name: 'Re-wrap keys…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-wrap keys: aws' });
    await dialog.getByText('Re-wrapping asks KMS to wrap every intermediate key again').waitFor();
    expect(await violationsInBothThemes(page, 'dialog[open]')).toEqual({ light: [], dark: [] });

    const seen = await recordProgress('Re-wrap progress of aws');
    await dialog.getByRole('button', { name: 'Re-wrap keys' }).click();
    const report = dialog.getByRole('status').filter({ hasText: 'now under' });
    await report.waitFor();
    expect(await report.textContent()).toMatch(/^2 wrapped keys of aws are now under arn:aws:kms:.+#.+\.$/);
    // The bar counted from none, through one of the two keys, until the report replaced it.
    const texts = await seen();
    expect(texts[0]).toBe('Re-wrapped 0 of 2 wrapped keys');
    expect(texts).toContainEqual(expect.stringMatching(/^Re-wrapped 1 of 2 wrapped keys/));
    const versions = dialog.getByRole('region', { name: 'Key materials in use', exact: true });
    await expect.poll(() => versions.getByRole('row').count()).toBe(2);
    expect(await versions.getByRole('cell', { name: 'Current' }).count()).toBe(1);
    expect(await violationsInBothThemes(page, 'dialog[open]')).toEqual({ light: [], dark: [] });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The outcome stays on the manager's row once the dialog is gone.
    await page.getByRole('status', { name: /^Re-wrap of aws: Finished\. Re-wrapped the keys of "aws": 2 wrapped key\(s\) now under arn:aws:kms:/ }).waitFor();
    expect(await violationsInBothThemes(page, '.key-work__pill')).toEqual({ light: [], dark: [] });
  }, 120_000);

  it('while a re-wrap runs (KMS answering slowly), the row and Settings say it runs with its figures, then that it finished', async () => {
    const current = await rotateAwsKey(aws!);
    // Every KMS call waits, so the run lasts long enough to watch; each check waits for what it looks for, never for time.
    aws!.setFaults({ latencyMs: 4000 });
    try {
      await sectionButton(page, 'Managers').click();
      await page.getByRole('button', { name: 'More actions for aws' }).click();
      await page.getByRole('menuitem', { name: 'Re-wrap keys…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Re-wrap keys: aws' });
      await dialog.getByRole('button', { name: 'Re-wrap keys' }).click();
      await dialog.getByRole('button', { name: 'Re-wrapping…' }).waitFor();
      // Closing the dialog does not stop the run: the row says it runs, then counts the keys.
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      const running = page.getByRole('status', { name: /^Re-wrap of aws: Running, [01] of 2 keys re-wrapped\. Re-wrapping the keys of "aws"…$/ });
      await running.waitFor();
      expect(await running.textContent()).toMatch(/^Re-wrap: Running [01]\/2$/);
      expect(await violationsInBothThemes(page, '.key-work__pill')).toEqual({ light: [], dark: [] });

      await sectionButton(page, 'Settings').click();
      const status = page.getByRole('region', { name: 'Key rotation status' });
      const entry = status.getByRole('listitem').filter({ hasText: 'Re-wrap of aws' });
      await entry.getByText('Re-wrapping the keys of "aws"…', { exact: true }).waitFor();
      await entry.getByText('Running', { exact: true }).waitFor();
      await entry.getByRole('progressbar', { name: 'Re-wrap of aws progress' }).waitFor();
      expect(await violationsInBothThemes(page, 'section[aria-labelledby="key-work-title"]')).toEqual({ light: [], dark: [] });

      // Then it finishes, in Settings and on the row.
      await entry.getByText(`Re-wrapped the keys of "aws": 2 wrapped key(s) now under ${current}.`, { exact: true }).waitFor({ timeout: 120_000 });
      await entry.getByText('Finished', { exact: true }).waitFor();
      expect(await entry.getByRole('progressbar').count()).toBe(0);
      await sectionButton(page, 'Managers').click();
      await page.getByRole('status', { name: `Re-wrap of aws: Finished. Re-wrapped the keys of "aws": 2 wrapped key(s) now under ${current}.` }).waitFor();
    } finally {
      aws!.setFaults({});
    }
    expect(query<{ v: string }>('SELECT DISTINCT kms_key_version AS v FROM intermediate_keys')).toEqual([{ v: current }]);
  }, 180_000);

  it('rotates the master key from Settings with a progress bar counting the re-wrapped keys', async () => {
    await sectionButton(page, 'Settings').click();
    await page.getByRole('button', { name: 'Rotate master key…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate master key' });
    expect(await violationsInBothThemes(page, 'dialog[open]')).toEqual({ light: [], dark: [] });
    await dialog.getByLabel('Master passphrase', { exact: true }).fill(PASSPHRASE);
    const seen = await recordProgress('Master key rotation progress');
    await dialog.getByRole('button', { name: 'Rotate master key' }).click();
    const done = dialog.getByRole('status').filter({ hasText: 'Rotated to master key version 2' });
    await done.waitFor();
    // 3,000 data keys and the AWS manager's configuration.
    expect(await done.textContent()).toContain('3,000 data keys and 1 manager configuration re-wrapped');
    // Before the first count, the bar says the passphrase is being checked.
    const texts = (await seen()).filter((text) => text.startsWith('Re-wrapped'));
    expect(texts[0]).toBe('Re-wrapped 0 of 3,001 keys');
    expect(texts).toContainEqual(expect.stringMatching(/^Re-wrapped 1,000 of 3,001 keys/));
    expect(texts).toContainEqual(expect.stringMatching(/^Re-wrapped 2,000 of 3,001 keys/));
    expect(await violationsInBothThemes(page, 'dialog[open]')).toEqual({ light: [], dark: [] });
    await dialog.getByRole('button', { name: 'Done' }).click();
    // Settings keeps saying how it ended, and how the re-wrap did.
    const status = page.getByRole('region', { name: 'Key rotation status' });
    await status.getByText('Rotated the master key to version 2: 3000 data key(s) and 1 manager configuration(s) re-wrapped.').waitFor();
    await status.getByText(/^Re-wrapped the keys of "aws": 2 wrapped key\(s\) now under/).waitFor();
    expect(await violationsInBothThemes(page, 'section[aria-labelledby="key-work-title"]')).toEqual({ light: [], dark: [] });
  }, 180_000);

  it('a rotation a killed command left interrupted is reported while locked, and Settings says it finished at the unlock', async () => {
    await page.getByRole('button', { name: 'Lock now' }).click();
    await page.getByRole('heading', { name: 'Unlock Strongroom' }).waitFor();
    // Locked, so the command runs its own core; it is killed once its new version is stored.
    const child = spawn(process.execPath, [CLI_ENTRY, ...cliArgs(['keyring', 'rotate'])], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let done = false;
    void exited.then(() => (done = true));
    while (!done && query('SELECT version FROM keyring WHERE version = 3').length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    if (!done) process.kill(child.pid!, 'SIGKILL');
    await exited;
    expect(query("SELECT key FROM meta WHERE key = 'keyring.rotation'"), 'the kill landed before the rotation finished').toHaveLength(1);
    expect((await runNodeScript(CLI_ENTRY, cliArgs(['status']))).stderr).toContain(
      'Key work (waiting for an unlock): A master key rotation to version 3 was interrupted and will finish at the next unlock',
    );

    await unlockInUi(page, PASSPHRASE);
    await sectionButton(page, 'Settings').click();
    const status = page.getByRole('region', { name: 'Key rotation status' });
    await status.getByText(/^Finished the interrupted master key rotation to version 3: \d+ data key\(s\)/).waitFor({ timeout: 120_000 });
    await status.getByText('resumed after an unlock').waitFor();
    expect(query("SELECT key FROM meta WHERE key = 'keyring.rotation'")).toEqual([]);
    expect(await violationsInBothThemes(page, 'section[aria-labelledby="key-work-title"]')).toEqual({ light: [], dark: [] });
  }, 240_000);
});
