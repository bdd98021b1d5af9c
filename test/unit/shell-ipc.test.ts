// The IPC wrapper serves only our window's main frame on the app origin,
// never throws across, and sends events only to that window.
import type { WebContents } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent, Channel, IpcResult } from '../../src-shared/contract.js';

const electron = vi.hoisted(() => ({ ipcMain: { handle: vi.fn() } }));
vi.mock('electron', () => electron);

const { isTrustedSender, registerIpc } = await import('../../src-main/shell/ipc-main-wrapper.js');

const APP_URL = 'app://strongroom/index.html';

interface FakeContents {
  id: number;
  url: string;
  destroyed: boolean;
  send: ReturnType<typeof vi.fn>;
}

function fakeContents(id: number): FakeContents & WebContents {
  const fake = {
    id,
    url: APP_URL,
    destroyed: false,
    send: vi.fn(),
    isDestroyed() {
      return fake.destroyed;
    },
    getURL() {
      return fake.url;
    },
  };
  return fake as unknown as FakeContents & WebContents;
}

function mainFrame(url = APP_URL) {
  return { url, parent: null, detached: false };
}

type InvokeHandler = (event: unknown, ...args: unknown[]) => Promise<IpcResult<Channel>>;

function setup() {
  const window = fakeContents(1);
  let current: WebContents | null = window;
  let emit: (event: AppEvent) => void = () => undefined;
  const core = {
    handle: vi.fn(async (): Promise<IpcResult<Channel>> => ({ ok: true, value: {} })),
    onEvent: vi.fn((listener: (event: AppEvent) => void) => {
      emit = listener;
      return () => undefined;
    }),
  };
  registerIpc({ core, getWindowContents: () => current });
  expect(electron.ipcMain.handle).toHaveBeenCalledTimes(1);
  const [channel, handler] = electron.ipcMain.handle.mock.calls[0] as [string, InvokeHandler];
  expect(channel).toBe('strongroom:invoke');
  return {
    window,
    core,
    invoke: (event: unknown, ...args: unknown[]) => handler(event, ...args),
    emit: (event: AppEvent) => emit(event),
    setWindow: (contents: WebContents | null) => {
      current = contents;
    },
  };
}

let warned: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  electron.ipcMain.handle.mockReset();
  warned = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('invoke', () => {
  it('passes a trusted request to the core and returns its result', async () => {
    const { window, core, invoke } = setup();
    const result = await invoke({ sender: window, senderFrame: mainFrame() }, 'app.status', {});
    expect(core.handle).toHaveBeenCalledWith('app.status', {});
    expect(result).toEqual({ ok: true, value: {} });
  });

  it.each([
    ['another origin', { senderFrame: mainFrame('https://evil.example/') }],
    ['a file:// page', { senderFrame: mainFrame('file:///tmp/evil.html') }],
    ['another app:// host', { senderFrame: mainFrame('app://evil/index.html') }],
    ['a sub-frame', { senderFrame: { url: APP_URL, parent: mainFrame(), detached: false } }],
    ['a detached frame', { senderFrame: { url: APP_URL, parent: null, detached: true } }],
    ['a frame that is gone', { senderFrame: null }],
  ])('refuses %s without calling the core', async (_name, override) => {
    const { window, core, invoke } = setup();
    const result = await invoke({ sender: window, ...override }, 'app.status', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'Request refused' } });
    expect(core.handle).not.toHaveBeenCalled();
    expect(warned).toHaveBeenCalledTimes(1);
  });

  it('refuses another webContents, even on the app origin', async () => {
    const { core, invoke } = setup();
    const result = await invoke({ sender: fakeContents(2), senderFrame: mainFrame() }, 'app.status', {});
    expect(result.ok).toBe(false);
    expect(core.handle).not.toHaveBeenCalled();
  });

  it('refuses everyone when the window is gone', async () => {
    const { window, core, invoke, setWindow } = setup();
    window.destroyed = true;
    expect((await invoke({ sender: window, senderFrame: mainFrame() }, 'app.status', {})).ok).toBe(false);
    setWindow(null);
    expect((await invoke({ sender: window, senderFrame: mainFrame() }, 'app.status', {})).ok).toBe(false);
    expect(core.handle).not.toHaveBeenCalled();
  });

  it('answers a non-string channel with UNKNOWN_CHANNEL', async () => {
    const { window, core, invoke } = setup();
    const result = await invoke({ sender: window, senderFrame: mainFrame() }, { toString: () => 'app.status' }, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(core.handle).not.toHaveBeenCalled();
  });

  it('turns a throwing core into INTERNAL without its message', async () => {
    const { window, core, invoke } = setup();
    core.handle.mockRejectedValueOnce(new Error('SQLITE_CORRUPT at /home/admin/.config/Strongroom'));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const result = await invoke({ sender: window, senderFrame: mainFrame() }, 'app.status', {});
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Internal error' } });
  });

  it('checks senders the same way outside the handler', () => {
    const window = fakeContents(1);
    expect(isTrustedSender({ sender: window, senderFrame: mainFrame() as never }, window)).toBe(true);
    expect(isTrustedSender({ sender: window, senderFrame: mainFrame() as never }, null)).toBe(false);
  });
});

describe('events', () => {
  it('sends core events to our window only, on the event channel', () => {
    const { window, emit } = setup();
    emit({ type: 'vault.locked', reason: 'idle' });
    expect(window.send).toHaveBeenCalledWith('strongroom:event', { type: 'vault.locked', reason: 'idle' });
  });

  it('sends nothing to a window that left the app origin or is gone', () => {
    const { window, emit, setWindow } = setup();
    window.url = 'https://evil.example/';
    emit({ type: 'secrets.changed' });
    window.url = APP_URL;
    window.destroyed = true;
    emit({ type: 'secrets.changed' });
    setWindow(null);
    expect(() => emit({ type: 'secrets.changed' })).not.toThrow();
    expect(window.send).not.toHaveBeenCalled();
  });
});
