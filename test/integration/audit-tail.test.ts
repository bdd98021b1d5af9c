/**
 * The end of the audit trail cannot be cut, deleted with its head or wiped
 * without Strongroom noticing: the real CLI against a real SQLite file that
 * the test edits between commands, as someone with access to the file could.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSPHRASE, requireBuild, runCliSync, tempDir } from '../support/core-harness.js';

// Each test runs several CLI processes, each deriving the key with scrypt: allow for a busy machine.
describe('audit trail: cuts, a deleted head and a wipe are detected and stop writes', { timeout: 300_000 }, () => {
  let dir: ReturnType<typeof tempDir>;
  let dataDir: string;
  let passphraseFile: string;

  const run = (args: string[], input = '') => runCliSync(dataDir, passphraseFile, args, input);
  const withDb = <T>(work: (db: BetterSqlite3.Database) => T): T => {
    const db = new BetterSqlite3(join(dataDir, 'strongroom.db'));
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  const trail = () => withDb((db) => db.prepare('SELECT seq, action, mac FROM audit_log ORDER BY seq').all() as { seq: number; action: string; mac: string | null }[]);
  const head = () => withDb((db) => db.prepare("SELECT value FROM meta WHERE key = 'audit.head'").get() as { value: string } | undefined);
  const secretNames = () => withDb((db) => (db.prepare('SELECT name FROM secrets ORDER BY name').all() as { name: string }[]).map((row) => row.name));

  // One store is made once; each test edits its own copy of the folder.
  const template = tempDir();
  beforeAll(() => {
    requireBuild();
    dataDir = join(template.path, 'store');
    passphraseFile = join(template.path, 'passphrase');
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    expect(run(['init']).code).toBe(0);
    for (const name of ['alpha', 'beta', 'gamma']) expect(run(['secret', 'create', '--name', name], `${name} value`).code).toBe(0);
    expect(run(['audit', 'verify']).code).toBe(0);
  }, 300_000);
  afterAll(() => template.remove());
  beforeEach(() => {
    dir = tempDir();
    dataDir = join(dir.path, 'store');
    cpSync(join(template.path, 'store'), dataDir, { recursive: true });
  });
  afterEach(() => dir.remove());

  it('refuses to write past a cut-off tail, reports it, and records it in the trail once accepted', () => {
    const before = trail();
    const last = before[before.length - 1]!.seq;
    withDb((db) => db.prepare('DELETE FROM audit_log WHERE seq > ?').run(last - 3));

    const create = run(['secret', 'create', '--name', 'delta'], 'delta value');
    expect(create.code).toBe(1);
    expect(create.stderr).toMatch(/audit trail is broken.*cut: entries \d+ to \d+ are missing/);
    expect(secretNames()).toEqual(['alpha', 'beta', 'gamma']);
    // Nothing re-used the cut sequence numbers.
    expect(trail().map((row) => row.seq)).toEqual(before.slice(0, -3).map((row) => row.seq));

    const verify = run(['audit', 'verify']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain(`Audit chain broken at entry ${last - 2}: The chain was cut`);

    const accept = run(['audit', 'accept-break']);
    expect(accept.code).toBe(0);
    expect(accept.stderr + accept.stdout).toContain(`break at entry ${last - 2}`);
    const afterAccept = trail();
    expect(afterAccept[last - 3]).toMatchObject({ seq: last - 2, action: 'audit.break' });
    expect(run(['audit', 'verify']).code).toBe(0);
    expect(run(['secret', 'create', '--name', 'delta'], 'delta value').code).toBe(0);
  });

  it('detects the head record deleted together with the newest entries, and verify writes nothing first', () => {
    const before = trail();
    const last = before[before.length - 1]!.seq;
    withDb((db) => {
      db.prepare('DELETE FROM audit_log WHERE seq > ?').run(last - 2);
      db.prepare("DELETE FROM meta WHERE key = 'audit.head'").run();
    });
    const verify = run(['audit', 'verify']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/head record is missing/);
    expect(head()).toBeUndefined();
    expect(trail()).toEqual(before.slice(0, -2));
    expect(run(['secret', 'reveal', 'alpha']).code).toBe(1);
  });

  it('detects a wiped trail in a store that holds secrets', () => {
    withDb((db) => {
      db.prepare('DELETE FROM audit_log').run();
      db.prepare("DELETE FROM meta WHERE key = 'audit.head'").run();
    });
    const verify = run(['audit', 'verify']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/wiped/);
    expect(trail()).toEqual([]);
    // Refused either by the trail check or by the row check (the rows expect a longer trail).
    const update = run(['secret', 'update', 'alpha'], 'new value');
    expect(update.code).toBe(1);
    expect(update.stderr).toMatch(/audit trail is broken|the audit trail has 0 entries/);
  });
});
