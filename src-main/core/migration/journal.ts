/**
 * The migration journal in SQLite: one row per run, one row per secret of the
 * run with its state (planned → written → verified → switched →
 * source_removed, or failed / cancelled). Every state change is one
 * statement or part of the caller's transaction, so a crash leaves each item
 * in the last state it reached.
 */
import type { Database } from 'better-sqlite3';
import type { EncryptedVersion, IntermediateKeyRecord } from '../../../src-shared/delegate-protocol.js';
import type { MigrationFailReason, MigrationItemState, MigrationReportItem } from '../../../src-shared/contract.js';
import { prepared } from '../store/prepared.js';

export interface RunRow {
  id: string;
  source_manager_id: string;
  target_manager_id: string;
  all_versions: number;
  delete_source: number;
  concurrency: number;
  rate_per_second: number | null;
  state: 'running' | 'paused' | 'cancelled' | 'finished';
  actor: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface ItemRow {
  run_id: string;
  seq: number;
  secret_id: string;
  secret_name: string;
  target_name: string | null;
  renamed: number;
  state: MigrationItemState;
  reason: MigrationFailReason | null;
  detail: string | null;
  source_version: number | null;
  written: string | null;
  source_refs: string | null;
  attempts: number;
  updated_at: string;
  /** 1: a reference the target reaches too; the run re-points its manager and writes nothing remote. */
  keeps_reference: number;
}

/** A copy written to the target (or, for history that stays here, re-encrypted by the keyring). */
export interface WrittenCopy {
  version: number;
  placement: 'target' | 'local';
  encrypted: EncryptedVersion;
}

export interface WrittenRecord {
  copies: WrittenCopy[];
  /** KMS targets: the intermediate keys the copies need (saved with the copies). */
  intermediateKeys: IntermediateKeyRecord[];
  /**
   * Secret-store targets: remote versions this run wrote earlier under the same name and no copy uses any more
   * (an interrupted attempt it claimed, a copy written again after an update). They are owned from the switch on.
   */
  claimed?: { reference: string; versionId: string | null }[];
}

/** Items still to be worked on: everything not finished, plus switched items whose source copy must go. */
export const OPEN_STATES: MigrationItemState[] = ['planned', 'written', 'verified'];

export class MigrationJournal {
  constructor(private readonly db: Database) {}

  insertRun(run: Omit<RunRow, 'updated_at' | 'finished_at'>): void {
    prepared(
      this.db,
      `INSERT INTO migration_runs (id, source_manager_id, target_manager_id, all_versions, delete_source, concurrency, rate_per_second, state, actor, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      run.id,
      run.source_manager_id,
      run.target_manager_id,
      run.all_versions,
      run.delete_source,
      run.concurrency,
      run.rate_per_second,
      run.state,
      run.actor,
      run.created_at,
      run.created_at,
    );
  }

  insertItem(item: Pick<ItemRow, 'run_id' | 'seq' | 'secret_id' | 'secret_name' | 'target_name' | 'renamed' | 'state' | 'reason' | 'detail' | 'keeps_reference'>): void {
    prepared(
      this.db,
      `INSERT INTO migration_items (run_id, seq, secret_id, secret_name, target_name, renamed, state, reason, detail, keeps_reference, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(item.run_id, item.seq, item.secret_id, item.secret_name, item.target_name, item.renamed, item.state, item.reason, item.detail, item.keeps_reference, new Date().toISOString());
  }

  run(id: string): RunRow | undefined {
    return prepared(this.db, 'SELECT * FROM migration_runs WHERE id = ?').get(id) as RunRow | undefined;
  }

  runs(): RunRow[] {
    return prepared(this.db, 'SELECT * FROM migration_runs ORDER BY created_at DESC LIMIT 200').all() as RunRow[];
  }

  setRunState(id: string, state: RunRow['state']): void {
    const now = new Date().toISOString();
    prepared(this.db, 'UPDATE migration_runs SET state = ?, updated_at = ?, finished_at = ? WHERE id = ?').run(
      state,
      now,
      state === 'finished' || state === 'cancelled' ? now : null,
      id,
    );
  }

  /** The heartbeat of a run being worked on: a run whose heartbeat stopped was interrupted (migration-service.ts). */
  touch(id: string): void {
    prepared(this.db, 'UPDATE migration_runs SET updated_at = ? WHERE id = ?').run(new Date().toISOString(), id);
  }

  item(runId: string, secretId: string): ItemRow {
    return prepared(this.db, 'SELECT * FROM migration_items WHERE run_id = ? AND secret_id = ?').get(runId, secretId) as ItemRow;
  }

  /** The items a runner still has to take further, in plan order. */
  openItems(runId: string, deleteSource: boolean): ItemRow[] {
    const states = deleteSource ? [...OPEN_STATES, 'switched'] : OPEN_STATES;
    return prepared(
      this.db,
      `SELECT * FROM migration_items WHERE run_id = ? AND state IN (${states.map(() => '?').join(',')}) ORDER BY seq`,
    ).all(runId, ...states) as ItemRow[];
  }

  update(
    runId: string,
    secretId: string,
    changes: Partial<Pick<ItemRow, 'state' | 'reason' | 'detail' | 'source_version' | 'written' | 'source_refs' | 'target_name' | 'attempts'>>,
  ): void {
    const keys = Object.keys(changes) as (keyof typeof changes)[];
    prepared(this.db, `UPDATE migration_items SET ${keys.map((key) => `${key} = ?`).join(', ')}, updated_at = ? WHERE run_id = ? AND secret_id = ?`).run(
      ...keys.map((key) => changes[key] ?? null),
      new Date().toISOString(),
      runId,
      secretId,
    );
  }

  counts(runId: string): Record<MigrationItemState, number> {
    const rows = prepared(this.db, 'SELECT state, COUNT(*) AS n FROM migration_items WHERE run_id = ? GROUP BY state').all(runId) as { state: MigrationItemState; n: number }[];
    const counts = { planned: 0, written: 0, verified: 0, switched: 0, source_removed: 0, failed: 0, cancelled: 0 };
    for (const row of rows) counts[row.state] = row.n;
    return counts;
  }

  lastError(runId: string): string | null {
    const row = prepared(this.db, "SELECT secret_name, detail FROM migration_items WHERE run_id = ? AND state = 'failed' ORDER BY updated_at DESC LIMIT 1").get(runId) as
      { secret_name: string; detail: string | null } | undefined;
    return row ? `${row.secret_name}: ${row.detail ?? 'failed'}` : null;
  }

  /** Secrets that an unfinished run has planned and not yet switched: no second run may take them. */
  busySecretIds(): Set<string> {
    const rows = prepared(
      this.db,
      `SELECT i.secret_id FROM migration_items i JOIN migration_runs r ON r.id = i.run_id
       WHERE r.state IN ('running', 'paused') AND i.state IN ('planned', 'written', 'verified')`,
    ).all() as { secret_id: string }[];
    return new Set(rows.map((row) => row.secret_id));
  }

  report(runId: string, limit: number, offset: number): { total: number; items: MigrationReportItem[] } {
    const total = (prepared(this.db, 'SELECT COUNT(*) AS n FROM migration_items WHERE run_id = ?').get(runId) as { n: number }).n;
    const rows = prepared(this.db, 'SELECT * FROM migration_items WHERE run_id = ? ORDER BY seq LIMIT ? OFFSET ?').all(runId, limit, offset) as ItemRow[];
    return {
      total,
      items: rows.map((row) => ({
        secretId: row.secret_id,
        name: row.secret_name,
        targetName: row.target_name,
        renamed: row.renamed === 1,
        state: row.state,
        outcome:
          row.state === 'switched' || row.state === 'source_removed'
            ? row.renamed === 1
              ? 'renamed'
              : 'moved'
            : row.state === 'failed'
              ? 'failed'
              : row.state === 'cancelled'
                ? 'cancelled'
                : 'pending',
        reason: row.reason,
        detail: row.detail,
        updatedAt: row.updated_at,
      })),
    };
  }
}
