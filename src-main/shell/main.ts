/**
 * Strongroom's Electron entry point.
 *
 * Wires the Electron-free core to one hardened window: the renderer is
 * served from app://strongroom/, talks to the core only through the IPC
 * wrapper, and the delegate runs as a utility process.
 */
import { BrowserWindow, Menu, app, dialog, powerMonitor, protocol, session } from 'electron';
import path from 'node:path';
import { createAppCore } from '../core/app-core.js';
import type { AppCore } from '../core/app-core-types.js';
import { PRODUCT_NAME } from '../core/paths.js';
import { serveSessionWhileUnlocked } from '../core/session/app-session.js';
import { APP_ENTRY_URL, APP_SCHEME } from './app-origin.js';
import { createAppProtocolHandler } from './app-protocol.js';
import { hardenSession, installHardening } from './harden.js';
import { registerIpc } from './ipc-main-wrapper.js';
import { spawnUtilityDelegate } from './utility-delegate.js';
import { createMainWindowOptions } from './window-options.js';

// This file runs as dist/shell/main.cjs (scripts/build.mjs). Paths taken from
// here hold inside app.asar and when Electron is started on the file itself.
const DIST_DIR = path.join(__dirname, '..');
const PRELOAD_PATH = path.join(__dirname, 'preload.cjs');
const RENDERER_DIR = path.join(DIST_DIR, 'renderer');
// Stays inside app.asar: the utility process reads it through Electron's asar
// support, and asar integrity validation then covers the code that holds the keys.
const DELEGATE_ENTRY = path.join(DIST_DIR, 'delegate', 'main.js');

let mainWindow: BrowserWindow | null = null;

function createMainWindow(): void {
  // Electronegativity reads only options written inline in `new BrowserWindow`
  // and reports these three as missing. They are set in window-options.ts and
  // asserted flag by flag in test/unit/shell-window.test.ts.
  const options = createMainWindowOptions(PRELOAD_PATH, { devTools: !app.isPackaged });
  const window = new BrowserWindow(options); // eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  window.loadURL(APP_ENTRY_URL).catch((error: unknown) => console.error('window: failed to load the renderer', error));
  mainWindow = window;
}

function focusMainWindow(): void {
  if (mainWindow === null) {
    createMainWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

/**
 * Without a menu of its own Electron installs a default one whose View menu
 * reloads the page and opens DevTools. macOS needs the Edit menu for the
 * copy and paste shortcuts; elsewhere Chromium handles them without a menu.
 */
function applicationMenu(): Menu | null {
  if (process.platform !== 'darwin') return null;
  return Menu.buildFromTemplate([{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }]);
}

/** Closes the core (database, delegate) before Electron is allowed to exit. */
function closeCoreOnQuit(core: AppCore): void {
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    core
      .close()
      .catch((error: unknown) => console.error('core: close failed', error))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  Menu.setApplicationMenu(applicationMenu());
  // Also hardened through 'session-created'; doing it here does not depend on
  // that event firing for the default session.
  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, createAppProtocolHandler(RENDERER_DIR));

  let core: AppCore;
  try {
    core = await createAppCore({
      dataDir: app.getPath('userData'),
      actor: 'desktop',
      spawnDelegate: spawnUtilityDelegate,
      delegateEntry: DELEGATE_ENTRY,
    });
  } catch (error) {
    console.error('core: failed to start', error);
    dialog.showErrorBox('Strongroom could not start', error instanceof Error ? error.message : String(error));
    app.exit(1);
    return;
  }
  closeCoreOnQuit(core);
  registerIpc({ core, getWindowContents: () => mainWindow?.webContents ?? null });
  // While unlocked, the app serves the data folder's session socket: the CLI works without a passphrase, and the locks below close it.
  serveSessionWhileUnlocked(core, app.getPath('userData'));

  // Whoever gets at a suspended or locked machine must not find the vault
  // open. The result needs no handling: a vault that is already locked or
  // not yet created answers with an error and stays as it is.
  const lockVault = () => void core.handle('vault.lock', {});
  powerMonitor.on('suspend', lockVault);
  powerMonitor.on('lock-screen', lockVault);

  app.on('second-instance', focusMainWindow);
  // macOS apps stay running without windows and reopen one from the dock.
  app.on('activate', () => {
    if (mainWindow === null) createMainWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  createMainWindow();
}

// The CLI and the bridge find the store at <appData>/Strongroom
// (core/paths.ts). Electron would name the folder after package.json, or
// "Electron" when started on this file, so the name is set, not inherited.
// First of all: the single-instance lock lives in this folder too.
app.setName(PRODUCT_NAME);
app.setPath('userData', path.join(app.getPath('appData'), PRODUCT_NAME));

// A second instance would open the same database beside the first; it hands
// its focus request to the running one and exits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.enableSandbox();
  // Must precede 'ready'. standard + secure give app://strongroom a real
  // origin for 'self' in the CSP and a secure context for the clipboard API.
  // No corsEnabled (it would let other origins read app://) and no bypassCSP.
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
  installHardening(app);
  start().catch((error: unknown) => {
    console.error('startup failed', error);
    app.exit(1);
  });
}
