/** One test per migration: each brings the previous schema forward and keeps the data. */
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, migrations } from '../../src-main/core/store/migrations.js';
import { NewerSchemaError, openDatabase } from '../../src-main/core/store/database.js';
import { tempDir } from '../support/core-harness.js';

const tables = (db: BetterSqlite3.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
const indexes = (db: BetterSqlite3.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((row) => row.name);

describe('migrations', () => {
  let db: BetterSqlite3.Database;
  afterEach(() => db?.close());

  it('numbers migrations 1, 2, … without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_m, i) => i + 1));
  });

  it('1: creates the keyring, secrets, versions, audit and meta tables with their constraints', () => {
    db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    expect(migrate(db, 1)).toBe(1);
    expect(tables(db)).toEqual(['audit_log', 'keyring', 'meta', 'secret_versions', 'secrets']);
    db.prepare("INSERT INTO keyring VALUES (1, '{}', 'w', 'now')").run();
    db.prepare("INSERT INTO secrets VALUES ('id1', 'Name', NULL, 'text', 'local', 1, 'now', 'now')").run();
    // Names are unique regardless of case.
    expect(() => db.prepare("INSERT INTO secrets VALUES ('id2', 'name', NULL, 'text', 'local', 1, 'now', 'now')").run()).toThrow(/UNIQUE/);
    db.prepare("INSERT INTO secret_versions VALUES ('id1', 1, 'c', 'k', 1, 'now', 'cli')").run();
    // Versions go with their secret.
    db.prepare("DELETE FROM secrets WHERE id = 'id1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM secret_versions').get()).toEqual({ n: 0 });
    // A version must name an existing keyring version.
    db.prepare("INSERT INTO secrets VALUES ('id3', 'other', NULL, 'text', 'local', 1, 'now', 'now')").run();
    expect(() => db.prepare("INSERT INTO secret_versions VALUES ('id3', 1, 'c', 'k', 9, 'now', 'cli')").run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("INSERT INTO audit_log VALUES (1, 'now', 'cli', 'x', NULL, 'maybe', NULL, 'h', NULL)").run()).toThrow(/CHECK/);
  });

  it('2: adds the recency and unsealed-audit indexes and keeps existing rows', () => {
    db = new BetterSqlite3(':memory:');
    migrate(db, 1);
    db.prepare("INSERT INTO secrets VALUES ('id1', 'kept', NULL, 'text', 'local', 1, 'now', 'now')").run();
    expect(migrate(db, 2)).toBe(2);
    expect(indexes(db)).toEqual(expect.arrayContaining(['audit_log_unsealed', 'secrets_updated_at']));
    expect(db.prepare('SELECT name FROM secrets').all()).toEqual([{ name: 'kept' }]);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT seq FROM audit_log WHERE mac IS NULL ORDER BY seq').all() as { detail: string }[];
    expect(plan.map((row) => row.detail).join(' ')).toContain('audit_log_unsealed');
  });

  it('5: adds encrypted manager configurations, intermediate keys and remote versions, keeping existing rows', () => {
    db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, 4);
    db.prepare("INSERT INTO keyring VALUES (1, '{}', 'w', 'now')").run();
    db.prepare("INSERT INTO secrets (id, name, description, type, manager_id, current_version, created_at, updated_at) VALUES ('id1', 'kept', NULL, 'text', 'local', 1, 'now', 'now')").run();
    db.prepare("INSERT INTO secret_versions (secret_id, version, ciphertext, wrapped_key, keyring_version, created_at, created_by) VALUES ('id1', 1, 'c', 'k', 1, 'now', 'cli')").run();
    expect(migrate(db, 5)).toBe(5);
    expect(tables(db)).toContain('intermediate_keys');
    expect(indexes(db)).toEqual(expect.arrayContaining(['intermediate_keys_manager', 'intermediate_keys_kms_version', 'secret_versions_intermediate_key']));

    // Existing rows keep their values; the new columns start empty.
    expect(db.prepare('SELECT name, reference, remote_name FROM secrets').all()).toEqual([{ name: 'kept', reference: null, remote_name: null }]);
    expect(db.prepare('SELECT ciphertext, intermediate_key_id, remote_reference, remote_version FROM secret_versions').all()).toEqual([
      { ciphertext: 'c', intermediate_key_id: null, remote_reference: null, remote_version: null },
    ]);
    const local = db.prepare("SELECT config_ciphertext, config_version, public_config, health, updated_at, created_at FROM managers WHERE id = 'local'").get() as Record<string, unknown>;
    expect(local).toMatchObject({ config_ciphertext: null, config_version: 0, public_config: '{}', health: null });
    expect(local.updated_at).toBe(local.created_at);

    // An intermediate key belongs to an existing manager; a version names an existing intermediate key.
    expect(() => db.prepare("INSERT INTO intermediate_keys VALUES ('ik1', 'nope', 'w', 'v1', 0, 0)").run()).toThrow(/FOREIGN KEY/);
    db.prepare("INSERT INTO managers (id, name, kind, created_at, config_ciphertext, config_keyring_version, config_version) VALUES ('m1', 'KMS', 'aws-kms', 'now', 'ct', 1, 1)").run();
    db.prepare("INSERT INTO intermediate_keys VALUES ('ik1', 'm1', 'w', 'arn:key/1', 1700000000000, 3)").run();
    db.prepare("INSERT INTO secrets (id, name, description, type, manager_id, current_version, created_at, updated_at) VALUES ('id2', 'kms', NULL, 'text', 'm1', 1, 'now', 'now')").run();
    expect(() =>
      db.prepare("INSERT INTO secret_versions (secret_id, version, ciphertext, wrapped_key, keyring_version, created_at, created_by, intermediate_key_id) VALUES ('id2', 1, 'c', 'k', 1, 'now', 'cli', 'missing')").run(),
    ).toThrow(/FOREIGN KEY/);
    db.prepare("INSERT INTO secret_versions (secret_id, version, ciphertext, wrapped_key, keyring_version, created_at, created_by, intermediate_key_id) VALUES ('id2', 1, 'c', 'k', 1, 'now', 'cli', 'ik1')").run();
    // A manager's configuration names an existing keyring version.
    expect(() => db.prepare("UPDATE managers SET config_keyring_version = 9 WHERE id = 'm1'").run()).toThrow(/FOREIGN KEY/);
    // The store's STRICT typing holds for the new table.
    expect(() => db.prepare("INSERT INTO intermediate_keys VALUES ('ik2', 'm1', 'w', 'v', 'yesterday', 0)").run()).toThrow(/cannot store TEXT value in INTEGER column/);
  });

  it('6: adds migration runs and their journal, which outlives the secrets it names and goes with its run', () => {
    db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, 5);
    expect(migrate(db, 6)).toBe(6);
    expect(tables(db)).toEqual(expect.arrayContaining(['migration_items', 'migration_runs']));
    expect(indexes(db)).toEqual(expect.arrayContaining(['migration_items_state', 'migration_items_secret']));
    db.prepare(
      "INSERT INTO migration_runs (id, source_manager_id, target_manager_id, all_versions, delete_source, concurrency, state, actor, created_at, updated_at) VALUES ('r1', 'local', 'm1', 0, 0, 16, 'running', 'cli', 'now', 'now')",
    ).run();
    expect(() =>
      db.prepare("INSERT INTO migration_runs (id, source_manager_id, target_manager_id, all_versions, delete_source, concurrency, state, actor, created_at, updated_at) VALUES ('r2', 'a', 'b', 0, 0, 1, 'sleeping', 'cli', 'now', 'now')").run(),
    ).toThrow(/CHECK/);
    db.prepare("INSERT INTO migration_items (run_id, seq, secret_id, secret_name, state, updated_at) VALUES ('r1', 0, 'gone-secret', 'db', 'planned', 'now')").run();
    expect(() => db.prepare("INSERT INTO migration_items (run_id, seq, secret_id, secret_name, state, updated_at) VALUES ('r1', 1, 's2', 'x', 'half-moved', 'now')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO migration_items (run_id, seq, secret_id, secret_name, state, updated_at) VALUES ('nope', 0, 's3', 'x', 'planned', 'now')").run()).toThrow(/FOREIGN KEY/);
    db.prepare("DELETE FROM migration_runs WHERE id = 'r1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM migration_items').get()).toEqual({ n: 0 });
  });

  it('7: journals remote writes, taking over the versions Strongroom already wrote into secret stores', () => {
    db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, 6);
    db.prepare("INSERT INTO keyring VALUES (1, '{}', 'w', 'now')").run();
    db.prepare("INSERT INTO managers (id, name, kind, created_at, config_ciphertext, config_keyring_version, config_version) VALUES ('v', 'Vault', 'vault', 'now', 'ct', 1, 1)").run();
    const secret = db.prepare("INSERT INTO secrets (id, name, description, type, manager_id, current_version, created_at, updated_at, remote_name, reference) VALUES (?, ?, NULL, 'text', 'v', 2, 'now', 'now', ?, ?)");
    secret.run('inline', 'db', 'db', null);
    secret.run('ref', 'shared', null, 'apps/shared#key');
    const version = db.prepare("INSERT INTO secret_versions (secret_id, version, ciphertext, wrapped_key, keyring_version, created_at, created_by, remote_reference, remote_version) VALUES (?, ?, '', '', 1, ?, 'cli', ?, ?)");
    version.run('inline', 2, 't2', 'strongroom/db#value', '7');
    version.run('inline', 3, 't3', 'strongroom/db#value', '8');
    version.run('ref', 1, 't1', 'apps/shared#key', null);
    expect(migrate(db, 7)).toBe(7);
    expect(db.prepare('SELECT secret_id, remote_name, mode, state, reference, version_id FROM remote_writes ORDER BY version_id').all()).toEqual([
      { secret_id: 'inline', remote_name: 'db', mode: 'create', state: 'written', reference: 'strongroom/db#value', version_id: '7' },
      { secret_id: 'inline', remote_name: 'db', mode: 'overwrite', state: 'written', reference: 'strongroom/db#value', version_id: '8' },
    ]);
    expect(indexes(db)).toEqual(expect.arrayContaining(['remote_writes_secret', 'remote_writes_pending']));
    expect(() => db.prepare("INSERT INTO remote_writes (manager_id, secret_id, remote_name, mode, state, created_at) VALUES ('v', 's', 'n', 'take', 'pending', 'now')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO remote_writes (manager_id, secret_id, remote_name, mode, state, created_at) VALUES ('nope', 's', 'n', 'create', 'pending', 'now')").run()).toThrow(/FOREIGN KEY/);
  });

  it('8: adds the row MAC and the trail length it covers to secrets, NULL for rows from before (MACed at the next unlock)', () => {
    db = new BetterSqlite3(':memory:');
    migrate(db, 7);
    db.prepare("INSERT INTO secrets (id, name, type, manager_id, current_version, created_at, updated_at) VALUES ('s1', 'old', 'text', 'local', 1, 'now', 'now')").run();
    expect(migrate(db, 8)).toBe(8);
    expect(db.prepare('SELECT name, row_mac, audit_seq FROM secrets').get()).toEqual({ name: 'old', row_mac: null, audit_seq: null });
  });

  it('10: adds saved searches, whose scope goes when its application goes, and keeps_reference on migration items (0 for rows from before)', () => {
    db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, 9);
    db.prepare("INSERT INTO migration_runs VALUES ('r1', 'local', 'v', 0, 0, 16, NULL, 'finished', 'cli', 'now', 'now', 'now')").run();
    db.prepare("INSERT INTO migration_items (run_id, seq, secret_id, secret_name, state, updated_at) VALUES ('r1', 0, 's1', 'old', 'switched', 'now')").run();
    expect(migrate(db, 10)).toBe(10);
    expect(db.prepare('SELECT secret_name, keeps_reference FROM migration_items').get()).toEqual({ secret_name: 'old', keeps_reference: 0 });
    db.prepare("INSERT INTO applications (id, name, created_at) VALUES ('a1', 'billing', 'now')").run();
    const insert = db.prepare("INSERT INTO saved_searches VALUES (?, ?, 'db', '[\"text\"]', ?, NULL, 'now', 'now')");
    insert.run('q1', 'Billing DB', 'a1');
    expect(() => insert.run('q2', 'billing db', null)).toThrow(/UNIQUE/);
    expect(() => insert.run('q3', 'other', 'no-such-app')).toThrow(/FOREIGN KEY/);
    db.prepare("DELETE FROM applications WHERE id = 'a1'").run();
    expect(db.prepare('SELECT name, application_id FROM saved_searches').get()).toEqual({ name: 'Billing DB', application_id: null });
  });

  it('is idempotent, and refuses a store written by a newer schema', () => {
    const dir = tempDir();
    try {
      openDatabase(dir.path).close();
      const reopened = openDatabase(dir.path);
      expect(reopened.pragma('user_version', { simple: true })).toBe(migrations.length);
      expect(reopened.pragma('journal_mode', { simple: true })).toBe('wal');
      reopened.pragma(`user_version = ${migrations.length + 1}`);
      reopened.close();
      expect(() => openDatabase(dir.path)).toThrow(NewerSchemaError);
    } finally {
      dir.remove();
    }
  });
});
