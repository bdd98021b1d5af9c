import { useEffect, useState } from 'react';
import type { MigrationReportItem, MigrationRun } from '../../../src-shared/contract.js';
import { DataTable, type DataColumn } from '../../components/DataTable.js';
import { FormError } from '../../components/FormError.js';
import { useBusyAction } from '../../hooks/use-busy-action.js';
import { describeError } from '../../lib/errors.js';
import { showToast } from '../../state/stores.js';
import { exportReport, reportPage } from './migration-api.js';
import { failReasonLabels, reportOutcomeLabels, type ReportOutcome } from './migration-labels.js';

const pillClass: Record<ReportOutcome, string> = {
  moved: 'pill--success',
  renamed: 'pill--success',
  failed: 'pill--failure',
  cancelled: 'pill--pending',
  pending: 'pill--pending',
};

const reportColumns: DataColumn<MigrationReportItem>[] = [
  { header: 'Secret', mono: true, cell: (item) => item.name },
  {
    header: 'Outcome',
    cell: (item) => (
      <span className={`pill ${pillClass[item.outcome]}`}>{item.outcome === 'renamed' ? `Renamed to ${item.targetName ?? ''}` : reportOutcomeLabels[item.outcome]}</span>
    ),
  },
  { header: 'Name in the target', mono: true, cell: (item) => item.targetName ?? '—' },
  { header: 'Why', className: 'table__wrap', cell: (item) => [item.reason ? failReasonLabels[item.reason] : null, item.detail].filter(Boolean).join(': ') },
];

/** The outcome of every secret of a run (the first page of it), with CSV and JSON export of all of it. */
export function RunReport({ run }: { run: MigrationRun }) {
  const [report, setReport] = useState<{ total: number; items: MigrationReportItem[] } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const { busy, error, run: perform } = useBusyAction<'csv' | 'json'>();

  // Read again whenever the run's counts move, so the table follows a run in progress.
  const settled = run.done + run.failed + run.cancelled;
  useEffect(() => {
    let live = true;
    reportPage(run.id)
      .then((page) => live && (setReport(page), setLoadError(null)))
      .catch((err: unknown) => live && setLoadError(describeError(err)));
    return () => {
      live = false;
    };
  }, [run.id, settled, run.state]);

  const exportAs = (format: 'csv' | 'json') =>
    perform(format, async () => {
      if (await exportReport(run, format)) showToast(`Report exported as ${format.toUpperCase()}`);
    });

  return (
    <section className="migration-report" aria-labelledby="migration-report-title">
      <div className="migration-report__header">
        <h4 id="migration-report-title" className="migration-run__title">
          Report
        </h4>
        <div className="panel__actions">
          <button type="button" className="btn btn--small" disabled={busy !== null} onClick={() => void exportAs('csv')}>
            {busy === 'csv' ? 'Exporting…' : 'Export CSV'}
          </button>
          <button type="button" className="btn btn--small" disabled={busy !== null} onClick={() => void exportAs('json')}>
            {busy === 'json' ? 'Exporting…' : 'Export JSON'}
          </button>
        </div>
      </div>
      <FormError message={error ?? loadError} />
      {report && (
        <>
          <DataTable
            label="Migration report"
            columns={reportColumns}
            rows={report.items}
            rowKey={(item) => item.secretId}
            emptyMessage="No secret was part of this run."
            rowProps={(item) => ({ className: item.outcome === 'failed' ? 'is-bad' : undefined })}
            className="migration-preview__table"
          />
          {report.total > report.items.length && (
            <p className="field__hint">
              Showing the first {report.items.length.toLocaleString('en')} of {report.total.toLocaleString('en')}; the exports hold every secret.
            </p>
          )}
        </>
      )}
    </section>
  );
}
