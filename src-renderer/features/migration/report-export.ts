/**
 * A migration's report as the files the user exports: CSV (one row per
 * secret, RFC 4180 quoting) and JSON (the run and its items as the engine
 * returned them). Pure, so tested alone.
 */
import type { MigrationReportItem, MigrationRun } from '../../../src-shared/contract.js';
import { failReasonLabels } from './migration-labels.js';

const CSV_COLUMNS = ['name', 'target_name', 'outcome', 'reason', 'detail', 'state', 'updated_at'] as const;

/** RFC 4180: quote a field when it holds a quote, a comma or a line break; double its quotes. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

// A cell starting with one of these is read as a formula by spreadsheets; a leading quote keeps it text.
const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(value: string | null): string {
  const text = value ?? '';
  return csvField(FORMULA_START.test(text) ? `'${text}` : text);
}

export function reportCsv(items: readonly MigrationReportItem[]): string {
  const rows = items.map((item) =>
    [item.name, item.targetName, item.outcome, item.reason ? failReasonLabels[item.reason] : null, item.detail, item.state, item.updatedAt].map(csvCell).join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

export function reportJson(run: MigrationRun, items: readonly MigrationReportItem[]): string {
  return `${JSON.stringify({ run, items }, null, 2)}\n`;
}

/** strongroom-migration-<first 8 of the id>.<ext>: names the run, sorts with the others. */
export function reportFileName(run: Pick<MigrationRun, 'id' | 'createdAt'>, ext: 'csv' | 'json'): string {
  const day = run.createdAt.slice(0, 10).replaceAll('-', '');
  return `strongroom-migration-${day}-${run.id.slice(0, 8)}.${ext}`;
}
