/**
 * The only file that touches ipcMain or sends to a renderer.
 *
 * One invoke channel carries every contract call; the sender is checked here
 * and the request is validated by the core's router, so a compromised
 * renderer gets nothing that a well-behaved one would not.
 */
import { ipcMain } from 'electron';
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import type { AppCore } from '../core/app-core-types.js';
import type { Channel, IpcResult } from '../../src-shared/contract.js';
import { isAppUrl } from './app-origin.js';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from './ipc-channels.js';

export interface IpcWrapperOptions {
  core: Pick<AppCore, 'handle' | 'onEvent'>;
  /** The main window's webContents: the only sender served, the only receiver of events. */
  getWindowContents: () => WebContents | null;
}

const REFUSED: IpcResult<Channel> = { ok: false, error: { code: 'INTERNAL', message: 'Request refused' } };

/**
 * Whether an invoke comes from the main frame of our window while it shows
 * the app origin. Sub-frames, other webContents and pages elsewhere (even if
 * navigation guards failed) are refused.
 */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, trusted: WebContents | null): boolean {
  if (trusted === null || trusted.isDestroyed() || event.sender.id !== trusted.id) return false;
  const frame = event.senderFrame;
  return frame !== null && !frame.detached && frame.parent === null && isAppUrl(frame.url);
}

/** Serves the contract on `strongroom:invoke` and forwards core events to the window. */
export function registerIpc({ core, getWindowContents }: IpcWrapperOptions): void {
  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, channel: unknown, request: unknown): Promise<IpcResult<Channel>> => {
    if (!isTrustedSender(event, getWindowContents())) {
      console.warn(`ipc: refused a request from webContents ${event.sender.id}`);
      return REFUSED;
    }
    if (typeof channel !== 'string') {
      return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'Channel must be a string' } };
    }
    try {
      return await core.handle(channel, request);
    } catch (error) {
      // The core promises never to throw; if it does, a rejection here would
      // hand the renderer the error's message and stack, so it gets a code.
      console.error('ipc: core.handle threw', error);
      return { ok: false, error: { code: 'INTERNAL', message: 'Internal error' } };
    }
  });

  core.onEvent((appEvent) => {
    const contents = getWindowContents();
    if (contents !== null && !contents.isDestroyed() && isAppUrl(contents.getURL())) {
      contents.send(IPC_EVENT_CHANNEL, appEvent);
    }
  });
}
