import { useEffect, useState } from 'react';
import type { ConnectionTestRecord } from '../../../src-shared/contract.js';
import { DataTable, type DataColumn } from '../../components/DataTable.js';
import { FormError } from '../../components/FormError.js';
import { LoadingStatus } from '../../components/LoadingStatus.js';
import { describeError } from '../../lib/errors.js';
import { formatDateTime } from '../../lib/format.js';
import { StageLog } from './StageLog.js';
import { historyRows } from './connection-form.js';
import { hintFor, verdictOf, type ReportKind } from './connection-report.js';
import { connectionHistory } from './connections-api.js';
import './connections.css';

interface ConnectionHistoryProps {
  secretId: string;
  kind: ReportKind;
  /** Changes after each test, so the list reloads. */
  refreshKey?: number;
}

type Loaded = { key: string; records: ConnectionTestRecord[] | null; error: string | null };

/** Past tests of one credential: time, target, result, consumer and who ran it; each report can be opened. */
export function ConnectionHistory({ secretId, kind, refreshKey = 0 }: ConnectionHistoryProps) {
  const loadKey = `${secretId}:${refreshKey}`;
  const [loaded, setLoaded] = useState<Loaded>({ key: '', records: null, error: null });
  const [open, setOpen] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    connectionHistory(secretId).then(
      (records) => {
        if (!cancelled) setLoaded({ key: loadKey, records, error: null });
      },
      (err: unknown) => {
        if (!cancelled) setLoaded({ key: loadKey, records: null, error: describeError(err) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [secretId, loadKey]);

  const loading = loaded.key !== loadKey;
  if (loaded.error && !loading) return <FormError message={loaded.error} />;
  if (loaded.records === null) {
    return <LoadingStatus>Loading past tests…</LoadingStatus>;
  }
  const records = loaded.records;
  const rows = historyRows(records).map((row, index) => ({ row, record: records[index]! }));
  type HistoryRow = (typeof rows)[number];
  const columns: DataColumn<HistoryRow>[] = [
    { header: 'Time', cell: ({ row }) => <time dateTime={row.startedAt}>{formatDateTime(row.startedAt)}</time> },
    { header: 'Target', mono: true, cell: ({ row }) => row.target },
    { header: 'Result', cell: ({ row }) => <span className={`pill tinted ${row.ok ? 'is-ok' : 'is-bad'}`}>{row.result}</span> },
    { header: 'Consumer', cell: ({ row }) => row.consumer },
    { header: 'By', cell: ({ row }) => row.actor },
    {
      header: 'Report',
      headerHidden: true,
      cell: ({ row }) => {
        const expanded = open === row.id;
        return (
          <button
            type="button"
            className="btn btn--ghost btn--small"
            aria-expanded={expanded}
            aria-controls={`conn-history-${row.id}`}
            onClick={() => setOpen(expanded ? null : row.id)}
            aria-label={`${expanded ? 'Hide' : 'Show'} report of the test at ${formatDateTime(row.startedAt)}`}
          >
            {expanded ? 'Hide' : 'Show'}
          </button>
        );
      },
    },
  ];
  const report = ({ row, record }: HistoryRow) => {
    if (open !== row.id) return null;
    const verdict = verdictOf(record.report);
    return {
      id: `conn-history-${row.id}`,
      className: 'conn-history__report',
      content: (
        <>
          <p className={`conn-history__verdict ${verdict.ok ? 'is-ok' : 'is-bad'}`}>{verdict.title}</p>
          {verdict.message && <p className="conn-history__message">{verdict.message}</p>}
          <StageLog lines={record.report.stages.map((stage) => ({ stage: stage.stage, status: stage.status, entry: stage }))} kind={record.report.kind ?? kind} label="Stages of this test" />
          {verdict.code && hintFor(verdict.code) && <p className="field__hint">{hintFor(verdict.code)}</p>}
        </>
      ),
    };
  };
  return (
    <DataTable
      label="Past connection tests"
      columns={columns}
      rows={rows}
      rowKey={({ row }) => row.id}
      emptyMessage="No tests yet. Run one on the Test tab."
      busy={loading}
      rowDetail={report}
      tableClassName="conn-history"
    />
  );
}
