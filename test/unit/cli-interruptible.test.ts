/**
 * The CLI's one Ctrl+C handling (cli/interruptible-operation.ts) with the
 * interrupts injected: a press is delivered exactly where the test wants it,
 * before the work, in its middle, or after it ended, which a real terminal
 * cannot time. The process is modelled as Node runs it: a SIGINT with no
 * listener ends the process by the signal (a shell reports 130).
 * The real terminal is exercised by test/integration/cli-interrupt.test.ts.
 */
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src-shared/contract.js';
import { INTERRUPTED_EXIT, runInterruptible, whileInterruptible, type Interrupts } from '../../src-main/cli/interruptible-operation.js';
import { Session, type CoreAccess } from '../../src-main/cli/session.js';

/** The process's SIGINT as Node delivers it: to the listeners, or, with none, the default end by the signal. */
class TestInterrupts implements Interrupts {
  private readonly listeners = new Set<() => void>();
  private ignoring = false;
  /** The exit code the process ended with, or null while it runs. */
  exitCode: number | null = null;

  onInterrupt(listener: () => void) {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  ignoreFromNowOn() {
    this.ignoring = true;
  }

  quitNow(code: number) {
    this.exitCode ??= code;
  }

  press(): void {
    if (this.listeners.size === 0 && !this.ignoring) {
      this.exitCode ??= INTERRUPTED_EXIT;
      return;
    }
    for (const listener of [...this.listeners]) listener();
  }
}

function testSession(handle: CoreAccess['handle'] = async () => ({ ok: true, value: { stopping: true } }) as never) {
  const stderr = new PassThrough();
  let said = '';
  stderr.on('data', (chunk: Buffer) => (said += chunk.toString('utf8')));
  const listeners = new Set<(event: AppEvent) => void>();
  const core: CoreAccess = {
    handle,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const session = new Session(core, { stdin: Readable.from(['']), stdout: new PassThrough(), stderr }, '/nowhere');
  return { session, said: () => said, emit: (event: AppEvent) => listeners.forEach((listener) => listener(event)) };
}

/** A promise the test settles by hand, so the work is in flight exactly as long as the test says. */
function gate<T>() {
  let open!: (value: T) => void;
  const opened = new Promise<T>((resolve) => (open = resolve));
  return { opened, open };
}

describe('whileInterruptible', () => {
  it('the first Ctrl+C asks the work to stop and the work sees it; the work ends at its own safe point', async () => {
    const { session, said } = testSession();
    const interrupts = new TestInterrupts();
    const batchDone = gate<void>();
    const stops: string[] = [];
    const running = whileInterruptible(
      session,
      {
        stop: () => void stops.push('stop'),
        async run(ctrlC) {
          let batches = 0;
          while (batches < 10 && !ctrlC.pressed) {
            await batchDone.opened;
            batches++;
          }
          return batches;
        },
      },
      interrupts,
    );
    interrupts.press();
    batchDone.open();
    expect(await running).toEqual({ value: 1, interrupted: true });
    expect(stops).toEqual(['stop']);
    expect(interrupts.exitCode).toBeNull();
    expect(said()).toContain('Stopping at the next safe point');
  });

  it('a second Ctrl+C quits at once with 130', async () => {
    const { session, said } = testSession();
    const interrupts = new TestInterrupts();
    const never = gate<void>();
    void whileInterruptible(session, { run: () => never.opened }, interrupts);
    interrupts.press();
    expect(interrupts.exitCode).toBeNull();
    interrupts.press();
    expect(interrupts.exitCode).toBe(INTERRUPTED_EXIT);
    expect(said()).toContain('Quit at once.');
  });

  it('a Ctrl+C after the work ended changes nothing: the process does not end by the signal', async () => {
    const { session, said } = testSession();
    const interrupts = new TestInterrupts();
    expect(await whileInterruptible(session, { run: async () => 'done' }, interrupts)).toEqual({ value: 'done', interrupted: false });
    interrupts.press();
    interrupts.press();
    expect(interrupts.exitCode).toBeNull();
    expect(said()).toBe('');
  });
});

describe('runInterruptible', () => {
  it('Ctrl+C sends operations.cancel with the operation id the request carried', async () => {
    const cancels: unknown[] = [];
    const { session } = testSession(async (channel, request) => {
      if (channel === 'operations.cancel') cancels.push(request);
      return { ok: true, value: { stopping: true } } as never;
    });
    const interrupts = new TestInterrupts();
    const ended = gate<void>();
    let operationId = '';
    const outcome = runInterruptible(
      session,
      async (id) => {
        operationId = id;
        await ended.opened;
        throw new (await import('../../src-main/cli/cli-errors.js')).UserError('The export was stopped.', 'CANCELLED');
      },
      interrupts,
    );
    interrupts.press();
    await new Promise((resolve) => setImmediate(resolve));
    expect(cancels).toEqual([{ operationId }]);
    ended.open();
    expect(await outcome).toMatchObject({ kind: 'stopped', message: 'The export was stopped.' });
    expect(interrupts.exitCode).toBeNull();
  });

  it('an operation that finished is finished, and a Ctrl+C while its result is printed does not end the process', async () => {
    const { session, emit } = testSession();
    const interrupts = new TestInterrupts();
    const outcome = await runInterruptible(
      session,
      async (operationId) => {
        emit({ type: 'operation.progress', operationId, operation: 'backup.export', phase: 'exporting', done: 10, total: 10, cancellable: true });
        return 'backup';
      },
      interrupts,
    );
    expect(outcome).toEqual({ kind: 'finished', value: 'backup', interrupted: false });
    interrupts.press();
    expect(interrupts.exitCode).toBeNull();
  });
});
