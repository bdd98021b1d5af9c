/**
 * The state of key work main keeps and `keys.status` returns: what runs in
 * this process, with its progress, over what the store file records
 * (key-work-records.ts). Each run's end is recorded in the store, so the last
 * outcome outlasts this process and a locked store still tells it. Every
 * change of state is announced with `keys.changed`; progress keeps arriving as
 * the rotation's and re-wrap's own events.
 */
import type { Database } from 'better-sqlite3';
import type { AppEvent, KeyWork } from '../../../src-shared/contract.js';
import { toAppError } from '../app-error.js';
import { pendingKeyWork, recordOutcome, recordedKeyWork, sameTarget, type KeyWorkTarget, type RecordedOutcome } from './key-work-records.js';

/** How a run is named in its state's messages. */
export interface KeyWorkWording {
  /** While it runs: "Rotating the master key…". */
  running: string;
  /** In a failure: "the master key rotation". */
  title: string;
  /** What to do after a failure: "Rotate the master key again to continue it." */
  retry: string;
}

/** These stop a run because the store locked (a restarted delegate locks it too); the next unlock continues it. */
const STOPPED_BY_LOCK = new Set(['LOCKED', 'DELEGATE_UNAVAILABLE']);

/** The state a run that threw ends in, and what it says. */
export function failedOutcome(error: unknown, wording: Pick<KeyWorkWording, 'title' | 'retry'>): Pick<RecordedOutcome, 'state' | 'message'> {
  const failure = toAppError(error);
  if (STOPPED_BY_LOCK.has(failure.code)) {
    return { state: 'waiting', message: `The store locked while ${wording.title} ran; it will finish at the next unlock (in the app, or a session: strongroom unlock).` };
  }
  return { state: 'failed', message: `Could not finish ${wording.title}: ${failure.message} ${wording.retry}` };
}

export class KeyWorkStatus {
  private readonly running: KeyWork[] = [];

  constructor(
    private readonly db: Database,
    private readonly emit: (event: AppEvent) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Runs in this process first, then what the store records (interrupted runs, last outcomes). */
  list(): KeyWork[] {
    const recorded = recordedKeyWork(this.db).filter((item) => !this.running.some((run) => sameTarget(run, item)));
    return [...this.running, ...recorded];
  }

  /** Follows the progress events of runs in this process. */
  observe(event: AppEvent): void {
    if (event.type === 'keyring.rotateProgress' && event.phase !== 'done') this.progress({ work: 'keyring.rotate', managerId: null }, event.done, event.total);
    else if (event.type === 'managers.rewrapProgress') this.progress({ work: 'managers.rewrap', managerId: event.managerId }, event.done, event.total);
  }

  /**
   * Runs one piece of key work and keeps its state: running, then finished with what `finished` says; or, when it
   * threw with its journal row still set, failed with the reason, or waiting when the store locked. A throw that left
   * no journal row (a wrong passphrase, an unreachable KMS before anything moved) changed nothing, so the last outcome
   * stays as it was. Rethrows.
   */
  async track<T>(target: KeyWorkTarget & Pick<KeyWork, 'managerName' | 'resumed'>, wording: KeyWorkWording, work: () => Promise<T>, finished: (result: T) => string): Promise<T> {
    this.begin({ ...target, state: 'running', message: wording.running, at: this.now().toISOString(), progress: null });
    try {
      const result = await work();
      this.end(target, { ...target, state: 'finished', message: finished(result), at: this.now().toISOString() });
      return result;
    } catch (error) {
      const interrupted = pendingKeyWork(this.db).some((work) => sameTarget(work, target));
      this.end(target, interrupted ? { ...target, ...failedOutcome(error, wording), at: this.now().toISOString() } : null);
      throw error;
    }
  }

  private begin(run: KeyWork): void {
    // A run asked for while the same one runs joins it (keyring-rotation.ts, kms-rewrap.ts): one entry, its figures kept.
    const index = this.running.findIndex((other) => sameTarget(other, run));
    if (index >= 0) this.running[index] = { ...run, progress: this.running[index]!.progress };
    else this.running.push(run);
    this.emit({ type: 'keys.changed' });
  }

  private end(target: KeyWorkTarget, outcome: RecordedOutcome | null): void {
    const index = this.running.findIndex((run) => sameTarget(run, target));
    if (index >= 0) this.running.splice(index, 1);
    if (outcome) recordOutcome(this.db, outcome);
    this.emit({ type: 'keys.changed' });
  }

  private progress(target: KeyWorkTarget, done: number, total: number): void {
    const run = this.running.find((other) => sameTarget(other, target));
    if (run) run.progress = { done, total };
  }
}
