import { useEffect, useState } from 'react';
import { auditActions, auditActorKinds, type AuditAction, type AuditActorKind, type AuditEntry, type ChannelResult } from '../../src-shared/contract.js';
import { call } from '../api/call.js';
import {
  AUDIT_PAGE_SIZE,
  auditActionLabel,
  auditActionLabels,
  auditActorFilterLabels,
  auditActorLabel,
  auditPeriods,
  describeVerification,
  pageInfo,
  periodStart,
  type AuditPeriod,
} from '../lib/audit.js';
import { describeError } from '../lib/errors.js';
import { formatDateTime } from '../lib/format.js';
import { DataTable, type DataColumn } from './DataTable.js';
import { Panel } from './Panel.js';
import './audit-view.css';

type AuditPage = ChannelResult<'audit.list'>;

interface Loaded {
  /** Which request this answers, so a stale reply is never shown as current. */
  key: string;
  page?: AuditPage;
  error?: string;
}

interface AuditFilters {
  target: string;
  actor: AuditActorKind | '';
  action: AuditAction | '';
  period: AuditPeriod;
}

const auditColumns: DataColumn<AuditEntry>[] = [
  { header: '#', numeric: true, cell: (entry) => entry.seq },
  { header: 'Time', cell: (entry) => <time dateTime={entry.at}>{formatDateTime(entry.at)}</time> },
  { header: 'Actor', title: (entry) => entry.actor, cell: (entry) => auditActorLabel(entry.actor) },
  { header: 'Action', title: (entry) => entry.action, cell: auditActionLabel },
  { header: 'Target', mono: true, title: (entry) => entry.detail ?? undefined, cell: (entry) => entry.target ?? '—' },
  { header: 'Outcome', cell: (entry) => <span className={`pill pill--${entry.outcome}`}>{entry.outcome === 'success' ? 'Success' : 'Failure'}</span> },
  { header: 'Seal', cell: (entry) => <span className={`pill ${entry.sealed ? 'pill--sealed' : 'pill--pending'}`}>{entry.sealed ? 'Sealed' : 'Pending'}</span> },
];

const noFilters: AuditFilters = { target: '', actor: '', action: '', period: 'any' };

export function AuditView() {
  const [offset, setOffset] = useState(0);
  const [reloads, setReloads] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [verification, setVerification] = useState<{ text: string; intact: boolean } | null>(null);
  const [filters, setFilters] = useState<AuditFilters>(noFilters);

  const key = `${offset}:${reloads}:${JSON.stringify(filters)}`;
  useEffect(() => {
    let live = true;
    const target = filters.target.trim();
    const since = periodStart(filters.period, Date.now());
    call('audit.list', {
      offset,
      limit: AUDIT_PAGE_SIZE,
      ...(target ? { target } : {}),
      ...(filters.actor ? { actor: filters.actor } : {}),
      ...(filters.action ? { action: filters.action } : {}),
      ...(since ? { since } : {}),
    })
      .then((page) => live && setLoaded({ key, page }))
      .catch((err: unknown) => live && setLoaded({ key, error: describeError(err) }));
    return () => {
      live = false;
    };
  }, [key, offset, filters]);

  const changeFilters = (changes: Partial<AuditFilters>) => {
    setOffset(0);
    setFilters((f) => ({ ...f, ...changes }));
  };
  const filtered = JSON.stringify(filters) !== JSON.stringify(noFilters);

  const current = loaded?.key === key ? loaded : null;
  // Keep the previous page on screen while the next loads, instead of flashing empty.
  const page = current?.page ?? loaded?.page;
  const info = page ? pageInfo(offset, page.items.length, page.total) : null;

  const verify = async () => {
    setVerifying(true);
    setVerification(null);
    try {
      const result = await call('audit.verify', {});
      setVerification({ text: describeVerification(result), intact: result.intact });
      setReloads((n) => n + 1);
    } catch (err) {
      setVerification({ text: `Verification failed: ${describeError(err)}`, intact: false });
    } finally {
      setVerifying(false);
    }
  };

  return (
    <Panel
      titleId="audit-title"
      title="Audit trail"
      subtitle="Every unlock, reveal, copy and change, chained so tampering shows."
      actions={
        <div className="panel__actions">
          <button type="button" className="btn" onClick={() => setReloads((n) => n + 1)}>
            Refresh
          </button>
          <button type="button" className="btn btn--primary" onClick={() => void verify()} disabled={verifying} aria-busy={verifying}>
            {verifying ? 'Verifying…' : 'Verify chain'}
          </button>
        </div>
      }
    >

      <p
        role="status"
        aria-label="Chain verification"
        className={`verify-result tinted${verification ? (verification.intact ? ' is-ok' : ' is-bad') : ''}`}
      >
        {verification?.text}
      </p>

      <div className="filters audit-filters" role="group" aria-label="Audit filters">
        <input
          type="search"
          className="input"
          aria-label="Secret filter"
          placeholder="Secret name"
          value={filters.target}
          maxLength={128}
          onChange={(e) => changeFilters({ target: e.target.value })}
        />
        <select className="input" aria-label="Actor filter" value={filters.actor} onChange={(e) => changeFilters({ actor: e.target.value as AuditActorKind | '' })}>
          <option value="">Anyone</option>
          {auditActorKinds.map((kind) => (
            <option key={kind} value={kind}>
              {auditActorFilterLabels[kind]}
            </option>
          ))}
        </select>
        <select className="input" aria-label="Action filter" value={filters.action} onChange={(e) => changeFilters({ action: e.target.value as AuditAction | '' })}>
          <option value="">All actions</option>
          {auditActions.map((action) => (
            <option key={action} value={action}>
              {auditActionLabels[action]}
            </option>
          ))}
        </select>
        <select className="input" aria-label="Time filter" value={filters.period} onChange={(e) => changeFilters({ period: e.target.value as AuditPeriod })}>
          {(Object.keys(auditPeriods) as AuditPeriod[]).map((period) => (
            <option key={period} value={period}>
              {auditPeriods[period]}
            </option>
          ))}
        </select>
        {filtered && (
          <button type="button" className="btn btn--small btn--ghost" onClick={() => changeFilters(noFilters)}>
            Clear filters
          </button>
        )}
      </div>

      {current?.error && (
        <div className="banner banner--danger" role="alert">
          {current.error}
        </div>
      )}

      <DataTable
        label="Audit entries"
        columns={auditColumns}
        rows={page?.items ?? []}
        rowKey={(entry) => entry.seq}
        emptyMessage={filtered ? 'No audit entries match these filters.' : 'No audit entries yet.'}
        busy={!current}
      />

      {info && (
        <nav className="pager" aria-label="Audit pages">
          <span>
            {info.from}–{info.to} of {page?.total.toLocaleString('en')}
          </span>
          <button
            type="button"
            className="btn btn--small"
            disabled={!info.hasPrevious}
            onClick={() => setOffset((o) => Math.max(0, o - AUDIT_PAGE_SIZE))}
          >
            Previous
          </button>
          <button
            type="button"
            className="btn btn--small"
            disabled={!info.hasNext}
            onClick={() => setOffset((o) => o + AUDIT_PAGE_SIZE)}
          >
            Next
          </button>
        </nav>
      )}
    </Panel>
  );
}
