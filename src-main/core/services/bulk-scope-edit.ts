/**
 * One scope edit for many secrets (`secrets.scopeMany`): the secrets chosen by
 * id or by the list's filter, edited in batches of one transaction each (row
 * MACs sealed per batch, one audit entry per secret). Progress is reported
 * after every batch, and a stop takes effect between batches, so the report
 * says exactly how many changed.
 */
import type { Database } from 'better-sqlite3';
import type { ParsedRequest, ScopeManyReport } from '../../../src-shared/contract.js';
import { AppError } from '../app-error.js';
import { applyScopeEdit } from '../scope/scope-edit.js';
import { prepared } from '../store/prepared.js';
import type { RunningOperation } from './operation-tracker.js';
import { listWhere } from './secret-list-query.js';
import type { SecretsService } from './secrets-service.js';

/** Secrets per transaction: one row-MAC request to the delegate and one commit each. */
export const SCOPE_EDIT_BATCH = 500;
/** Failures listed by name in the report; the count covers the rest. */
const FAILURES_LISTED = 100;

export class BulkScopeEdit {
  constructor(
    private readonly db: Database,
    private readonly secrets: SecretsService,
  ) {}

  async run(request: ParsedRequest<'secrets.scopeMany'>, progress: RunningOperation): Promise<ScopeManyReport> {
    if (!request.ids && !request.filter) throw new AppError('INVALID_REQUEST', 'Say which secrets to edit: ids or a filter.');
    const ids = this.select(request);
    const report: ScopeManyReport = { total: ids.length, changed: 0, unchanged: 0, failed: [], failedCount: 0, stopped: false };
    progress.report('editing', 0, ids.length);
    for (let start = 0; start < ids.length; start += SCOPE_EDIT_BATCH) {
      if (progress.stopping) {
        report.stopped = true;
        break;
      }
      const batch = await this.secrets.setScopes(ids.slice(start, start + SCOPE_EDIT_BATCH), (scope) => applyScopeEdit(scope, request.edit));
      report.changed += batch.changed;
      report.unchanged += batch.unchanged;
      report.failedCount += batch.failed.length;
      report.failed.push(...batch.failed.slice(0, FAILURES_LISTED - report.failed.length));
      progress.report('editing', Math.min(start + SCOPE_EDIT_BATCH, ids.length), ids.length);
    }
    return report;
  }

  /** Ids in name order: by id (those that exist), by filter, or both (the secrets in both). */
  private select(request: ParsedRequest<'secrets.scopeMany'>): string[] {
    let ids: string[];
    if (request.filter) {
      const { where, params } = listWhere(this.db, request.filter);
      ids = prepared(this.db, `SELECT s.id FROM secrets s ${where} ORDER BY s.name COLLATE NOCASE`).pluck().all(...params) as string[];
      if (request.ids) {
        const wanted = new Set(request.ids);
        ids = ids.filter((id) => wanted.has(id));
      }
    } else {
      ids = [...new Set(request.ids)];
    }
    return ids;
  }
}
