/**
 * Runs a long operation in main under an operation id of its own, hearing
 * its `operation.progress` events until it ends, and asks main to stop it.
 */
import type { OperationProgressEvent } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';
import { getApi } from '../../api/connection.js';

export async function runOperation<T>(operationId: string, start: (operationId: string) => Promise<T>, onProgress: (event: OperationProgressEvent) => void): Promise<T> {
  const api = await getApi();
  const stop = api.onEvent((event) => {
    if (event.type === 'operation.progress' && event.operationId === operationId) onProgress(event);
  });
  try {
    return await start(operationId);
  } finally {
    stop();
  }
}

/** Resolves with whether main will stop it (false once it is past its last safe point). */
export async function stopOperation(operationId: string): Promise<boolean> {
  return (await call('operations.cancel', { operationId })).stopping;
}
