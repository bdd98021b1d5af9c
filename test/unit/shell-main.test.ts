// The entry point's wiring, against a fake Electron: sandbox and scheme set
// up before 'ready', single instance, the core created with the utility
// spawner, the window loaded from app://, and the vault locked on suspend.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const fakes = vi.hoisted(() => ({
  // Replaced in beforeEach; the electron mock reads these on each import.
  electron: {} as Record<string, unknown>,
  createAppCore: undefined as unknown as (options: unknown) => Promise<unknown>,
}));
// Getters, because the factory runs once while each test builds new fakes.
vi.mock('electron', () => {
  const names = ['app', 'BrowserWindow', 'Menu', 'dialog', 'powerMonitor', 'protocol', 'session', 'ipcMain', 'utilityProcess'];
  const getters = names.map((name) => [name, { get: () => fakes.electron[name], enumerable: true }] as const);
  return Object.defineProperties({}, Object.fromEntries(getters));
});
vi.mock('../../src-main/core/app-core.js', () => ({ createAppCore: (options: unknown) => fakes.createAppCore(options) }));

type Core = { handle: ReturnType<typeof vi.fn>; onEvent: ReturnType<typeof vi.fn>; close: ReturnType<typeof vi.fn> };

let order: string[];
let app: ReturnType<typeof createFakeApp>;
let powerMonitor: EventEmitter;
let windows: FakeWindow[];
let core: Core;
let createAppCore: ReturnType<typeof vi.fn>;
let gotLock: boolean;

class FakeWindow extends EventEmitter {
  options: unknown;
  minimized = false;
  webContents = { id: 1 };
  loadURL = vi.fn(async () => undefined);
  show = vi.fn();
  focus = vi.fn();
  restore = vi.fn();
  isMinimized = () => this.minimized;
  constructor(options: unknown) {
    super();
    this.options = options;
    windows.push(this);
  }
}

function createFakeApp() {
  const paths: Record<string, string> = { appData: '/home/admin/.config', userData: '/home/admin/.config/Electron' };
  return Object.assign(new EventEmitter(), {
    isPackaged: false,
    requestSingleInstanceLock: vi.fn(() => {
      order.push('requestSingleInstanceLock');
      return gotLock;
    }),
    enableSandbox: vi.fn(() => order.push('enableSandbox')),
    setName: vi.fn(),
    getPath: vi.fn((name: string) => paths[name]),
    setPath: vi.fn((name: string, value: string) => {
      order.push(`setPath ${name}`);
      paths[name] = value;
    }),
    whenReady: vi.fn(() => {
      order.push('whenReady');
      return Promise.resolve();
    }),
    quit: vi.fn(),
    exit: vi.fn(),
  });
}

beforeEach(() => {
  vi.resetModules();
  order = [];
  windows = [];
  gotLock = true;
  app = createFakeApp();
  powerMonitor = new EventEmitter();
  core = {
    handle: vi.fn(async () => ({ ok: true, value: {} })),
    onEvent: vi.fn(() => () => undefined),
    close: vi.fn(async () => undefined),
  };
  createAppCore = vi.fn(async () => core);
  fakes.createAppCore = createAppCore as never;
  const session = {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
    webRequest: { onBeforeRequest: vi.fn() },
  };
  fakes.electron = {
    app,
    BrowserWindow: FakeWindow,
    Menu: { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn((template: unknown) => template) },
    dialog: { showErrorBox: vi.fn() },
    powerMonitor,
    protocol: {
      registerSchemesAsPrivileged: vi.fn(() => order.push('registerSchemesAsPrivileged')),
      handle: vi.fn(),
    },
    session: { defaultSession: session },
    ipcMain: { handle: vi.fn() },
    utilityProcess: { fork: vi.fn() },
  };
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function startMain(): Promise<void> {
  await import('../../src-main/shell/main.js');
  if (gotLock) await vi.waitFor(() => expect(windows.length + app.exit.mock.calls.length).toBeGreaterThan(0));
}

const electron = () => fakes.electron as Record<string, Record<string, ReturnType<typeof vi.fn>>>;

describe('shell entry point', () => {
  it('quits at once when another instance holds the lock', async () => {
    gotLock = false;
    await startMain();
    expect(app.quit).toHaveBeenCalled();
    expect(app.enableSandbox).not.toHaveBeenCalled();
    expect(createAppCore).not.toHaveBeenCalled();
  });

  it('enables the sandbox and registers the app scheme before ready', async () => {
    await startMain();
    expect(order).toEqual(['setPath userData', 'requestSingleInstanceLock', 'enableSandbox', 'registerSchemesAsPrivileged', 'whenReady']);
    expect(electron().protocol?.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(electron().protocol?.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(app.listenerCount('web-contents-created')).toBe(1);
    const defaultSession = (electron().session as unknown as { defaultSession: Record<string, ReturnType<typeof vi.fn>> }).defaultSession;
    expect(defaultSession.setPermissionRequestHandler).toHaveBeenCalledTimes(1);
  });

  it('keeps its data, and its single-instance lock, where the CLI and bridge look', async () => {
    await startMain();
    expect(app.setPath).toHaveBeenCalledWith('userData', path.join('/home/admin/.config', 'Strongroom'));
    expect(order.indexOf('setPath userData')).toBeLessThan(order.indexOf('requestSingleInstanceLock'));
    const { spawnUtilityDelegate } = await import('../../src-main/shell/utility-delegate.js');
    expect(createAppCore).toHaveBeenCalledWith({
      dataDir: path.join('/home/admin/.config', 'Strongroom'),
      actor: 'desktop',
      spawnDelegate: spawnUtilityDelegate,
      delegateEntry: expect.stringMatching(/[\\/]delegate[\\/]main\.js$/),
    });
  });

  it('opens one hardened window on app://strongroom with the preload', async () => {
    await startMain();
    const [window] = windows;
    expect(windows).toHaveLength(1);
    const { createMainWindowOptions } = await import('../../src-main/shell/window-options.js');
    const options = window?.options as ReturnType<typeof createMainWindowOptions>;
    expect(options.webPreferences?.preload).toMatch(/[\\/]preload\.cjs$/);
    expect(options).toEqual(createMainWindowOptions(options.webPreferences?.preload ?? '', { devTools: true }));
    expect(window?.loadURL).toHaveBeenCalledWith('app://strongroom/index.html');
    window?.emit('ready-to-show');
    expect(window?.show).toHaveBeenCalled();
  });

  it('replaces the default menu, which offers reload and DevTools', async () => {
    await startMain();
    expect(electron().Menu?.setApplicationMenu).toHaveBeenCalledTimes(1);
    if (process.platform !== 'darwin') expect(electron().Menu?.setApplicationMenu).toHaveBeenCalledWith(null);
  });

  it.each(['suspend', 'lock-screen'])('locks the vault on %s', async (eventName) => {
    await startMain();
    powerMonitor.emit(eventName);
    expect(core.handle).toHaveBeenCalledWith('vault.lock', {});
  });

  it('focuses the window when a second instance starts', async () => {
    await startMain();
    const [window] = windows;
    if (window) window.minimized = true;
    app.emit('second-instance');
    expect(window?.restore).toHaveBeenCalled();
    expect(window?.focus).toHaveBeenCalled();
  });

  it('quits when the last window closes, except on macOS', async () => {
    await startMain();
    app.emit('window-all-closed');
    expect(app.quit).toHaveBeenCalledTimes(process.platform === 'darwin' ? 0 : 1);
  });

  it('closes the core before letting Electron exit', async () => {
    await startMain();
    const event = { preventDefault: vi.fn() };
    app.emit('will-quit', event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(core.close).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalled());
    const second = { preventDefault: vi.fn() };
    app.emit('will-quit', second);
    expect(second.preventDefault).not.toHaveBeenCalled();
    expect(core.close).toHaveBeenCalledTimes(1);
  });

  it('shows an error and exits when the core cannot start', async () => {
    createAppCore.mockRejectedValueOnce(new Error('database is locked'));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await startMain();
    expect(electron().dialog?.showErrorBox).toHaveBeenCalledWith('Strongroom could not start', 'database is locked');
    expect(app.exit).toHaveBeenCalledWith(1);
    expect(windows).toHaveLength(0);
  });
});
