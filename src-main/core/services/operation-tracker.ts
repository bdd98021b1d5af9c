/**
 * Long operations that report progress and may be stopped: each runs under
 * the operation id its request carried, emits `operation.progress` events
 * tagged with it, and looks at its stop flag only at its own safe points
 * (between batches, before a backup part), so a stop never leaves half a
 * write behind.
 */
import type { AppEvent, ProgressOperation, ProgressPhase } from '../../../src-shared/contract.js';
import { AppError } from '../app-error.js';

export class RunningOperation {
  private stopRequested = false;
  private cancellable = true;

  constructor(
    private readonly operation: ProgressOperation,
    private readonly operationId: string | undefined,
    private readonly emit: (event: AppEvent) => void,
  ) {}

  /** Says how far the operation is; `cancellable` false while a step runs that cannot be stopped. */
  report(phase: ProgressPhase, done: number, total: number, cancellable = true): void {
    this.cancellable = cancellable;
    if (this.operationId === undefined) return;
    this.emit({ type: 'operation.progress', operationId: this.operationId, operation: this.operation, phase, done, total, cancellable });
  }

  /** Asked by operations.cancel; false when the operation is past the point where it can stop. */
  requestStop(): boolean {
    if (!this.cancellable) return false;
    this.stopRequested = true;
    return true;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  /** At a safe point: ends the operation with CANCELLED when a stop was asked for. */
  throwIfStopped(what: string): void {
    if (this.stopRequested) throw new AppError('CANCELLED', what);
  }
}

export class OperationTracker {
  private readonly running = new Map<string, RunningOperation>();

  constructor(private readonly emit: (event: AppEvent) => void) {}

  /** Runs `work` as one operation; without an id it runs the same, reporting to nobody. */
  async run<T>(operation: ProgressOperation, operationId: string | undefined, work: (running: RunningOperation) => Promise<T>): Promise<T> {
    if (operationId !== undefined && this.running.has(operationId)) throw new AppError('INVALID_REQUEST', 'An operation with this id is already running.');
    const running = new RunningOperation(operation, operationId, this.emit);
    if (operationId !== undefined) this.running.set(operationId, running);
    try {
      return await work(running);
    } finally {
      if (operationId !== undefined) this.running.delete(operationId);
    }
  }

  cancel(operationId: string): boolean {
    return this.running.get(operationId)?.requestStop() ?? false;
  }
}
