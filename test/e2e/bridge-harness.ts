/**
 * Starts the built app on the loopback bridge and drives it with Chromium
 * through playwright-core. Needs `npm run build` first (npm test does) and
 * Chromium at /usr/lib/chromium/chromium (`apt-get install -y chromium`).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const SERVE_ENTRY = join(REPO_ROOT, 'dist', 'main', 'serve.js');
// Not /usr/bin/chromium: that wrapper script prints a shell error under Playwright.
export const CHROMIUM_PATH = '/usr/lib/chromium/chromium';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface RunningBridge {
  /** The launch URL serve.js printed first; it works once. */
  url: string;
  /** Asks serve.js for a new launch URL (a line on its stdin); each works once. */
  launchUrl(): Promise<string>;
  /** http://127.0.0.1:PORT, for granting permissions. */
  origin: string;
  pid: number;
  /** What the server wrote to stderr so far, for failure messages. */
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not exited in 10 s. Safe to call twice. */
  stop(): Promise<void>;
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export interface StartOptions {
  /** Let serve.js open this browser (it needs a DISPLAY, which `env` can give) instead of passing --no-open. */
  browser?: string;
  env?: NodeJS.ProcessEnv;
  /** Another build of serve.js, e.g. dist-test/main/serve.js with the test-only kinds (scripts/build-test-kinds.mjs); dist/main/serve.js by default. */
  serveEntry?: string;
}

/** Runs `node dist/main/serve.js --data-dir <dataDir> --no-open` (or `options.serveEntry`) and waits for its URL line. */
export async function startBridge(dataDir: string, options: StartOptions = {}): Promise<RunningBridge> {
  const serveEntry = options.serveEntry ?? SERVE_ENTRY;
  if (!existsSync(serveEntry)) throw new Error(`${serveEntry} is missing: run "npm run build" first (npm test does).`);
  const openArgs = options.browser ? ['--browser', options.browser] : ['--no-open'];
  const child = spawn(process.execPath, [serveEntry, '--data-dir', dataDir, ...openArgs], {
    cwd: REPO_ROOT,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolveExit) =>
    child.once('exit', () => {
      exited = true;
      resolveExit();
    }),
  );

  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exit;
    clearTimeout(timer);
  };

  // readline keeps draining stdout after the first line, so the pipe never fills.
  const lines = createInterface({ input: child.stdout });
  let firstLine: string;
  try {
    firstLine = await new Promise<string>((resolveLine, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve.js printed no URL within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolveLine(line);
      });
      void exit.then(() => {
        clearTimeout(timer);
        reject(new Error(`serve.js exited (code ${child.exitCode}) before printing its URL`));
      });
    });
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- serve.js stderr ---\n${stderr}`);
  }

  const announced = JSON.parse(firstLine) as { url: string; pid: number };
  // serve.js answers each stdin line with one stdout line, in order.
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  child.stdin.on('error', () => {}); // EPIPE once serve.js has exited; launchUrl reports that itself
  const launchUrl = () =>
    new Promise<string>((resolveUrl, reject) => {
      if (exited) return reject(new Error('serve.js has exited'));
      waiting.push((line) => resolveUrl((JSON.parse(line) as { url: string }).url));
      child.stdin.write('\n');
    });
  return {
    url: announced.url,
    launchUrl,
    origin: new URL(announced.url).origin,
    pid: announced.pid,
    stderr: () => stderr,
    stop,
  };
}

/** The processes serve.js started (the delegate), read from /proc: Linux only. */
export function childPids(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return children ? children.split(/\s+/).map(Number) : [];
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface OpenedApp {
  context: BrowserContext;
  page: Page;
  /** Messages the page logged as errors, including CSP violations. */
  consoleErrors: string[];
}

/** A fresh context with clipboard access for the bridge's origin, on the app's first screen. */
export async function openApp(browser: Browser, bridge: RunningBridge): Promise<OpenedApp> {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: bridge.origin });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(await bridge.launchUrl());
  return { context, page, consoleErrors };
}

/** The first-run screen: chooses the master passphrase and waits for the unlocked app. */
export async function createStoreInUi(page: Page, passphrase: string): Promise<void> {
  await page.getByRole('heading', { name: 'Create your store' }).waitFor();
  await page.getByLabel('Master passphrase', { exact: true }).fill(passphrase);
  await page.getByLabel('Repeat passphrase', { exact: true }).fill(passphrase);
  await page.getByRole('button', { name: 'Create store' }).click();
  await page.getByRole('button', { name: 'Lock now' }).waitFor();
}

/** The unlock screen: enters the master passphrase and waits for the unlocked app. */
export async function unlockInUi(page: Page, passphrase: string): Promise<void> {
  await page.getByLabel('Master passphrase', { exact: true }).fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('button', { name: 'Lock now' }).waitFor();
}

/**
 * Runs every teardown step even when one before it throws, so a failing test
 * never leaves a server running or a folder behind; rethrows the first error.
 */
export async function tearDown(...steps: (() => Promise<unknown> | unknown)[]): Promise<void> {
  let first: unknown;
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      first ??= error;
    }
  }
  if (first !== undefined) throw first;
}

/** What an end-to-end suite drives: the bridge serving its store, Chromium, and the app open in a page. */
export interface UiSession {
  bridge: RunningBridge;
  browser: Browser;
  app: OpenedApp;
  page: Page;
  /** Closes the page's context and the browser and stops the bridge, even after a failure; safe to call twice. */
  close(): Promise<void>;
}

export interface UiSessionOptions {
  /** Creates the store on the first-run screen with this passphrase; without it the app stays on its first screen. */
  passphrase?: string;
  /** Unlocks the store that is already there (made by the CLI, say) with this passphrase once the app is open. */
  unlockWith?: string;
  /** The page's default timeout for every wait. */
  timeoutMs?: number;
  /** Runs on the opened page before the store is created (a fake clock, a colour scheme). */
  beforeCreate?: (page: Page) => Promise<unknown>;
  bridge?: StartOptions;
}

/** Starts the bridge on `dataDir`, opens the app in Chromium and, given a passphrase, creates or unlocks the store; stops what it started if a step fails. */
export async function openUi(dataDir: string, options: UiSessionOptions = {}): Promise<UiSession> {
  let bridge: RunningBridge | undefined;
  let browser: Browser | undefined;
  let app: OpenedApp | undefined;
  const close = () =>
    tearDown(
      () => app?.context.close(),
      () => browser?.close(),
      () => bridge?.stop(),
    );
  try {
    bridge = await startBridge(dataDir, options.bridge);
    browser = await launchBrowser();
    app = await openApp(browser, bridge);
    if (options.timeoutMs) app.page.setDefaultTimeout(options.timeoutMs);
    await options.beforeCreate?.(app.page);
    if (options.passphrase !== undefined) await createStoreInUi(app.page, options.passphrase);
    if (options.unlockWith !== undefined) await unlockInUi(app.page, options.unlockWith);
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return { bridge, browser, app, page: app.page, close };
}

/** A button of the sections navigation. */
export const sectionButton = (page: Page, name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name, exact: true });

/** Creates a text secret through the New secret dialog and waits for the dialog to close. */
export async function newTextSecretInUi(page: Page, name: string, value: string): Promise<void> {
  await page.getByRole('button', { name: 'New secret' }).click();
  const dialog = page.getByRole('dialog', { name: 'New secret' });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Value', { exact: true }).fill(value);
  await dialog.getByRole('button', { name: 'Create secret' }).click();
  await dialog.waitFor({ state: 'detached' });
}
