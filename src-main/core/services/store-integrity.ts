/**
 * SQLite's own check of the store file, run at unlock once a week and on request.
 *
 * It uses `PRAGMA quick_check`: it reads every page and checks each b-tree's
 * structure, records and constraints in O(N), which finds torn or overwritten
 * pages; `integrity_check` also cross-checks every index against its table,
 * which is O(N log N) and would slow a weekly unlock on a large store for
 * little more. The outcome is kept in `meta`, so the UI and the CLI can show it.
 */
import type { Database } from 'better-sqlite3';
import { inTransaction } from '../store/prepared.js';
import type { StoreCheck } from '../../../src-shared/contract.js';
import type { AuditLog } from './audit-log.js';
import type { Clock } from '../clock.js';
import type { MetaStore } from './meta-store.js';

const LAST_CHECK_KEY = 'store.lastCheck';
export const STORE_CHECK_INTERVAL_MS = 7 * 24 * 60 * 60 * 1000;
/** SQLite stops listing after this many problems; a damaged store needs a restore whatever the count. */
const MAX_PROBLEMS = 20;

export class StoreIntegrity {
  constructor(
    private readonly db: Database,
    private readonly meta: MetaStore,
    private readonly audit: AuditLog,
    private readonly actor: string,
    private readonly clock: Clock,
  ) {}

  last(): StoreCheck | null {
    return this.meta.get<StoreCheck>(LAST_CHECK_KEY);
  }

  /** Runs the check when none ran yet or the last one is a week old; returns the outcome when it ran. */
  checkIfDue(): StoreCheck | null {
    const last = this.last();
    if (last && this.clock.now() - Date.parse(last.at) < STORE_CHECK_INTERVAL_MS) return null;
    return this.check();
  }

  check(): StoreCheck {
    let problems: string[];
    try {
      const rows = this.db.pragma(`quick_check(${MAX_PROBLEMS})`) as { quick_check: string }[];
      problems = rows.map((row) => row.quick_check).filter((line) => line !== 'ok');
    } catch (error) {
      // A page damaged badly enough makes SQLite give up on the check itself: that is a problem to report too.
      problems = [error instanceof Error ? error.message : String(error)];
    }
    const result: StoreCheck = { at: new Date(this.clock.now()).toISOString(), ok: problems.length === 0, problems };
    inTransaction(this.db, () => {
      this.meta.set(LAST_CHECK_KEY, result);
      // A broken trail takes no entries; the outcome is still kept and shown.
      if (this.audit.detectBreak()) return;
      this.audit.append({
        actor: this.actor,
        action: 'store.check',
        target: null,
        outcome: result.ok ? 'success' : 'failure',
        detail: result.ok ? 'quick_check: ok' : `quick_check: ${problems.length} problem(s): ${problems[0]}`,
      });
    });
    return result;
  }
}
