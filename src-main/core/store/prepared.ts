/**
 * Prepared statements, cached per connection. Preparing costs more than
 * running a small statement, and batch work (1,000 secrets at a time) runs
 * the same few statements thousands of times.
 */
import type { Database, Statement } from 'better-sqlite3';

const caches = new WeakMap<Database, Map<string, Statement>>();

export function prepared(db: Database, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

type Runner = ReturnType<Database['transaction']>;
const runners = new WeakMap<Database, Runner>();

/**
 * Runs `work` in a `BEGIN IMMEDIATE` transaction (a savepoint when nested).
 * One runner per connection: `db.transaction()` prepares its BEGIN, COMMIT and
 * savepoint statements every time it is called.
 */
export function inTransaction<T>(db: Database, work: () => T): T {
  let runner = runners.get(db);
  if (!runner) {
    runner = db.transaction((job: () => unknown) => job());
    runners.set(db, runner);
  }
  return runner.immediate(work) as T;
}
