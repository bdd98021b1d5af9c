/**
 * The secret list as SQL: the one definition of which secrets a list request
 * matches and in which order. The in-memory search index (secret-search-index.ts)
 * answers the same requests faster and is checked against this statement by
 * test/unit/secret-search-index.test.ts; the benchmark uses it as its baseline.
 */
import type { Database } from 'better-sqlite3';
import type { SecretType } from '../../../src-shared/contract.js';
import { prepared } from '../store/prepared.js';

export interface ListQuery {
  query: string;
  types?: SecretType[];
  managerId?: string;
  applicationId?: string;
  environmentId?: string;
  sort: 'name' | 'type' | 'updated' | 'created';
  direction: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export type ListFilter = Omit<ListQuery, 'sort' | 'direction' | 'limit' | 'offset'>;

/**
 * ORDER BY per sort key, for ascending order. Names are unique (COLLATE
 * NOCASE), so the first two are total orders; equal timestamps (a batch is
 * written with one) fall back to rowid the way the timestamp indexes hold
 * them, so the order is the same whichever plan SQLite picks.
 */
const ORDER_ASC: Record<ListQuery['sort'], [column: string, ascending: boolean][]> = {
  name: [['s.name COLLATE NOCASE', true]],
  type: [
    ['s.type', true],
    ['s.name COLLATE NOCASE', true],
  ],
  updated: [
    ['s.updated_at', true],
    ['s.rowid', false],
  ],
  created: [
    ['s.created_at', true],
    ['s.rowid', false],
  ],
};

export function orderBy(sort: ListQuery['sort'], direction: ListQuery['direction']): string {
  return ORDER_ASC[sort].map(([column, ascending]) => `${column} ${ascending === (direction === 'asc') ? 'ASC' : 'DESC'}`).join(', ');
}

/** Past this many trigram hits, scanning names in index order is cheaper than the trigram lookup. */
export const TRIGRAM_SELECTIVE_LIMIT = 2000;

/** Whether a name query can use the trigram index at all (it needs three characters). */
export function trigramEligible(query: string): boolean {
  const trimmed = query.trim();
  return trimmed.length >= 3 && /^[A-Za-z0-9_-]+$/.test(trimmed);
}

/** The usage-scope part of a filter alone: secrets with a scope entry that lets this application (and environment) use them. */
export function scopeClause(request: Pick<ListFilter, 'applicationId' | 'environmentId'>): { clause: string; params: unknown[] } | null {
  if (request.environmentId) {
    return {
      clause: `s.id IN (SELECT e.owner_id FROM scope_entries e JOIN environments env ON env.id = ?
                WHERE e.owner_kind = 'secret'
                  AND (e.application_id IS NULL OR e.application_id = env.application_id)
                  AND (e.environment_id = env.id OR e.environment_type = env.type OR (e.environment_id IS NULL AND e.environment_type IS NULL)))`,
      params: [request.environmentId],
    };
  }
  if (request.applicationId) {
    return {
      clause: "s.id IN (SELECT owner_id FROM scope_entries WHERE owner_kind = 'secret' AND (application_id = ? OR application_id IS NULL))",
      params: [request.applicationId],
    };
  }
  return null;
}

/**
 * Builds the WHERE clause of a list query; every filter is an indexed lookup.
 * A name query uses the trigram index when it is selective; a broad one
 * ("prod" among 100,000) is faster as instr() over names walked in index
 * order, where the page stops after its 100 rows.
 */
export function listFilter(request: ListFilter, useTrigram = true): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const query = request.query.trim();
  if (query) {
    if (useTrigram && trigramEligible(query)) {
      // The trigram index narrows the candidates (its LIKE treats _ as a wildcard); instr keeps exact matches.
      clauses.push('s.rowid IN (SELECT rowid FROM secrets_name_search WHERE name LIKE ?) AND instr(lower(s.name), lower(?)) > 0');
      params.push(`%${query}%`, query);
    } else {
      clauses.push('instr(lower(s.name), lower(?)) > 0');
      params.push(query);
    }
  }
  if (request.types?.length) {
    clauses.push(`s.type IN (${request.types.map(() => '?').join(',')})`);
    params.push(...request.types);
  }
  if (request.managerId) {
    clauses.push('s.manager_id = ?');
    params.push(request.managerId);
  }
  const scope = scopeClause(request);
  if (scope) {
    clauses.push(scope.clause);
    params.push(...scope.params);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** The WHERE clause of the SQL list: probes the trigram index's selectivity first. */
export function listWhere(db: Database, request: ListFilter): { where: string; params: unknown[] } {
  const selective =
    trigramEligible(request.query) &&
    (
      prepared(db, `SELECT COUNT(*) AS n FROM (SELECT 1 FROM secrets_name_search WHERE name LIKE ? LIMIT ${TRIGRAM_SELECTIVE_LIMIT})`).get(
        `%${request.query.trim()}%`,
      ) as { n: number }
    ).n < TRIGRAM_SELECTIVE_LIMIT;
  return listFilter(request, selective);
}

/** The count and the page's rowids of a list request, answered by SQLite alone. */
export function listBySql(db: Database, request: ListQuery): { total: number; rowids: number[] } {
  const { where, params } = listWhere(db, request);
  const total = (prepared(db, `SELECT COUNT(*) AS n FROM secrets s ${where}`).get(...params) as { n: number }).n;
  const rowids = prepared(db, `SELECT s.rowid FROM secrets s ${where} ORDER BY ${orderBy(request.sort, request.direction)} LIMIT ? OFFSET ?`)
    .pluck()
    .all(...params, request.limit, request.offset) as number[];
  return { total, rowids };
}
