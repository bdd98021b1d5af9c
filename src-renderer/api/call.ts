import type { z } from 'zod';
import { channels, type Channel, type ChannelRequest, type ChannelResult } from '../../src-shared/contract.js';
import { IpcCallError } from '../lib/errors.js';
import { getApi } from './connection.js';

const errorListeners = new Set<(error: IpcCallError) => void>();

/** Sees every error main returns, so LOCKED and SEAL_INVALID are handled once, wherever they happen. */
export function onCallError(listener: (error: IpcCallError) => void): () => void {
  errorListeners.add(listener);
  return () => errorListeners.delete(listener);
}

/** Calls one channel: resolves with its result or throws an IpcCallError carrying main's IpcError. */
export async function call<C extends Channel>(channel: C, request: ChannelRequest<C>): Promise<ChannelResult<C>> {
  const api = await getApi();
  const result = await api.invoke(channel, request);
  if (!result.ok) {
    const error = new IpcCallError(channel, result.error);
    for (const listener of errorListeners) listener(error);
    throw error;
  }
  // A reply that does not match the contract means main and renderer disagree; fail loudly, not later.
  const parsed = (channels[channel].result as z.ZodType).safeParse(result.value);
  if (!parsed.success) {
    throw new IpcCallError(channel, { code: 'INTERNAL', message: `Unexpected reply to ${channel}.` });
  }
  return parsed.data as ChannelResult<C>;
}
