/**
 * Saved searches (table `saved_searches`, schema 10): named filters of the
 * secrets list. They hold no secret, only what the list filters by; an
 * application or environment deleted later leaves the search unscoped there
 * (ON DELETE SET NULL), which the list then shows. Every save, rename and
 * delete is audited in the transaction that makes it, so a change the trail
 * refuses to record is not made either; the caller seals the entry after.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { SavedSearch, SecretFilter } from '../../../src-shared/saved-search-contract.js';
import type { SecretType } from '../../../src-shared/secret-types.js';
import { AppError } from '../app-error.js';
import { inTransaction, prepared } from '../store/prepared.js';
import type { AuditLog } from './audit-log.js';

interface SavedSearchRow {
  id: string;
  name: string;
  query: string;
  types: string;
  application_id: string | null;
  environment_id: string | null;
  created_at: string;
  updated_at: string;
}

function toSavedSearch(row: SavedSearchRow): SavedSearch {
  return {
    id: row.id,
    name: row.name,
    filter: {
      query: row.query,
      types: JSON.parse(row.types) as SecretType[],
      ...(row.application_id ? { applicationId: row.application_id } : {}),
      ...(row.environment_id ? { environmentId: row.environment_id } : {}),
    },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class SavedSearches {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditLog,
    private readonly actor: string,
  ) {}

  private record(action: 'search.save' | 'search.rename' | 'search.delete', target: string, detail: string | null): void {
    this.audit.append({ actor: this.actor, action, target, outcome: 'success', detail });
  }

  private row(id: string): SavedSearchRow {
    const row = prepared(this.db, 'SELECT * FROM saved_searches WHERE id = ?').get(id) as SavedSearchRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', 'No such saved search: it may have been deleted.');
    return row;
  }

  list(): SavedSearch[] {
    return (prepared(this.db, 'SELECT * FROM saved_searches ORDER BY name COLLATE NOCASE').all() as SavedSearchRow[]).map(toSavedSearch);
  }

  /** By name, in any case. */
  find(name: string): SavedSearch {
    const row = prepared(this.db, 'SELECT * FROM saved_searches WHERE name = ? COLLATE NOCASE').get(name) as SavedSearchRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No saved search named "${name}".`);
    return toSavedSearch(row);
  }

  save(name: string, filter: SecretFilter, replace: boolean): SavedSearch {
    const environmentId = filter.environmentId ?? null;
    const applicationId = filter.applicationId ?? null;
    if (environmentId !== null) {
      const env = prepared(this.db, 'SELECT application_id FROM environments WHERE id = ?').get(environmentId) as { application_id: string } | undefined;
      if (!env) throw new AppError('NOT_FOUND', 'No such environment: it may have been deleted.');
      if (applicationId !== env.application_id) throw new AppError('INVALID_REQUEST', 'The environment is not one of the chosen application.');
    }
    if (applicationId !== null && !prepared(this.db, 'SELECT 1 FROM applications WHERE id = ?').get(applicationId)) {
      throw new AppError('NOT_FOUND', 'No such application: it may have been deleted.');
    }
    const types = JSON.stringify([...new Set(filter.types)]);
    const now = new Date().toISOString();
    const id = inTransaction(this.db, () => {
      const existing = prepared(this.db, 'SELECT id FROM saved_searches WHERE name = ? COLLATE NOCASE').get(name) as { id: string } | undefined;
      if (existing && !replace) throw new AppError('NAME_TAKEN', `A saved search named "${name}" already exists.`);
      if (existing) {
        prepared(this.db, 'UPDATE saved_searches SET name = ?, query = ?, types = ?, application_id = ?, environment_id = ?, updated_at = ? WHERE id = ?').run(
          name,
          filter.query,
          types,
          applicationId,
          environmentId,
          now,
          existing.id,
        );
        this.record('search.save', name, 'replaced');
        return existing.id;
      }
      const created = randomUUID();
      prepared(this.db, 'INSERT INTO saved_searches VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(created, name, filter.query, types, applicationId, environmentId, now, now);
      this.record('search.save', name, null);
      return created;
    });
    return toSavedSearch(this.row(id));
  }

  /** A new name, unique in any case; the filter stays. */
  rename(id: string, name: string): SavedSearch {
    inTransaction(this.db, () => {
      const before = this.row(id);
      const taken = prepared(this.db, 'SELECT 1 FROM saved_searches WHERE name = ? COLLATE NOCASE AND id <> ?').get(name, id);
      if (taken) throw new AppError('NAME_TAKEN', `A saved search named "${name}" already exists.`);
      if (before.name === name) return;
      prepared(this.db, 'UPDATE saved_searches SET name = ?, updated_at = ? WHERE id = ?').run(name, new Date().toISOString(), id);
      this.record('search.rename', name, `renamed from "${before.name}"`);
    });
    return toSavedSearch(this.row(id));
  }

  delete(id: string): void {
    inTransaction(this.db, () => {
      const { name } = this.row(id);
      prepared(this.db, 'DELETE FROM saved_searches WHERE id = ?').run(id);
      this.record('search.delete', name, null);
    });
  }
}
