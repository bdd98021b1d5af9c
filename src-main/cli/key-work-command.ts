/**
 * Key work run from the CLI (`keyring rotate`, `manager rewrap M`): its
 * progress events drawn as a bar, and Ctrl+C handled by the shared
 * `whileInterruptible`. The core stops key work between batches when the
 * store locks (the rows are the journal: each names the key that wraps it),
 * so on the command's own core Ctrl+C locks it: the batch in flight is
 * committed or not written at all, every secret still opens, and the work
 * waits, journaled, for the next unlock of the app or a session (which
 * finish it by themselves) or for the command run again. Through a session
 * the agent does the work: Ctrl+C leaves it to the agent, which finishes it.
 */
import type { AppEvent } from '../../src-shared/contract.js';
import { UserError } from './cli-errors.js';
import { count, INTERRUPTED_EXIT, whileInterruptible, type Interrupts } from './interruptible-operation.js';
import { ProgressBar, type ProgressFigures } from './progress-bar.js';
import type { Session } from './session.js';

export interface KeyWorkCommand<T> {
  /** Asks the core for the work; resolves with its report. */
  start(): Promise<T>;
  /** The bar's figures from one of the work's progress events, or null for any other event. */
  progressOf(event: AppEvent): ProgressFigures | null;
  /** "the master key rotation", "the re-wrap of \"kms-a\"". */
  title: string;
  /** The command that continues it: "strongroom keyring rotate". */
  again: string;
}

/** The work's report, or the exit code when Ctrl+C stopped it (after saying how far it got and how it resumes). */
export async function runKeyWork<T>(session: Session, work: KeyWorkCommand<T>, interrupts?: Interrupts): Promise<{ report: T } | { exitCode: number }> {
  const bar = new ProgressBar(session.io.stderr);
  const progress: { last: ProgressFigures | null } = { last: null };
  const unsubscribe = session.core.onEvent((event) => {
    const figures = work.progressOf(event);
    if (!figures) return;
    progress.last = figures;
    bar.update(figures);
  });
  let leave: () => void = () => undefined;
  const left = new Promise<null>((resolve) => (leave = () => resolve(null)));
  try {
    const { value, interrupted } = await whileInterruptible(
      session,
      {
        bar,
        stop() {
          if (session.servedBySession) leave();
          // A lock under way stops the work at its next batch; the batch answered meanwhile is committed.
          else void session.call('vault.lock', {}).catch(() => undefined);
        },
        async run(ctrlC) {
          try {
            return await Promise.race([work.start(), left]);
          } catch (error) {
            // Stopped by the lock Ctrl+C asked for.
            if (ctrlC.pressed && error instanceof UserError) return null;
            throw error;
          }
        },
      },
      interrupts,
    );
    if (value !== null) {
      if (interrupted) session.say(`Ctrl+C came too late to stop ${work.title}: it finished.`);
      return { report: value };
    }
  } finally {
    unsubscribe();
  }
  const { last } = progress;
  const howFar = last ? `after ${count(last.done)} of ${count(last.total)} keys` : 'before it began';
  // The work's first event comes once its journal row is written: before it, nothing was started.
  if (!last && !session.servedBySession) {
    session.say(`Stopped ${work.title} before it began: nothing changed.`);
  } else if (session.servedBySession) {
    session.say(`Left ${howFar}: ${work.title} goes on in the session agent, which finishes it ("strongroom status" says how far it is).`);
  } else {
    session.say(
      `Stopped ${work.title} ${howFar}, between batches: every secret still opens. It stays journaled and finishes by itself at the next unlock of the app or a session ("strongroom unlock"), or run "${work.again}" again.`,
    );
  }
  return { exitCode: INTERRUPTED_EXIT };
}
