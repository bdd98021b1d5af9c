/** Small typed values kept in the `meta` table. */
import { prepared } from '../store/prepared.js';
import type { Database } from 'better-sqlite3';

export class MetaStore {
  constructor(private readonly db: Database) {}

  get<T>(key: string): T | null {
    const row = prepared(this.db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : null;
  }

  set(key: string, value: unknown): void {
    prepared(this.db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
  }

  delete(key: string): void {
    prepared(this.db, 'DELETE FROM meta WHERE key = ?').run(key);
  }
}
