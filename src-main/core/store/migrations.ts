/**
 * Schema migrations, applied in order inside one transaction each. A
 * migration is never edited once released; add a new one instead. Each has
 * its own test in test/unit/migrations.test.ts.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  up(db: Database): void;
}

export const migrations: Migration[] = [
  {
    version: 1,
    description: 'keyring, secrets with versions, audit chain, settings',
    up(db) {
      db.exec(`
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT;

        CREATE TABLE keyring (
          version     INTEGER PRIMARY KEY,
          kdf         TEXT NOT NULL,
          wrapped_key TEXT NOT NULL,
          created_at  TEXT NOT NULL
        ) STRICT;

        CREATE TABLE secrets (
          id              TEXT PRIMARY KEY,
          name            TEXT NOT NULL COLLATE NOCASE UNIQUE,
          description     TEXT,
          type            TEXT NOT NULL,
          manager_id      TEXT NOT NULL,
          current_version INTEGER NOT NULL,
          created_at      TEXT NOT NULL,
          updated_at      TEXT NOT NULL
        ) STRICT;

        CREATE TABLE secret_versions (
          secret_id       TEXT NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
          version         INTEGER NOT NULL,
          ciphertext      TEXT NOT NULL,
          wrapped_key     TEXT NOT NULL,
          keyring_version INTEGER NOT NULL REFERENCES keyring(version),
          created_at      TEXT NOT NULL,
          created_by      TEXT NOT NULL,
          PRIMARY KEY (secret_id, version)
        ) STRICT;

        CREATE TABLE audit_log (
          seq     INTEGER PRIMARY KEY,
          at      TEXT NOT NULL,
          actor   TEXT NOT NULL,
          action  TEXT NOT NULL,
          target  TEXT,
          outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
          detail  TEXT,
          hash    TEXT NOT NULL,
          mac     TEXT
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    description: 'index secrets by recency and find unsealed audit entries quickly',
    up(db) {
      db.exec(`
        CREATE INDEX secrets_updated_at ON secrets (updated_at DESC);
        CREATE INDEX audit_log_unsealed ON audit_log (seq) WHERE mac IS NULL;
      `);
    },
  },
];

/** Brings the schema to `target` (default: the newest), one transaction per migration. */
export function migrate(db: Database, target = migrations[migrations.length - 1]!.version): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
