/**
 * A long operation run from the CLI (backup export and restore, a bulk scope
 * edit): its `operation.progress` events drawn as a bar on a terminal, and
 * Ctrl+C turned into `operations.cancel` so the operation ends at its own safe
 * point instead of the process dying wherever it was. A second Ctrl+C quits
 * at once. The same works through a session, whose agent forwards the events.
 */
import { randomUUID } from 'node:crypto';
import type { OperationProgressEvent } from '../../src-shared/contract.js';
import { UserError } from './cli-errors.js';
import { ProgressBar } from './progress-bar.js';
import type { Session } from './session.js';

/** 128 + SIGINT, what a shell reports for a command Ctrl+C ended. */
export const INTERRUPTED_EXIT = 130;

/** What a bar counts in each phase of an operation. */
const phaseWords = { exporting: 'secrets exported', decrypting: 'parts decrypted', writing: 'secrets being written', editing: 'edited' } as const;

/** Counts as people read them: 1,500 rather than 1500. */
export const count = (value: number) => value.toLocaleString('en-US');

/** Where Ctrl+C comes from and how the process quits at once; the process itself unless a test says otherwise. */
export interface Interrupts {
  onInterrupt(listener: () => void): () => void;
  quitNow(code: number): void;
}

export const processInterrupts: Interrupts = {
  onInterrupt(listener) {
    process.on('SIGINT', listener);
    return () => process.off('SIGINT', listener);
  },
  quitNow: (code) => process.exit(code),
};

export type OperationOutcome<T> =
  /** It ran to its end; `interrupted` when Ctrl+C came too late to stop it. */
  | { kind: 'finished'; value: T; interrupted: boolean }
  /** It stopped at a safe point (CANCELLED): `message` is the core's word on what was left unwritten. */
  | { kind: 'stopped'; message: string; progress: OperationProgressEvent | null };

/**
 * Runs `start` under a new operation id. Ctrl+C asks the core to stop it (again at the next progress
 * event when the operation had not started yet, or was in a step that cannot be stopped); a second
 * Ctrl+C quits the process with exit 130.
 */
export async function runInterruptible<T>(session: Session, start: (operationId: string) => Promise<T>, interrupts: Interrupts = processInterrupts): Promise<OperationOutcome<T>> {
  const operationId = randomUUID();
  const bar = new ProgressBar(session.io.stderr);
  let last: OperationProgressEvent | null = null;
  let interrupted = false;
  let stopping = false;

  const askToStop = async () => {
    const { stopping: accepted } = await session.call('operations.cancel', { operationId }).catch(() => ({ stopping: false }));
    stopping ||= accepted;
    if (!accepted && last && !last.cancellable) {
      bar.finish();
      session.say('This step cannot be stopped (one write transaction); it ends in a moment. Press Ctrl+C again to quit at once.');
    }
  };

  const stopEvents = session.core.onEvent((event) => {
    if (event.type !== 'operation.progress' || event.operationId !== operationId) return;
    last = event;
    bar.update({ done: event.done, total: event.total, detail: phaseWords[event.phase] });
    // A Ctrl+C before the operation was running, or during a step that could not stop, is asked again now.
    if (interrupted && !stopping && event.cancellable) void askToStop();
  });
  const stopInterrupts = interrupts.onInterrupt(() => {
    if (interrupted) {
      bar.finish();
      session.say('Quit at once. What was written is whole: each step is its own transaction.');
      interrupts.quitNow(INTERRUPTED_EXIT);
      return;
    }
    interrupted = true;
    bar.finish();
    session.say('Stopping at the next safe point… (Ctrl+C again quits at once)');
    void askToStop();
  });

  try {
    return { kind: 'finished', value: await start(operationId), interrupted };
  } catch (error) {
    if (error instanceof UserError && error.code === 'CANCELLED') return { kind: 'stopped', message: error.message, progress: last };
    throw error;
  } finally {
    stopInterrupts();
    stopEvents();
    bar.finish();
  }
}

/** "after 1,400 of 4,000 secrets exported", from the last progress event the operation sent. */
export function howFar(progress: OperationProgressEvent | null): string {
  return progress ? `after ${count(progress.done)} of ${count(progress.total)} ${phaseWords[progress.phase]}` : 'before it began';
}
