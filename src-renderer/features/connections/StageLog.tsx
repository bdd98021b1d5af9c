import { formatDateTime } from '../../lib/format.js';
import { detailRows, formatDuration, stageLabel, stageSummary, statusMarks, type DetailRow, type ReportKind } from './connection-report.js';
import type { LogLine } from './connection-form.js';
import './connections.css';

const statusWords: Record<LogLine['status'], string> = {
  ok: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  running: 'running',
  pending: 'waiting',
};

export function DetailList({ rows, label }: { rows: DetailRow[]; label: string }) {
  if (rows.length === 0) return null;
  return (
    <dl className="conn-details" aria-label={label}>
      {rows.map((row) => (
        <div key={row.key} className={`conn-details__row${row.alert ? ' is-alert' : ''}`}>
          <dt>{row.label}</dt>
          <dd className={row.format === 'mono' ? 'mono' : row.format === 'block' ? 'conn-details__block' : undefined}>
            {row.format === 'date' ? <time dateTime={row.value}>{formatDateTime(row.value)}</time> : row.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

interface StageLogProps {
  lines: LogLine[];
  kind: ReportKind | null;
  /** Announce stages as they arrive (the live log); off for a report from the history. */
  live?: boolean;
  label?: string;
}

/** One line per stage: ✓/✗, its name, its duration, what it learnt in brief, and its details. Failed stages open by themselves. */
export function StageLog({ lines, kind, live = false, label = 'Test stages' }: StageLogProps) {
  if (lines.length === 0) return null;
  return (
    <ol className="conn-log" aria-label={label} aria-live={live ? 'polite' : undefined}>
      {lines.map((line) => {
        const name = stageLabel(line.stage, kind);
        const rows = line.entry ? detailRows(line.entry.details) : [];
        const summary = line.entry ? stageSummary(line.entry) : '';
        const head = (
          <>
            <span className={`conn-log__mark is-${line.status}`} aria-hidden="true">
              {line.status === 'running' ? <span className="spinner" /> : statusMarks[line.status]}
            </span>
            <span className="conn-log__name">
              {name}
              <span className="visually-hidden">: {statusWords[line.status]}</span>
            </span>
            <span className="conn-log__summary">{summary}</span>
            <span className="conn-log__time">{line.entry ? formatDuration(line.entry.durationMs) : ''}</span>
          </>
        );
        return (
          <li key={line.stage} className={`conn-log__line is-${line.status}`}>
            {rows.length > 0 ? (
              <details className="conn-log__details" open={line.status === 'failed' || undefined}>
                <summary className="conn-log__head">{head}</summary>
                <DetailList rows={rows} label={`${name} details`} />
              </details>
            ) : (
              <div className="conn-log__head">{head}</div>
            )}
          </li>
        );
      })}
    </ol>
  );
}
