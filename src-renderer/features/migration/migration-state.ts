/**
 * The migration view's state, kept outside the view: runs go on in main
 * whatever the window shows, so the list of runs follows main's progress
 * events for the life of the window, and the draft (managers, selection,
 * preview) and the run being watched are still there when the user comes back.
 */
import { create } from 'zustand';
import type { MigrationPreview, MigrationRun, SecretType } from '../../../src-shared/contract.js';

/** Which secrets of the source: all, the ones named, the ones the list's filter matches, or a saved search's. */
export type MigrationSelection = 'all' | 'names' | 'filter' | 'saved';

export interface MigrationDraft {
  sourceManagerId: string;
  targetManagerId: string;
  selection: MigrationSelection;
  names: string[];
  /** 'filter': the secrets list's filter; '' means any application or environment. */
  filter: { query: string; types: SecretType[]; applicationId: string; environmentId: string };
  /** 'saved': the saved search applied. */
  savedSearchId: string;
  allVersions: boolean;
  deleteSource: boolean;
  /** A reference the target reaches too stays a reference. */
  keepReferences: boolean;
  concurrency: string;
  /** Provider requests per second for this run; '' means each manager's own rate. */
  rate: string;
  /** Edited target names, by secret id, as the engine takes them. */
  renames: Record<string, string>;
}

export interface MigrationState {
  draft: MigrationDraft;
  /** The preview of the draft as it was when last asked; null after the draft changed. */
  preview: MigrationPreview | null;
  /** Every run main knows, newest first. */
  runs: MigrationRun[];
  /** The run the view shows: the one just started, or a past one the user opened. */
  watchedRunId: string | null;
}

/** The engine's bounds on secrets in flight (migration.start). */
export const CONCURRENCY_MIN = 1;
export const CONCURRENCY_MAX = 256;

/** The concurrency field as a number, or null when it is not a whole number in range. */
export function parseConcurrency(text: string): number | null {
  const n = Number(text);
  return text.trim() !== '' && Number.isInteger(n) && n >= CONCURRENCY_MIN && n <= CONCURRENCY_MAX ? n : null;
}

/** The engine's bound on a run's rate (migration.start). */
export const RATE_MAX = 1_000_000;

/** The rate field as a number, undefined when empty (each manager's own rate), or null when it is not a positive number in range. */
export function parseRate(text: string): number | undefined | null {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 && n <= RATE_MAX ? n : null;
}

export const initialDraft: MigrationDraft = {
  sourceManagerId: 'local',
  targetManagerId: '',
  selection: 'all',
  names: [],
  filter: { query: '', types: [], applicationId: '', environmentId: '' },
  savedSearchId: '',
  allVersions: false,
  deleteSource: false,
  keepReferences: false,
  concurrency: '16',
  rate: '',
  renames: {},
};

export const useMigration = create<MigrationState>()(() => ({ draft: initialDraft, preview: null, runs: [], watchedRunId: null }));

/** Changing what would move makes the preview stale; edited names belong to the secrets of that source. */
export function updateDraft(change: Partial<MigrationDraft>): void {
  useMigration.setState(({ draft }) => {
    const sourceChanged = change.sourceManagerId !== undefined && change.sourceManagerId !== draft.sourceManagerId;
    return {
      draft: { ...draft, ...change, ...(sourceChanged ? { names: [], renames: {} } : {}) },
      preview: null,
    };
  });
}

export function setPreview(preview: MigrationPreview, renames: Record<string, string>): void {
  useMigration.setState(({ draft }) => ({ preview, draft: { ...draft, renames } }));
}

/** Newest first, one entry per run: a progress event replaces the run it describes. */
export function upsertRun(runs: readonly MigrationRun[], run: MigrationRun): MigrationRun[] {
  const rest = runs.filter((r) => r.id !== run.id);
  return [run, ...rest].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export function applyRun(run: MigrationRun): void {
  useMigration.setState(({ runs }) => ({ runs: upsertRun(runs, run) }));
}

export function setRuns(runs: MigrationRun[]): void {
  useMigration.setState({ runs: [...runs].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) });
}

export function watchRun(runId: string | null): void {
  useMigration.setState({ watchedRunId: runId });
}

/** A locked store shows no secret names: drop the preview, the chosen and edited names, and the runs (read again at unlock). */
export function forgetNames(): void {
  useMigration.setState(({ draft }) => ({ preview: null, runs: [], draft: { ...draft, names: [], renames: {} } }));
}
