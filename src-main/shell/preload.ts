/**
 * The sandboxed preload: exposes `window.strongroom` and nothing else.
 *
 * The page gets two functions. It never sees ipcRenderer, an IPC event
 * object or any channel outside the contract.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import type { API_GLOBAL, AppEvent, Channel, StrongroomApi } from '../../src-shared/contract.js';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from './ipc-channels.js';

// Listed here rather than imported: importing the contract's values would
// bundle zod and the sealing code into the preload. The Record type makes
// the compiler reject a channel missing from, or unknown to, the contract.
const CHANNELS: Record<Channel, true> = {
  'app.status': true,
  'vault.create': true,
  'vault.unlock': true,
  'vault.lock': true,
  'session.activity': true,
  'settings.update': true,
  'store.check': true,
  'secrets.list': true,
  'secrets.get': true,
  'secrets.create': true,
  'secrets.createReference': true,
  'secrets.createMany': true,
  'secrets.checkNames': true,
  'secrets.inspectKey': true,
  'secrets.reveal': true,
  'secrets.revealMany': true,
  'secrets.versions': true,
  'secrets.rollback': true,
  'secrets.setScope': true,
  'secrets.scopeMany': true,
  'secrets.update': true,
  'secrets.delete': true,
  'apps.list': true,
  'apps.create': true,
  'apps.rename': true,
  'apps.delete': true,
  'envs.create': true,
  'envs.update': true,
  'envs.delete': true,
  'managers.list': true,
  'managers.pendingWrites': true,
  'managers.forgetPendingWrite': true,
  'managers.setScope': true,
  'managers.add': true,
  'managers.update': true,
  'managers.remove': true,
  'managers.setDefault': true,
  'managers.test': true,
  'managers.rewrap': true,
  'managers.fetchOptions': true,
  'backup.export': true,
  'backup.restore': true,
  'connections.test': true,
  'connections.history': true,
  'connections.trustHostKey': true,
  'connections.tools': true,
  'knownHosts.list': true,
  'knownHosts.remove': true,
  'audit.list': true,
  'audit.verify': true,
  'audit.acceptBreak': true,
  'migration.preview': true,
  'migration.start': true,
  'migration.pause': true,
  'migration.resume': true,
  'migration.cancel': true,
  'operations.cancel': true,
  'migration.status': true,
  'migration.list': true,
  'migration.report': true,
  'migration.rates': true,
  'migration.setRate': true,
  'keyring.rotate': true,
  'keys.status': true,
  'searches.list': true,
  'searches.save': true,
  'searches.rename': true,
  'searches.delete': true,
};
const API_NAME: typeof API_GLOBAL = 'strongroom';

const api: StrongroomApi = {
  invoke(channel, request) {
    if (typeof channel !== 'string' || !Object.hasOwn(CHANNELS, channel)) {
      return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown channel' } });
    }
    return ipcRenderer.invoke(IPC_INVOKE_CHANNEL, channel, request);
  },
  onEvent(listener) {
    const forward = (_event: IpcRendererEvent, appEvent: AppEvent) => listener(appEvent);
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld(API_NAME, api);
