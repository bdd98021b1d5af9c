/**
 * Words the migration view shows for the engine's outcomes, reasons and
 * states, and how it writes counts, rates and times. Pure, so tested alone.
 */
import type { MigrationFailReason, MigrationPreviewItem, MigrationReportItem, MigrationRun } from '../../../src-shared/contract.js';

export type PreviewOutcome = MigrationPreviewItem['outcome'];
export type ReportOutcome = MigrationReportItem['outcome'];

export const previewOutcomeLabels: Record<PreviewOutcome, string> = {
  move: 'Will move',
  rename: 'Will be renamed',
  fail: 'Will fail',
};

export const reportOutcomeLabels: Record<ReportOutcome, string> = {
  moved: 'Moved',
  renamed: 'Renamed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  pending: 'Pending',
};

export const failReasonLabels: Record<MigrationFailReason, string> = {
  'too-large': 'Too large for the target',
  'target-read-only': 'Target is read-only',
  'source-read-only': 'Source is read-only',
  'scope-outside-target': 'Scope does not fit the target',
  'name-taken': 'Name taken in the target',
  'name-clash': 'Two secrets map to this name',
  'name-invalid': 'Name not allowed in the target',
  'versions-not-kept': 'Target keeps no history',
  'in-another-run': 'In another migration',
  'secret-deleted': 'Secret deleted meanwhile',
  'copy-failed': 'Copy failed',
  'verify-failed': 'Read-back did not match',
  'source-remove-failed': 'Source copy not removed',
};

/** The run's state as the user reads it: a run whose process stopped is "Interrupted", not "Running". */
export function runStateLabel(run: Pick<MigrationRun, 'state' | 'interrupted'>): string {
  if (run.interrupted) return 'Interrupted';
  return { running: 'Running', paused: 'Paused', cancelled: 'Cancelled', finished: 'Finished' }[run.state];
}

/** A run the user can still act on: pause, resume or cancel. */
export function isOpenRun(run: Pick<MigrationRun, 'state'>): boolean {
  return run.state === 'running' || run.state === 'paused';
}

/** "1 h 2 min", "3 min 4 s", "5 s"; null (not yet known) as "—". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${s % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** What the progress bar says to a screen reader and beside it: "3 of 10 secrets done". */
export function progressText(run: Pick<MigrationRun, 'done' | 'total'>): string {
  return `${run.done.toLocaleString('en')} of ${plural(run.total, 'secret')} done`;
}

/** Items that no longer wait: moved, failed or cancelled. The bar fills with them so a run with failures still reaches its end. */
export function settledCount(run: Pick<MigrationRun, 'done' | 'failed' | 'cancelled'>): number {
  return run.done + run.failed + run.cancelled;
}

/** "Moves from A to B", from the managers' names when the catalog knows them. */
export function runTitle(run: Pick<MigrationRun, 'sourceManagerId' | 'targetManagerId'>, managerName: (id: string) => string): string {
  return `${managerName(run.sourceManagerId)} → ${managerName(run.targetManagerId)}`;
}

/** A date and time in the user's locale, to the minute. */
export function formatWhen(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
