/**
 * The migration channels (src-shared/migration-contract.ts) as the view uses
 * them. Values never come here: main and the delegate move them; the view
 * sees names, outcomes and counts.
 */
import type { MigrationDraft } from './migration-state.js';
import type { ChannelRequest, MigrationPreview, MigrationReportItem, MigrationRun, SavedSearch } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';
import { getApi } from '../../api/connection.js';
import { saveFile } from '../../state/files.js';
import { applyRun, forgetNames, setRuns } from './migration-state.js';
import { reportCsv, reportFileName, reportJson } from './report-export.js';
import { useSavedSearches } from '../saved-searches/index.js';

/** The list filter the draft selects by: its own, or the saved search's; undefined for the other selections. */
function selectionFilter(draft: MigrationDraft, savedSearches: readonly SavedSearch[]): ChannelRequest<'migration.preview'>['filter'] {
  if (draft.selection === 'saved') {
    const saved = savedSearches.find((search) => search.id === draft.savedSearchId);
    if (!saved) throw new Error('Choose a saved search.');
    return saved.filter;
  }
  if (draft.selection !== 'filter') return undefined;
  const { query, types, applicationId, environmentId } = draft.filter;
  return { query, types, ...(applicationId ? { applicationId } : {}), ...(environmentId ? { environmentId } : {}) };
}

/** The engine's plan request for a draft; `renames` replaces the draft's edited names when given. */
export function planRequest(draft: MigrationDraft, renames: Record<string, string> = draft.renames): ChannelRequest<'migration.preview'> {
  const filter = selectionFilter(draft, useSavedSearches.getState().items);
  return {
    sourceManagerId: draft.sourceManagerId,
    targetManagerId: draft.targetManagerId,
    ...(draft.selection === 'names' ? { names: draft.names } : {}),
    ...(filter ? { filter } : {}),
    allVersions: draft.allVersions,
    deleteSource: draft.deleteSource,
    keepReferences: draft.keepReferences,
    renames,
  };
}

export const previewMigration = (draft: MigrationDraft, renames?: Record<string, string>): Promise<MigrationPreview> =>
  call('migration.preview', planRequest(draft, renames));

export async function startMigration(draft: MigrationDraft, concurrency: number, ratePerSecond?: number): Promise<MigrationRun> {
  const run = await call('migration.start', { ...planRequest(draft), concurrency, ...(ratePerSecond !== undefined ? { ratePerSecond } : {}) });
  applyRun(run);
  return run;
}

type RunAction = 'migration.pause' | 'migration.resume' | 'migration.cancel';

export async function act(channel: RunAction, runId: string): Promise<MigrationRun> {
  const run = await call(channel, { runId });
  applyRun(run);
  return run;
}

export async function reloadRuns(): Promise<void> {
  setRuns((await call('migration.list', {})).items);
}

let following: Promise<void> | null = null;

/** Follows every run's progress for the life of the window, whichever view shows; forgets secret names when the store locks. */
export function followMigrations(): Promise<void> {
  following ??= getApi().then((api) => {
    api.onEvent((event) => {
      if (event.type === 'migration.progress') applyRun(event.run);
      else if (event.type === 'vault.locked') forgetNames();
    });
  });
  return following;
}

/** The largest page secrets.list returns. */
const NAMES_PAGE = 500;

/** The names of every secret a list request matches, page by page (a search may match tens of thousands). */
export async function matchingNames(request: Omit<ChannelRequest<'secrets.list'>, 'offset' | 'limit'>): Promise<string[]> {
  const names: string[] = [];
  for (;;) {
    const page = await call('secrets.list', { ...request, offset: names.length, limit: NAMES_PAGE });
    names.push(...page.items.map((item) => item.name));
    if (page.items.length === 0 || names.length >= page.total) return names;
  }
}

/** The largest page the report channel returns. */
const REPORT_PAGE = 1000;

export function reportPage(runId: string, offset = 0): Promise<{ total: number; items: MigrationReportItem[] }> {
  return call('migration.report', { runId, limit: REPORT_PAGE, offset });
}

/** Every item of a run's report, page by page. */
export async function fullReport(runId: string): Promise<MigrationReportItem[]> {
  const items: MigrationReportItem[] = [];
  for (;;) {
    const page = await reportPage(runId, items.length);
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total) return items;
  }
}

/** Saves the report through the same save-or-download path as backups; false when the user cancelled. */
export async function exportReport(run: MigrationRun, format: 'csv' | 'json'): Promise<boolean> {
  const items = await fullReport(run.id);
  const [text, type] = format === 'csv' ? [reportCsv(items), 'text/csv'] : [reportJson(run, items), 'application/json'];
  return saveFile(reportFileName(run, format), new Blob([text], { type }));
}
