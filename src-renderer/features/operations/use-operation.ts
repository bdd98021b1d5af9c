/**
 * One long operation in a dialog: starts it under a fresh operation id,
 * keeps its latest progress (with when its phase began, for the rate), and
 * asks main to stop it. A stop asked for before main has started the
 * operation (the request is still being sealed) is sent with its first
 * progress event.
 */
import { useCallback, useRef, useState } from 'react';
import type { OperationProgressEvent } from '../../../src-shared/contract.js';
import { runOperation, stopOperation } from './operations-api.js';

export interface OperationState {
  phase: OperationProgressEvent['phase'];
  done: number;
  total: number;
  cancellable: boolean;
  /** When this phase began: the rate and time left are measured from it. */
  startedAt: number;
}

export function useOperation() {
  const [progress, setProgress] = useState<OperationState | null>(null);
  const [stopping, setStopping] = useState(false);
  const running = useRef<{ operationId: string; started: boolean; stopWanted: boolean } | null>(null);

  const sendStop = useCallback(async (operation: { operationId: string; started: boolean; stopWanted: boolean }) => {
    const stopped = await stopOperation(operation.operationId).catch(() => false);
    // Refused once started means past its last safe point (a restore writing): it finishes, and the dialog says what it did.
    if (!stopped && operation.started) {
      operation.stopWanted = false;
      setStopping(false);
    }
  }, []);

  const run = useCallback(
    async <T,>(start: (operationId: string) => Promise<T>): Promise<T> => {
      const operation = { operationId: crypto.randomUUID(), started: false, stopWanted: false };
      running.current = operation;
      setStopping(false);
      setProgress(null);
      try {
        return await runOperation(operation.operationId, start, (event) => {
          const first = !operation.started;
          operation.started = true;
          if (first && operation.stopWanted && event.cancellable) void sendStop(operation);
          setProgress((last) => ({
            phase: event.phase,
            done: event.done,
            total: event.total,
            cancellable: event.cancellable,
            startedAt: last && last.phase === event.phase ? last.startedAt : Date.now(),
          }));
        });
      } finally {
        running.current = null;
      }
    },
    [sendStop],
  );

  const stop = useCallback(async () => {
    const operation = running.current;
    if (!operation) return;
    operation.stopWanted = true;
    setStopping(true);
    if (operation.started) await sendStop(operation);
  }, [sendStop]);

  return { progress, stopping, run, stop };
}
