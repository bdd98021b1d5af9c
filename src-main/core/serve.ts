/**
 * Runs Strongroom without Electron: the core plus the loopback bridge, and
 * the app opened in an installed Chromium or Chrome `--app` window.
 *
 * stdout's first line is JSON `{"url": ..., "pid": ...}` for scripts and
 * tests; what a person needs to read goes to stderr. Every URL works once:
 * each line read on stdin (Enter, at a terminal) prints a new one, as
 * `{"url": ...}` on stdout and as text on stderr.
 *
 * No credential goes on the browser's command line, which every user of the
 * machine can read: the browser opens a launch page in the 0700 data folder,
 * which forwards to a one-time URL and is deleted once that URL is used.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createAppCore } from './app-core.js';
import { startBridge } from './bridge/bridge-server.js';
import { defaultDataDir } from './paths.js';
import { serveSessionWhileUnlocked } from './session/app-session.js';

const BROWSERS = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

function findBrowser(explicit: string | undefined): string | null {
  if (explicit) return existsSync(explicit) ? explicit : null;
  return BROWSERS.find((candidate) => existsSync(candidate)) ?? null;
}

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    'no-open': { type: 'boolean', default: false },
    browser: { type: 'string' },
  },
});

const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
const here = dirname(fileURLToPath(import.meta.url));
const core = await createAppCore({ dataDir, actor: 'bridge' });
serveSessionWhileUnlocked(core, dataDir);
const bridge = await startBridge({ core, rendererDir: join(here, '..', 'renderer'), port: values.port ? Number(values.port) : 0 });

process.stdout.write(`${JSON.stringify({ url: bridge.url, pid: process.pid })}\n`);
process.stderr.write(
  `Strongroom is serving the app on a loopback bridge (no Electron binary in use).\n  Data folder: ${dataDir}\n  Open:        ${bridge.url}\n  That link works once; press Enter here for a new one.\n`,
);

createInterface({ input: process.stdin }).on('line', () => {
  const url = bridge.launchUrl();
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.stderr.write(`  Open:        ${url}\n`);
});

/** A page in the 0700 data folder that forwards to a new one-time URL; removed once the URL is used. */
const launchPage = join(dataDir, 'open-strongroom.html');
function writeLaunchPage(): string {
  const url = bridge.launchUrl(() => rmSync(launchPage, { force: true }));
  rmSync(launchPage, { force: true }); // a page left by a crash keeps its old mode if rewritten in place
  const html = `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${url}"><title>Strongroom</title>\n`;
  writeFileSync(launchPage, html, { mode: 0o600 });
  return pathToFileURL(launchPage).href;
}

if (!values['no-open']) {
  const browser = findBrowser(values.browser);
  const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (browser && hasDisplay) {
    const profile = join(dataDir, 'browser-profile');
    mkdirSync(profile, { recursive: true, mode: 0o700 });
    const child = spawn(browser, [`--app=${writeLaunchPage()}`, `--user-data-dir=${profile}`, '--no-first-run', '--disable-background-networking', '--disable-sync', '--disable-component-update'], {
      stdio: 'ignore',
      detached: true,
    });
    child.unref();
    process.stderr.write(`Opened it in an app window of ${browser}.\n`);
  } else {
    process.stderr.write(browser ? 'No display found: open the URL above in a browser on this machine.\n' : 'No Chromium or Chrome found: open the URL above in a browser on this machine.\n');
  }
}
process.stderr.write('Press Ctrl+C to stop.\n');

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  rmSync(launchPage, { force: true });
  await bridge.close();
  await core.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
