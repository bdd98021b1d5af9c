import { Fragment, useEffect, useState } from 'react';
import type { ConnectionTestRecord } from '../../../src-shared/contract.js';
import { FormError } from '../../components/FormError.js';
import { LoadingStatus } from '../../components/LoadingStatus.js';
import { TableHead } from '../../components/TableHead.js';
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
  if (loaded.records.length === 0) return <p className="empty">No tests yet. Run one on the Test tab.</p>;

  const rows = historyRows(loaded.records);
  return (
    <div className="table-wrap">
      <table className="table conn-history" aria-label="Past connection tests" aria-busy={loading}>
        <TableHead columns={['Time', 'Target', 'Result', 'Consumer', 'By']} actionsLabel="Report" />
        <tbody>
          {rows.map((row, index) => {
            const record = loaded.records![index]!;
            const expanded = open === row.id;
            const verdict = verdictOf(record.report);
            return (
              <Fragment key={row.id}>
                <tr>
                  <td>
                    <time dateTime={row.startedAt}>{formatDateTime(row.startedAt)}</time>
                  </td>
                  <td className="mono">{row.target}</td>
                  <td>
                    <span className={`pill tinted ${row.ok ? 'is-ok' : 'is-bad'}`}>{row.result}</span>
                  </td>
                  <td>{row.consumer}</td>
                  <td>{row.actor}</td>
                  <td>
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
                  </td>
                </tr>
                {expanded && (
                  <tr className="conn-history__report">
                    <td colSpan={6} id={`conn-history-${row.id}`}>
                      <p className={`conn-history__verdict ${verdict.ok ? 'is-ok' : 'is-bad'}`}>{verdict.title}</p>
                      {verdict.message && <p className="conn-history__message">{verdict.message}</p>}
                      <StageLog
                        lines={record.report.stages.map((stage) => ({ stage: stage.stage, status: stage.status, entry: stage }))}
                        kind={record.report.kind ?? kind}
                        label="Stages of this test"
                      />
                      {verdict.code && hintFor(verdict.code) && <p className="field__hint">{hintFor(verdict.code)}</p>}
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
