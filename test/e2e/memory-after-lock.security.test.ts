/**
 * After a lock, no plaintext stays in memory: core dumps (gcore) of main
 * (serve.js) and of the delegate, taken after "Lock now", after the idle lock
 * and after a delegate crash, hold none of the canaries: a text value, a value
 * kept in Vault, the master passphrase, an SSH private key and the Vault token.
 *
 * The same search over a dump of the delegate while it is unlocked finds every
 * canary, so the search is shown to work. Values are typed into the real UI
 * (Chromium over the loopback bridge), so main sees only what it sees in use.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { childPids, createStoreInUi, launchBrowser, openApp, startBridge, tearDown, unlockInUi, type OpenedApp, type RunningBridge } from './bridge-harness.js';
import { startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { describeNeeding } from '../fixtures/system-tools.js';

const tag = () => randomBytes(9).toString('hex');
const PASSPHRASE = `memory-canary-passphrase-${tag()}`;
const TEXT_VALUE = `memory-canary-text-${tag()}`;
const VAULT_VALUE = `memory-canary-vault-${tag()}`;

/** Reads a dump in chunks, overlapping by the longest needle, and returns the labels of the needles found. */
function found(file: string, canaries: Record<string, string>): string[] {
  const needles = Object.entries(canaries).flatMap(([label, text]) => [
    { label, bytes: Buffer.from(text, 'utf8') },
    { label, bytes: Buffer.from(text, 'utf16le') },
  ]);
  const overlap = Math.max(...needles.map((needle) => needle.bytes.length));
  const chunk = Buffer.alloc(32 * 1024 * 1024 + overlap);
  const hits = new Set<string>();
  const fd = openSync(file, 'r');
  try {
    let position = 0;
    let carried = 0;
    for (;;) {
      const read = readSync(fd, chunk, carried, chunk.length - carried, position);
      if (read === 0) break;
      position += read;
      const view = chunk.subarray(0, carried + read);
      for (const needle of needles) if (!hits.has(needle.label) && view.includes(needle.bytes)) hits.add(needle.label);
      carried = Math.min(overlap, view.length);
      view.copy(chunk, 0, view.length - carried);
    }
  } finally {
    closeSync(fd);
  }
  return [...hits].sort();
}

describeNeeding(['chromium', 'gcore', 'ssh-keygen'], 'memory after lock: core dumps of main and the delegate (e2e)', () => {
  let dir: string;
  let bridge: RunningBridge | undefined;
  let browser: Browser | undefined;
  let app: OpenedApp | undefined;
  let vault: VaultEmulator | undefined;
  let page: Page;
  const canaries: Record<string, string> = { passphrase: PASSPHRASE, 'text value': TEXT_VALUE, 'vault value': VAULT_VALUE };
  let sshKeyText: string;
  const field = (scope: Locator, label: string) => scope.getByLabel(label, { exact: true });
  const option = (name: string) => page.getByRole('listbox', { name: 'Secrets' }).getByRole('option', { name, exact: true });

  const delegatePid = () => {
    const children = childPids(bridge!.pid);
    expect(children).toHaveLength(1);
    return children[0]!;
  };

  /** gcore's dump of one process, searched and deleted at once (a dump is hundreds of MiB). */
  function dumpAndSearch(pid: number): string[] {
    const prefix = join(dir, 'core');
    execFileSync('gcore', ['-o', prefix, String(pid)], { stdio: 'ignore' });
    const file = `${prefix}.${pid}`;
    try {
      expect(statSync(file).size).toBeGreaterThan(1024 * 1024);
      return found(file, canaries);
    } finally {
      rmSync(file, { force: true });
    }
  }

  /** Main, and whatever delegate runs now (none until something asks main for the new sealing key). */
  function dumpMainAndDelegate(): { main: string[]; delegate: string[] } {
    return { main: dumpAndSearch(bridge!.pid), delegate: childPids(bridge!.pid).flatMap(dumpAndSearch) };
  }

  async function waitFor<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function reveal(name: string, expected: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Secrets' }).click();
    await option(name).click();
    await page.getByRole('heading', { name, exact: true }).waitFor();
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Secret value' }).textContent()).toBe(expected);
  }

  async function unlockAgain(): Promise<void> {
    await page.getByRole('heading', { name: 'Unlock Strongroom' }).waitFor();
    await unlockInUi(page, PASSPHRASE);
  }

  /** Every canary passes through the delegate again: two reveals (one read from Vault) and the SSH key shown. */
  async function useEverything(): Promise<void> {
    await reveal('memory_text', TEXT_VALUE);
    await reveal('memory_vault', VAULT_VALUE);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Secrets' }).click();
    await option('memory_ssh').click();
    await page.getByRole('button', { name: 'Show private key' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Private key', exact: true }).textContent()).toContain('BEGIN OPENSSH PRIVATE KEY');
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strongroom-memory-'));
    const keyPath = join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath, '-C', 'memory']);
    sshKeyText = readFileSync(keyPath, 'utf8');
    rmSync(keyPath);
    // The key's last base64 line holds private key bytes only.
    const body = sshKeyText.trim().split('\n').slice(1, -1);
    canaries['ssh private key'] = body[body.length - 1]!;
    vault = await startVaultEmulator();
    canaries['vault token'] = vault.credentials.token;
    bridge = await startBridge(join(dir, 'store'));
    browser = await launchBrowser();
    app = await openApp(browser, bridge);
    page = app.page;
    page.setDefaultTimeout(30_000);
  });

  afterAll(() =>
    tearDown(
      () => app?.context.close(),
      () => browser?.close(),
      () => bridge?.stop(),
      () => vault?.close(),
      () => dir && rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('puts every canary through the delegate, and finds them all in a dump of the unlocked delegate', async () => {
    await createStoreInUi(page, PASSPHRASE);

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Managers' }).click();
    await page.getByRole('button', { name: 'Add manager' }).click();
    const manager = page.getByRole('dialog', { name: 'Add manager' });
    await manager.getByRole('radio', { name: /HashiCorp Vault/ }).check();
    await field(manager, 'Name').fill('memory-vault');
    await field(manager, 'URL').fill(vault!.endpoint);
    await field(manager, 'Token').fill(vault!.credentials.token);
    await field(manager, 'KV engine mount').fill('secret');
    await manager.getByLabel('Base path (optional)', { exact: true }).fill('strongroom');
    await manager.getByRole('button', { name: 'Add manager' }).click();
    await manager.waitFor({ state: 'detached' });

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Secrets' }).click();
    for (const [name, value, managerLabel] of [
      ['memory_text', TEXT_VALUE, null],
      ['memory_vault', VAULT_VALUE, 'memory-vault'],
    ] as const) {
      await page.getByRole('button', { name: 'New secret' }).click();
      const create = page.getByRole('dialog', { name: 'New secret' });
      await field(create, 'Name').fill(name);
      if (managerLabel) await create.getByLabel('Secret manager').selectOption({ label: managerLabel });
      await field(create, 'Value').fill(value);
      await create.getByRole('button', { name: 'Create secret' }).click();
      await create.waitFor({ state: 'detached' });
    }
    await page.getByRole('button', { name: 'New secret' }).click();
    const ssh = page.getByRole('dialog', { name: 'New secret' });
    await ssh.getByRole('radio', { name: 'SSH credential' }).check();
    await field(ssh, 'Name').fill('memory_ssh');
    await field(ssh, 'User name').fill('deploy');
    await field(ssh, 'Private key').fill(sshKeyText);
    await ssh.getByRole('button', { name: 'Create secret' }).click();
    await ssh.waitFor({ state: 'detached' });

    await useEverything();
    expect(dumpAndSearch(delegatePid())).toEqual(Object.keys(canaries).sort());
  }, 600_000);

  it('after "Lock now": neither main nor the delegate holds any canary', async () => {
    const before = delegatePid();
    await page.getByRole('button', { name: 'Lock now' }).click();
    await page.getByRole('heading', { name: 'Unlock Strongroom' }).waitFor();
    // The window locks first, then main ends the delegate; the window's next status request starts a new one.
    await waitFor(() => (childPids(bridge!.pid).includes(before) ? undefined : true), 'the old delegate to end', 30_000);
    expect(dumpMainAndDelegate()).toEqual({ main: [], delegate: [] });
  }, 600_000);

  it('after the idle lock: neither main nor the delegate holds any canary', async () => {
    await unlockAgain();
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Auto-lock after (minutes)', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    await useEverything();
    const before = delegatePid();
    // With the window gone only main's own idle timer can lock: nothing asks main for anything for a minute.
    await app!.context.close();
    app = undefined;
    await waitFor(() => (childPids(bridge!.pid).includes(before) ? undefined : true), 'the idle lock', 150_000);
    expect(dumpMainAndDelegate()).toEqual({ main: [], delegate: [] });
  }, 600_000);

  it('after the delegate crashed: neither main nor the new delegate holds any canary', async () => {
    app = await openApp(browser!, bridge!);
    page = app.page;
    page.setDefaultTimeout(30_000);
    await unlockAgain();
    await useEverything();
    const before = delegatePid();
    process.kill(before, 'SIGKILL');
    await page.getByRole('heading', { name: 'Unlock Strongroom' }).waitFor();
    await waitFor(() => (childPids(bridge!.pid).some((pid) => pid !== before) ? true : undefined), 'the restarted delegate', 30_000);
    expect(dumpMainAndDelegate()).toEqual({ main: [], delegate: [] });
  }, 600_000);
});
