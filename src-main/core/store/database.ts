/**
 * Opens the store's SQLite file: WAL for crash safety and concurrent readers
 * (the CLI and the app may share one store), foreign keys on, and the schema
 * migrated to the newest version.
 */
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE } from '../paths.js';
import { migrate, migrations } from './migrations.js';

export class NewerSchemaError extends Error {}

export function openDatabase(dataDir: string): Database {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DATABASE_FILE);
  const existed = existsSync(file);
  const db = new BetterSqlite3(file);
  if (!existed) chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  const newest = migrations[migrations.length - 1]!.version;
  if (version > newest) {
    db.close();
    throw new NewerSchemaError(`This store was written by a newer Strongroom (schema ${version}; this version knows ${newest}).`);
  }
  migrate(db);
  return db;
}
