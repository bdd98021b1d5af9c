/**
 * The journal of values Strongroom writes into secret stores (table
 * `remote_writes`, migration 6). A write is recorded as pending, in its own
 * transaction, before the delegate is asked to make it; the transaction that
 * records the secret marks it written, with the version id the store gave.
 * So:
 * - a batch that fails part way, or a process that dies mid-batch, leaves
 *   pending rows naming what may be left in the store: they are listed for
 *   cleanup until someone clears them;
 * - the written rows say exactly which remote versions are Strongroom's, and
 *   whether it created the secret or adopted one that was already there: a
 *   delete removes only those.
 */
import type { Database } from 'better-sqlite3';
import { inTransaction, prepared } from '../store/prepared.js';

/** `create`: a new remote secret; `overwrite`: a new version of one Strongroom holds; `adopt`: a first version on top of one it did not create. */
export type RemoteWriteMode = 'create' | 'overwrite' | 'adopt';

export interface PlannedWrite {
  secretId: string;
  remoteName: string;
  mode: RemoteWriteMode;
}

export interface PendingWrite {
  id: number;
  managerId: string;
  secretId: string;
  remoteName: string;
  createdAt: string;
}

export class RemoteWriteJournal {
  constructor(private readonly db: Database) {}

  /** Records writes about to be made, committed before they are; returns their row ids, in order. */
  begin(managerId: string, writes: PlannedWrite[]): number[] {
    const now = new Date().toISOString();
    return inTransaction(this.db, () => {
      const insert = prepared(
        this.db,
        "INSERT INTO remote_writes (manager_id, secret_id, remote_name, mode, state, created_at) VALUES (?, ?, ?, ?, 'pending', ?)",
      );
      return writes.map((write) => Number(insert.run(managerId, write.secretId, write.remoteName, write.mode, now).lastInsertRowid));
    });
  }

  /** Marks the writes done; call inside the transaction that records their versions. */
  written(ids: number[], results: { reference: string; versionId: string | null }[]): void {
    const mark = prepared(this.db, "UPDATE remote_writes SET state = 'written', reference = ?, version_id = ? WHERE id = ?");
    ids.forEach((id, i) => mark.run(results[i]!.reference, results[i]!.versionId, id));
  }

  /**
   * The batch failed. The delegate deleted what it had created again, except
   * `leftBehind` (remote names); when it could not say (it stopped, or timed
   * out), every write of the batch stays pending.
   */
  failed(ids: number[], leftBehind: string[] | 'unknown'): void {
    if (leftBehind === 'unknown') return;
    inTransaction(this.db, () => {
      const clear = prepared(this.db, "DELETE FROM remote_writes WHERE id = ? AND remote_name NOT IN (SELECT value FROM json_each(?))");
      for (const id of ids) clear.run(id, JSON.stringify(leftBehind));
    });
  }

  /** Whether a write of this secret under this name is journaled as pending: an earlier attempt may have made it. */
  isPending(managerId: string, secretId: string, remoteName: string): boolean {
    return (
      prepared(this.db, "SELECT 1 FROM remote_writes WHERE manager_id = ? AND secret_id = ? AND remote_name = ? AND state = 'pending' LIMIT 1").get(
        managerId,
        secretId,
        remoteName,
      ) !== undefined
    );
  }

  /** Journals a migration's create at a name as pending (call inside a transaction committed before the write). */
  beginMigration(managerId: string, secretId: string, remoteName: string): void {
    prepared(this.db, "INSERT INTO remote_writes (manager_id, secret_id, remote_name, mode, state, created_at) VALUES (?, ?, ?, 'create', 'pending', ?)").run(
      managerId,
      secretId,
      remoteName,
      new Date().toISOString(),
    );
  }

  /** A migration's pending create turned out not to be made, or not Strongroom's (the name was taken): nothing to own. */
  clearPending(managerId: string, secretId: string, remoteName: string): void {
    prepared(this.db, "DELETE FROM remote_writes WHERE manager_id = ? AND secret_id = ? AND remote_name = ? AND state = 'pending'").run(managerId, secretId, remoteName);
  }

  /**
   * Copies a migration wrote into a store, settled when the secret switches to it (inside that transaction): its
   * pending create becomes written; the first copy created the remote secret, the rest are versions on top.
   * `copies` lists, in order, versions an interrupted attempt left and the run claimed, then the ones it wrote.
   */
  migrated(managerId: string, secretId: string, remoteName: string, copies: { reference: string; versionId: string | null }[]): void {
    const now = new Date().toISOString();
    this.clearPending(managerId, secretId, remoteName);
    const insert = prepared(
      this.db,
      "INSERT INTO remote_writes (manager_id, secret_id, remote_name, mode, state, reference, version_id, created_at) VALUES (?, ?, ?, ?, 'written', ?, ?, ?)",
    );
    copies.forEach((copy, i) => insert.run(managerId, secretId, remoteName, i === 0 ? 'create' : 'overwrite', copy.reference, copy.versionId, now));
  }

  /** The remote version ids Strongroom wrote for a secret in a manager, and whether it created the remote secret (or adopted it). */
  owned(secretId: string, managerId: string): { versions: string[]; created: boolean } {
    const rows = prepared(this.db, "SELECT mode, version_id FROM remote_writes WHERE secret_id = ? AND manager_id = ? AND state = 'written'").all(secretId, managerId) as {
      mode: RemoteWriteMode;
      version_id: string | null;
    }[];
    return {
      versions: [...new Set(rows.flatMap((row) => (row.version_id ? [row.version_id] : [])))],
      created: rows.some((row) => row.mode === 'create'),
    };
  }

  /** Forgets a secret's writes (in one manager, or all); call inside the transaction that deletes it or its remote copies. */
  forget(secretId: string, managerId?: string): void {
    if (managerId) prepared(this.db, "DELETE FROM remote_writes WHERE secret_id = ? AND manager_id = ? AND state = 'written'").run(secretId, managerId);
    else prepared(this.db, "DELETE FROM remote_writes WHERE secret_id = ? AND state = 'written'").run(secretId);
  }

  /** Writes left pending by a failed or interrupted batch, oldest first: values that may be in the store with no secret here. */
  pending(managerId?: string): PendingWrite[] {
    const rows = prepared(
      this.db,
      `SELECT id, manager_id, secret_id, remote_name, created_at FROM remote_writes WHERE state = 'pending' ${managerId ? 'AND manager_id = ?' : ''} ORDER BY id`,
    ).all(...(managerId ? [managerId] : [])) as PendingRow[];
    return rows.map(pendingWrite);
  }

  /**
   * Drops one pending write from the journal, once an admin checked the store at its name (and deleted there
   * what should go): Strongroom never deletes it itself, as it cannot tell whether the value there is the one
   * it wrote. Returns what was dropped, or null when no pending write has that id. Call inside a transaction.
   */
  forgetPending(id: number): PendingWrite | null {
    const row = prepared(this.db, "SELECT id, manager_id, secret_id, remote_name, created_at FROM remote_writes WHERE id = ? AND state = 'pending'").get(id) as
      | PendingRow
      | undefined;
    if (!row) return null;
    prepared(this.db, 'DELETE FROM remote_writes WHERE id = ?').run(id);
    return pendingWrite(row);
  }
}

interface PendingRow {
  id: number;
  manager_id: string;
  secret_id: string;
  remote_name: string;
  created_at: string;
}

function pendingWrite(row: PendingRow): PendingWrite {
  return { id: row.id, managerId: row.manager_id, secretId: row.secret_id, remoteName: row.remote_name, createdAt: row.created_at };
}
