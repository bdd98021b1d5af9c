/**
 * Opens the store's SQLite file: WAL for crash safety and concurrent readers
 * (the CLI and the app may share one store), foreign keys on, and the schema
 * migrated to the newest version.
 *
 * A damaged store is never papered over: an empty (0-byte) file or one SQLite
 * cannot read stops here with a message that names the file and how to
 * recover, instead of being initialised afresh or failing deep inside. A data
 * folder others can read is tightened to 0700 first.
 */
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE } from '../paths.js';
import { migrate, migrations } from './migrations.js';

export class NewerSchemaError extends Error {}

/** The store's file is empty or unreadable. Its message is meant for the user. */
export class DamagedStoreError extends Error {}

/** What to do about a damaged store: the same advice wherever it is found. */
export function restoreAdvice(dataDir: string): string {
  return `Nothing was changed. Move the damaged file out of ${dataDir}, then run "strongroom init" and restore your newest backup with "strongroom import --from FILE" (backups are the strongroom-*.srbackup files written by "strongroom export" or the app's Export, wherever you saved them).`;
}

/** Only the owner may enter the data folder: it holds the store and the logs. */
function ensurePrivateFolder(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o077) !== 0) chmodSync(dataDir, 0o700);
}

const SQLITE_DAMAGE_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB', 'SQLITE_IOERR_SHORT_READ']);

function isDamage(error: unknown): error is Error & { code: string } {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && SQLITE_DAMAGE_CODES.has(error.code);
}

export function openDatabase(dataDir: string): Database {
  ensurePrivateFolder(dataDir);
  const file = join(dataDir, DATABASE_FILE);
  const existed = existsSync(file);
  if (existed && statSync(file).size === 0) {
    throw new DamagedStoreError(`The store's database ${file} is empty (0 bytes): it was truncated or never finished. ${restoreAdvice(dataDir)}`);
  }
  let db: Database | null = null;
  try {
    db = new BetterSqlite3(file);
    if (!existed) chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    const newest = migrations[migrations.length - 1]!.version;
    if (version > newest) {
      throw new NewerSchemaError(`This store was written by a newer Strongroom (schema ${version}; this version knows ${newest}).`);
    }
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    if (isDamage(error)) throw new DamagedStoreError(`The store's database ${file} is damaged (SQLite: ${error.message}). ${restoreAdvice(dataDir)}`);
    throw error;
  }
}
