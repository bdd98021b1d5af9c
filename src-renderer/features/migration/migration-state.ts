/**
 * The migration view's state, kept outside the view: runs go on in main
 * whatever the window shows, so the list of runs follows main's progress
 * events for the life of the window, and the draft (managers, selection,
 * preview) and the run being watched are still there when the user comes back.
 */
import { create } from 'zustand';
import type { MigrationPreview, MigrationRun } from '../../../src-shared/contract.js';

export interface MigrationDraft {
  sourceManagerId: string;
  targetManagerId: string;
  /** 'names': only the secrets in `names`. */
  selection: 'all' | 'names';
  names: string[];
  allVersions: boolean;
  deleteSource: boolean;
  concurrency: string;
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

export const initialDraft: MigrationDraft = {
  sourceManagerId: 'local',
  targetManagerId: '',
  selection: 'all',
  names: [],
  allVersions: false,
  deleteSource: false,
  concurrency: '16',
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
