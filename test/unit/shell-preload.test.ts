// The preload exposes one global with two functions: it refuses channels
// outside the contract and never hands the page an IPC event or ipcRenderer.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { API_GLOBAL, channelNames } from '../../src-shared/contract.js';
import type { StrongroomApi } from '../../src-shared/contract.js';

const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: {
    invoke: vi.fn(async () => ({ ok: true, value: {} })),
    on: vi.fn(),
    removeListener: vi.fn(),
  },
}));
vi.mock('electron', () => electron);

let api: StrongroomApi;

beforeAll(async () => {
  await import('../../src-main/shell/preload.js');
  expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
  const [name, exposed] = electron.contextBridge.exposeInMainWorld.mock.calls[0] as [string, StrongroomApi];
  expect(name).toBe(API_GLOBAL);
  api = exposed;
});

beforeEach(() => {
  electron.ipcRenderer.invoke.mockClear();
  electron.ipcRenderer.on.mockClear();
  electron.ipcRenderer.removeListener.mockClear();
});

describe('preload api', () => {
  it('exposes invoke and onEvent, nothing else', () => {
    expect(Object.keys(api).sort()).toEqual(['invoke', 'onEvent']);
    expect(Object.values(api)).not.toContain(electron.ipcRenderer);
  });

  it('allows exactly the contract channels', async () => {
    for (const channel of channelNames) {
      await api.invoke(channel, {} as never);
    }
    expect(electron.ipcRenderer.invoke.mock.calls.map((call) => (call as unknown[])[1])).toEqual(channelNames);
  });

  it('forwards a contract call on the one invoke channel', async () => {
    const result = await api.invoke('secrets.list', { query: 'db' });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('strongroom:invoke', 'secrets.list', { query: 'db' });
    expect(result).toEqual({ ok: true, value: {} });
  });

  it.each(['fs.readFile', 'strongroom:invoke', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 42, null])(
    'refuses %s without reaching main',
    async (channel) => {
      const result = await api.invoke(channel as never, {} as never);
      expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
      expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
    },
  );

  it('hands listeners the event payload only, never the IPC event', () => {
    const listener = vi.fn();
    const unsubscribe = api.onEvent(listener);
    expect(electron.ipcRenderer.on).toHaveBeenCalledTimes(1);
    const [channel, forward] = electron.ipcRenderer.on.mock.calls[0] as unknown as [string, (...args: unknown[]) => void];
    expect(channel).toBe('strongroom:event');

    const ipcEvent = { sender: electron.ipcRenderer, senderId: 0, ports: [] };
    forward(ipcEvent, { type: 'vault.unlocked' });
    expect(listener.mock.calls).toEqual([[{ type: 'vault.unlocked' }]]);

    expect(typeof unsubscribe).toBe('function');
    unsubscribe();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith('strongroom:event', forward);
  });
});
