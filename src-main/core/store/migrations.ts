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
  {
    version: 3,
    description: 'secret types and facts, applications and environments, managers, usage scopes, name search',
    up(db) {
      db.exec(`
        ALTER TABLE secrets ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE secrets ADD COLUMN scoped INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE secrets ADD COLUMN scope_to_account INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE secret_versions ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';

        CREATE TABLE applications (
          id         TEXT PRIMARY KEY,
          name       TEXT NOT NULL COLLATE NOCASE UNIQUE,
          created_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE environments (
          id             TEXT PRIMARY KEY,
          application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
          name           TEXT NOT NULL COLLATE NOCASE,
          type           TEXT NOT NULL CHECK (type IN ('production', 'non-production')),
          created_at     TEXT NOT NULL,
          UNIQUE (application_id, name)
        ) STRICT;

        CREATE TABLE managers (
          id               TEXT PRIMARY KEY,
          name             TEXT NOT NULL COLLATE NOCASE UNIQUE,
          kind             TEXT NOT NULL,
          is_default       INTEGER NOT NULL DEFAULT 0,
          read_only        INTEGER NOT NULL DEFAULT 0,
          scoped           INTEGER NOT NULL DEFAULT 0,
          scope_to_account INTEGER NOT NULL DEFAULT 0,
          created_at       TEXT NOT NULL
        ) STRICT;
        INSERT INTO managers (id, name, kind, is_default, created_at) VALUES ('local', 'Built-in store', 'local', 1, strftime('%Y-%m-%dT%H:%M:%fZ'));

        -- Deleting an application or environment removes the entries that name it; the owner keeps
        -- scoped = 1, so it becomes usable by fewer consumers, never more.
        CREATE TABLE scope_entries (
          owner_kind       TEXT NOT NULL CHECK (owner_kind IN ('secret', 'manager')),
          owner_id         TEXT NOT NULL,
          application_id   TEXT REFERENCES applications(id) ON DELETE CASCADE,
          environment_id   TEXT REFERENCES environments(id) ON DELETE CASCADE,
          environment_type TEXT CHECK (environment_type IN ('production', 'non-production')),
          CHECK (environment_id IS NULL OR environment_type IS NULL),
          CHECK (environment_id IS NULL OR application_id IS NOT NULL)
        ) STRICT;
        CREATE INDEX scope_entries_owner ON scope_entries (owner_kind, owner_id);
        CREATE INDEX scope_entries_application ON scope_entries (application_id, owner_kind, owner_id);
        CREATE INDEX scope_entries_environment ON scope_entries (environment_id, owner_kind, owner_id);

        CREATE INDEX secrets_type_name ON secrets (type, name COLLATE NOCASE);
        CREATE INDEX secrets_manager_name ON secrets (manager_id, name COLLATE NOCASE);
        CREATE INDEX secrets_created_at ON secrets (created_at DESC);

        -- Substring search on names: a trigram index answers LIKE '%abc%' without scanning every row.
        CREATE VIRTUAL TABLE secrets_name_search USING fts5(name, content = 'secrets', content_rowid = 'rowid', tokenize = 'trigram');
        INSERT INTO secrets_name_search (secrets_name_search) VALUES ('rebuild');
        CREATE TRIGGER secrets_name_search_insert AFTER INSERT ON secrets BEGIN
          INSERT INTO secrets_name_search (rowid, name) VALUES (new.rowid, new.name);
        END;
        CREATE TRIGGER secrets_name_search_delete AFTER DELETE ON secrets BEGIN
          INSERT INTO secrets_name_search (secrets_name_search, rowid, name) VALUES ('delete', old.rowid, old.name);
        END;
        CREATE TRIGGER secrets_name_search_rename AFTER UPDATE OF name ON secrets BEGIN
          INSERT INTO secrets_name_search (secrets_name_search, rowid, name) VALUES ('delete', old.rowid, old.name);
          INSERT INTO secrets_name_search (rowid, name) VALUES (new.rowid, new.name);
        END;
      `);
    },
  },
  {
    version: 4,
    description: 'known SSH host keys and the history of connection tests',
    up(db) {
      db.exec(`
        CREATE TABLE known_hosts (
          host        TEXT NOT NULL COLLATE NOCASE,
          port        INTEGER NOT NULL,
          key_type    TEXT NOT NULL,
          fingerprint TEXT NOT NULL,
          public_key  TEXT NOT NULL,
          added_at    TEXT NOT NULL,
          added_by    TEXT NOT NULL,
          PRIMARY KEY (host, port, key_type)
        ) STRICT;

        -- Reports are masked by the delegate before they leave it; they hold no secret.
        CREATE TABLE connection_tests (
          id         TEXT PRIMARY KEY,
          secret_id  TEXT NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
          host       TEXT NOT NULL,
          port       INTEGER NOT NULL,
          ok         INTEGER NOT NULL,
          error_code TEXT,
          consumer   TEXT,
          actor      TEXT NOT NULL,
          started_at TEXT NOT NULL,
          report     TEXT NOT NULL,
          seen_host_key TEXT
        ) STRICT;
        CREATE INDEX connection_tests_secret ON connection_tests (secret_id, started_at DESC);
      `);
    },
  },
  {
    version: 5,
    description: 'external secret managers: encrypted configurations, health, intermediate keys, remote versions and references',
    up(db) {
      db.exec(`
        -- A manager's configuration, secret fields included, encrypted by the keyring inside the delegate
        -- (AAD binds the manager's id and kind); main keeps the ciphertext and the non-secret fields only.
        ALTER TABLE managers ADD COLUMN config_ciphertext TEXT;
        ALTER TABLE managers ADD COLUMN config_keyring_version INTEGER REFERENCES keyring(version);
        ALTER TABLE managers ADD COLUMN config_version INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE managers ADD COLUMN public_config TEXT NOT NULL DEFAULT '{}';
        -- The last connection test: {lastCheckAt, ok, summary, warnings, facts}.
        ALTER TABLE managers ADD COLUMN health TEXT;
        ALTER TABLE managers ADD COLUMN updated_at TEXT;
        UPDATE managers SET updated_at = created_at;

        -- KMS managers: each intermediate key, as KMS wrapped it, and the KMS key version that did.
        CREATE TABLE intermediate_keys (
          id              TEXT PRIMARY KEY,
          manager_id      TEXT NOT NULL REFERENCES managers(id),
          wrapped_key     TEXT NOT NULL,
          kms_key_version TEXT NOT NULL,
          created_at      INTEGER NOT NULL,
          use_count       INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX intermediate_keys_manager ON intermediate_keys (manager_id, created_at DESC);
        CREATE INDEX intermediate_keys_kms_version ON intermediate_keys (kms_key_version);

        -- KMS versions: wrapped_key is the data key sealed by this intermediate key (not by the keyring).
        ALTER TABLE secret_versions ADD COLUMN intermediate_key_id TEXT REFERENCES intermediate_keys(id);
        -- Secret-store versions: no ciphertext here (ciphertext and wrapped_key are empty), only where the value lives.
        ALTER TABLE secret_versions ADD COLUMN remote_reference TEXT;
        ALTER TABLE secret_versions ADD COLUMN remote_version TEXT;
        CREATE INDEX secret_versions_intermediate_key ON secret_versions (intermediate_key_id) WHERE intermediate_key_id IS NOT NULL;

        -- A reference to an existing remote secret (read when needed, never copied); NULL for values Strongroom keeps.
        ALTER TABLE secrets ADD COLUMN reference TEXT;
        -- Secret stores: the name the value is written under, kept across renames so every version stays together.
        ALTER TABLE secrets ADD COLUMN remote_name TEXT;
      `);
    },
  },
  {
    version: 6,
    description: 'migration runs and their per-secret journal (docs/migration.md)',
    up(db) {
      db.exec(`
        CREATE TABLE migration_runs (
          id                TEXT PRIMARY KEY,
          source_manager_id TEXT NOT NULL,
          target_manager_id TEXT NOT NULL,
          all_versions      INTEGER NOT NULL,
          delete_source     INTEGER NOT NULL,
          concurrency       INTEGER NOT NULL,
          -- Provider requests per second for this run; NULL: each kind's published quotas.
          rate_per_second   REAL,
          state             TEXT NOT NULL CHECK (state IN ('running', 'paused', 'cancelled', 'finished')),
          actor             TEXT NOT NULL,
          created_at        TEXT NOT NULL,
          updated_at        TEXT NOT NULL,
          finished_at       TEXT
        ) STRICT;

        -- One row per secret of a run: planned -> written -> verified -> switched -> source_removed, or failed / cancelled.
        -- It outlives the secret (no foreign key), so the report stays complete.
        CREATE TABLE migration_items (
          run_id         TEXT NOT NULL REFERENCES migration_runs(id) ON DELETE CASCADE,
          seq            INTEGER NOT NULL,
          secret_id      TEXT NOT NULL,
          secret_name    TEXT NOT NULL,
          -- Secret stores: the name the value is written under in the target (it owns that name while the run lives).
          target_name    TEXT,
          renamed        INTEGER NOT NULL DEFAULT 0,
          state          TEXT NOT NULL CHECK (state IN ('planned', 'written', 'verified', 'switched', 'source_removed', 'failed', 'cancelled')),
          reason         TEXT,
          detail         TEXT,
          -- The secret's current version when it was copied: a change meanwhile re-plans the copy.
          source_version INTEGER,
          -- JSON: the copies written (version, placement, encrypted form), kept until the switch and after, for the report and cleanup.
          written        TEXT,
          -- JSON: remote references left in the source after the switch (removed only with delete_source).
          source_refs    TEXT,
          attempts       INTEGER NOT NULL DEFAULT 0,
          updated_at     TEXT NOT NULL,
          PRIMARY KEY (run_id, secret_id)
        ) STRICT;
        CREATE INDEX migration_items_state ON migration_items (run_id, state, seq);
        CREATE INDEX migration_items_secret ON migration_items (secret_id, state);
      `);
    },
  },
  {
    version: 7,
    description: 'a journal of writes to secret stores: what Strongroom owns there, and what a failed batch may have left',
    up(db) {
      db.exec(`
        -- Every value Strongroom writes into a secret store, journaled: 'pending' from before the write until the
        -- transaction that records the secret marks it 'written' with its version id. A pending row left behind names
        -- a write a failed or interrupted batch may have left in the store (listed for cleanup). Written rows are what
        -- Strongroom owns there: a delete removes only those versions. mode 'adopt' marks a secret Strongroom did not create.
        CREATE TABLE remote_writes (
          id          INTEGER PRIMARY KEY,
          manager_id  TEXT NOT NULL REFERENCES managers(id),
          secret_id   TEXT NOT NULL,
          remote_name TEXT NOT NULL,
          mode        TEXT NOT NULL CHECK (mode IN ('create', 'overwrite', 'adopt')),
          state       TEXT NOT NULL CHECK (state IN ('pending', 'written')),
          reference   TEXT,
          version_id  TEXT,
          created_at  TEXT NOT NULL
        ) STRICT;
        CREATE INDEX remote_writes_secret ON remote_writes (secret_id);
        CREATE INDEX remote_writes_pending ON remote_writes (manager_id) WHERE state = 'pending';

        -- Values Strongroom wrote before this journal: their versions still on record are its own.
        INSERT INTO remote_writes (manager_id, secret_id, remote_name, mode, state, reference, version_id, created_at)
          SELECT s.manager_id, s.id, s.remote_name, CASE WHEN v.version = (SELECT MIN(version) FROM secret_versions WHERE secret_id = s.id) THEN 'create' ELSE 'overwrite' END,
                 'written', v.remote_reference, v.remote_version, v.created_at
          FROM secrets s JOIN secret_versions v ON v.secret_id = s.id
          WHERE s.remote_name IS NOT NULL AND s.reference IS NULL AND v.remote_version IS NOT NULL;
      `);
    },
  },
  {
    version: 8,
    description: 'an integrity MAC over the fields of each secrets row that decide which value a consumer gets',
    up(db) {
      db.exec(`
        -- Both are written by RowIntegrity (src-main/core/services/row-integrity.ts); rows from before are MACed at the next unlock.
        ALTER TABLE secrets ADD COLUMN row_mac TEXT;
        -- The length of the audit trail when the row was written, covered by row_mac: a shorter trail was replaced.
        ALTER TABLE secrets ADD COLUMN audit_seq INTEGER;
      `);
    },
  },
  {
    version: 9,
    description: 'pending remote writes found by manager, secret and name, not by scanning every pending write of the manager',
    up(db) {
      db.exec(`
        -- A migration journals one pending create per item ahead of its writes (10,000 for a 10,000-secret run), and
        -- looks each up and settles it by (manager, secret, name): on the manager alone that was a scan per item.
        DROP INDEX remote_writes_pending;
        CREATE INDEX remote_writes_pending ON remote_writes (manager_id, secret_id, remote_name) WHERE state = 'pending';
      `);
    },
  },
  {
    version: 10,
    description: 'saved searches of the secrets list, and migration items that stay references',
    up(db) {
      db.exec(`
        -- A named filter of the secrets list (docs/migration.md "Saved searches"): the list's query, types and usage
        -- scope, as the list takes them. An application or environment deleted later leaves the search naming none.
        CREATE TABLE saved_searches (
          id             TEXT PRIMARY KEY,
          name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
          query          TEXT NOT NULL,
          -- JSON array of secret types; empty: every type.
          types          TEXT NOT NULL,
          application_id TEXT REFERENCES applications(id) ON DELETE SET NULL,
          environment_id TEXT REFERENCES environments(id) ON DELETE SET NULL,
          created_at     TEXT NOT NULL,
          updated_at     TEXT NOT NULL
        ) STRICT;

        -- 1: the secret is a reference the target reaches too; the run re-points its manager and writes nothing remote.
        ALTER TABLE migration_items ADD COLUMN keeps_reference INTEGER NOT NULL DEFAULT 0;
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
