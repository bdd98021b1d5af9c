/**
 * Ctrl+C during a long CLI command (backup export and restore, a bulk scope
 * edit, an import of .env / CSV secrets, a migration, a master key rotation,
 * a KMS re-wrap): the work ends at its own safe point instead of the process
 * dying wherever it was, and the command says how far it got and exits 130.
 * A second Ctrl+C quits at once; one after the work ended changes nothing.
 * The core's operations that report `operation.progress` are drawn as a bar
 * and stopped with `operations.cancel`; the same works through a session,
 * whose agent forwards the events.
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
  /**
   * From now until the process exits, Ctrl+C changes nothing: the work is over, and what is left (printing
   * the outcome, locking, closing) must end with the work's own exit code.
   */
  ignoreFromNowOn(): void;
  quitNow(code: number): void;
}

let ignoringLateInterrupts = false;

export const processInterrupts: Interrupts = {
  onInterrupt(listener) {
    process.on('SIGINT', listener);
    return () => process.off('SIGINT', listener);
  },
  // Without a SIGINT listener Node ends the process by the signal, which a shell reports as 130 even after the work succeeded.
  ignoreFromNowOn() {
    if (ignoringLateInterrupts) return;
    ignoringLateInterrupts = true;
    process.on('SIGINT', () => undefined);
  },
  quitNow: (code) => process.exit(code),
};

/** What the work sees of Ctrl+C: whether it was pressed, to look at between its own batches. */
export interface CtrlC {
  readonly pressed: boolean;
}

export interface InterruptibleWork<T> {
  /** The work itself; it ends at its next safe point once `stop` was called or `ctrlC.pressed` holds. */
  run(ctrlC: CtrlC): Promise<T>;
  /** Asks the work to stop at its next safe point (the first Ctrl+C); work that looks at `ctrlC.pressed` needs none. */
  stop?(): void | Promise<void>;
  /** The bar drawn meanwhile: its line ends before a message is printed. */
  bar?: ProgressBar;
}

/**
 * Runs one long piece of work of a command, the one place Ctrl+C is handled: the first Ctrl+C asks it to
 * stop at its next safe point, a second quits the process at once with 130, and one after the work ended
 * is ignored, so the exit code stays the work's.
 */
export async function whileInterruptible<T>(
  session: Session,
  work: InterruptibleWork<T>,
  interrupts: Interrupts = processInterrupts,
): Promise<{ value: T; interrupted: boolean }> {
  const ctrlC = { pressed: false };
  const stopInterrupts = interrupts.onInterrupt(() => {
    work.bar?.finish();
    if (ctrlC.pressed) {
      session.say('Quit at once. What was written is whole: each step is its own transaction.');
      interrupts.quitNow(INTERRUPTED_EXIT);
      return;
    }
    ctrlC.pressed = true;
    session.say('Stopping at the next safe point… (Ctrl+C again quits at once)');
    void work.stop?.();
  });
  try {
    return { value: await work.run(ctrlC), interrupted: ctrlC.pressed };
  } finally {
    interrupts.ignoreFromNowOn();
    stopInterrupts();
    work.bar?.finish();
  }
}

export type OperationOutcome<T> =
  /** It ran to its end; `interrupted` when Ctrl+C came too late to stop it. */
  | { kind: 'finished'; value: T; interrupted: boolean }
  /** It stopped at a safe point (CANCELLED): `message` is the core's word on what was left unwritten. */
  | { kind: 'stopped'; message: string; progress: OperationProgressEvent | null };

/**
 * Runs `start` under a new operation id, one of the core's operations that report `operation.progress`
 * (export, restore, bulk scope edit). Ctrl+C asks the core to stop it (again at the next progress
 * event when the operation had not started yet, or was in a step that cannot be stopped).
 */
export async function runInterruptible<T>(session: Session, start: (operationId: string) => Promise<T>, interrupts: Interrupts = processInterrupts): Promise<OperationOutcome<T>> {
  const operationId = randomUUID();
  const bar = new ProgressBar(session.io.stderr);
  let last: OperationProgressEvent | null = null;
  let interrupted = false;
  let stopping = false;

  const askToStop = async () => {
    interrupted = true;
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

  try {
    const run = async () => {
      try {
        return await start(operationId);
      } finally {
        stopEvents();
      }
    };
    const { value, interrupted: late } = await whileInterruptible(session, { run, stop: askToStop, bar }, interrupts);
    return { kind: 'finished', value, interrupted: late };
  } catch (error) {
    if (error instanceof UserError && error.code === 'CANCELLED') return { kind: 'stopped', message: error.message, progress: last };
    throw error;
  }
}

/** "after 1,400 of 4,000 secrets exported", from the last progress event the operation sent. */
export function howFar(progress: OperationProgressEvent | null): string {
  return progress ? `after ${count(progress.done)} of ${count(progress.total)} ${phaseWords[progress.phase]}` : 'before it began';
}
