/**
 * The canary: values created through the real UI (Chromium over the loopback
 * bridge) and through the CLI must never appear in main. Not in the SQLite
 * files (db, -wal, -shm), not in any log, not in any message main receives or
 * sends, to the renderer or to the delegate. Main runs in this process so every
 * one of its messages can be captured; the delegate is the real child process.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { startBridge, type Bridge } from '../../src-main/core/bridge/bridge-server.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { DELEGATE_ENTRY, REPO_ROOT, startCore, tempDir } from '../support/core-harness.js';
import { chromiumAvailable, launchBrowser, unlockInUi } from './bridge-harness.js';

const UI_PASSPHRASE = 'canary-passphrase-UI-7f3a9c';
const UI_VALUE = 'canary-value-UI-b81d0e\nsecond-line-canary-UI-55aa';
const UI_EDITED = 'canary-edited-UI-c0ffee';
const CLI_PASSPHRASE = 'canary-passphrase-CLI-1e2d3c';
const CLI_VALUE = 'canary-value-CLI-9a8b7c';
const CLI_FILE_LINE = 'canary-file-CLI-0d0e0f';

/** Every form a value could take on its way through: as is, each line, base64, base64url, JSON-escaped. */
function formsOf(value: string): string[] {
  const forms = new Set([value, ...value.split('\n'), JSON.stringify(value).slice(1, -1)]);
  for (const form of [...forms]) {
    forms.add(Buffer.from(form).toString('base64').replace(/=+$/, ''));
    forms.add(Buffer.from(form).toString('base64url'));
  }
  return [...forms].filter((form) => form.length >= 8);
}

const CANARIES = [UI_PASSPHRASE, UI_VALUE, UI_EDITED, CLI_PASSPHRASE, CLI_VALUE, CLI_FILE_LINE].flatMap(formsOf);

function leaks(haystack: Buffer | string): string[] {
  const text = Buffer.isBuffer(haystack) ? haystack.toString('latin1') : haystack;
  return CANARIES.filter((canary) => text.includes(canary));
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

if (!chromiumAvailable()) console.log('Chromium not installed at /usr/lib/chromium/chromium: the canary test needs it (apt-get install -y chromium)');

describe('canary: plaintext never reaches main', () => {
  const dir = tempDir('strongroom-canary-');
  const uiStore = join(dir.path, 'ui-store');
  const cliStore = join(dir.path, 'cli-store');
  const traffic: unknown[] = [];
  const capture = (_direction: string, message: unknown) => traffic.push(message);
  let core: AppCore;
  let bridge: Bridge;
  let browser: Browser;
  let page: Page;
  const snapshots: { file: string; content: Buffer }[] = [];

  /** SQLite may fold the WAL into the db and delete it at close, so the files are read while the app runs too. */
  const snapshotStoreFiles = (store: string) => {
    for (const suffix of ['', '-wal', '-shm']) {
      const file = join(store, `strongroom.db${suffix}`);
      if (existsSync(file)) snapshots.push({ file, content: readFileSync(file) });
    }
  };

  beforeAll(async () => {
    if (!chromiumAvailable()) throw new Error('Chromium is required for the canary test (apt-get install -y chromium).');
    core = await startCore(uiStore, { onDelegateTraffic: capture, actor: 'bridge' });
    bridge = await startBridge({ core, rendererDir: join(REPO_ROOT, 'dist', 'renderer'), onTraffic: capture });
    browser = await launchBrowser();
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(bridge.url).origin });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  });

  afterAll(async () => {
    await browser?.close();
    await bridge?.close();
    await core?.close();
    dir.remove();
  });

  it('drives the real UI: first run, create, reveal, copy, edit, lock, unlock', async () => {
    await page.goto(bridge.url);
    await page.getByRole('heading', { name: 'Create your store' }).waitFor();
    await page.getByLabel('Master passphrase', { exact: true }).fill(UI_PASSPHRASE);
    await page.getByLabel('Repeat passphrase', { exact: true }).fill(UI_PASSPHRASE);
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.getByRole('button', { name: 'Lock now' }).waitFor();

    await page.getByRole('button', { name: 'New secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'New secret' });
    await dialog.getByLabel('Name', { exact: true }).fill('canary');
    await dialog.getByLabel('Value', { exact: true }).fill(UI_VALUE);
    await dialog.getByRole('button', { name: 'Create secret' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name: 'canary', exact: true }).click();
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe(UI_VALUE);
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(UI_VALUE);

    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = page.getByRole('dialog', { name: 'Edit canary' });
    await edit.getByLabel('New value', { exact: true }).fill(UI_EDITED);
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe(UI_EDITED);
    snapshotStoreFiles(uiStore);

    await page.getByRole('button', { name: 'Lock now' }).click();
    await page.getByRole('heading', { name: 'Unlock Strongroom' }).waitFor();
    await unlockInUi(page, UI_PASSPHRASE);
    snapshotStoreFiles(uiStore);
  });

  it('drives the CLI in-process: init, create from stdin and from a file, reveal, update', async () => {
    const { writeFileSync } = await import('node:fs');
    const passphraseFile = join(dir.path, 'cli-passphrase');
    writeFileSync(passphraseFile, `${CLI_PASSPHRASE}\n`, { mode: 0o600 });
    const secretFile = join(dir.path, 'secret.txt');
    writeFileSync(secretFile, `${CLI_FILE_LINE}\n`);
    const cli = (args: string[], input = '') =>
      runCliInProcess(['--data-dir', cliStore, '--passphrase-file', passphraseFile, ...args], { stdin: input, core: { delegateEntry: DELEGATE_ENTRY, onDelegateTraffic: capture } });
    expect((await cli(['init'])).code).toBe(0);
    expect((await cli(['secret', 'create', '--name', 'cli_canary'], CLI_VALUE)).code).toBe(0);
    expect((await cli(['secret', 'create', '--name', 'cli_file', '--type', 'file', '--file', secretFile])).code).toBe(0);
    expect((await cli(['secret', 'reveal', 'cli_canary'])).stdout).toBe(CLI_VALUE);
    expect((await cli(['secret', 'update', 'cli_canary'], `${CLI_VALUE}-2`)).code).toBe(0);
    snapshotStoreFiles(cliStore);
  });

  it('captured main traffic in both directions, and the canaries are in none of it', () => {
    // The capture is real: it saw sealed values go to the delegate and sealed reveals come back.
    expect(traffic.length).toBeGreaterThan(20);
    const text = JSON.stringify(traffic);
    expect(text).toContain('"op":"secrets.encrypt"');
    expect(text).toContain('"op":"secrets.reveal"');
    expect(text).toContain('"channel":"secrets.create"');
    expect(leaks(text)).toEqual([]);
  });

  it('the canaries are in no SQLite file, neither while the app runs nor after', async () => {
    await bridge.close();
    await core.close();
    for (const store of [uiStore, cliStore]) snapshotStoreFiles(store);
    expect(snapshots.length).toBeGreaterThanOrEqual(4);
    expect(snapshots.some((snapshot) => snapshot.file.endsWith('-wal'))).toBe(true);
    for (const snapshot of snapshots) expect({ file: snapshot.file, leaks: leaks(snapshot.content) }).toEqual({ file: snapshot.file, leaks: [] });
  });

  it('the canaries are in no log, and the logs are not empty', () => {
    const logs = [...filesUnder(join(uiStore, 'logs')), ...filesUnder(join(cliStore, 'logs'))];
    expect(logs.map((file) => file.split('/').pop()).sort()).toEqual(['delegate.log', 'delegate.log', 'main.log', 'main.log']);
    for (const file of logs) {
      const content = readFileSync(file);
      expect(content.length).toBeGreaterThan(0);
      expect({ file, leaks: leaks(content) }).toEqual({ file, leaks: [] });
    }
  });
});
