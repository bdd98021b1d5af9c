/**
 * The fields of a secrets row that decide which value a consumer gets are
 * authenticated: the real CLI and delegate against a real SQLite file that
 * the test edits between commands, as someone with access to the file could.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSPHRASE, requireBuild, runCliSync, tempDir } from '../support/core-harness.js';

// Each test runs several CLI processes, each deriving the key with scrypt: allow for a busy machine.
describe('row integrity: forged secrets rows are refused, naming the secret', { timeout: 300_000 }, () => {
  const template = tempDir();
  let dir: ReturnType<typeof tempDir>;
  let dataDir = join(template.path, 'store');
  const passphraseFile = join(template.path, 'passphrase');

  const run = (args: string[], input = '') => runCliSync(dataDir, passphraseFile, args, input);
  const edit = (sql: string[]) => {
    const db = new BetterSqlite3(join(dataDir, 'strongroom.db'));
    try {
      db.transaction(() => sql.forEach((statement) => db.prepare(statement).run()))();
    } finally {
      db.close();
    }
  };

  // One store is made once; each test edits its own copy of the folder.
  beforeAll(() => {
    requireBuild();
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    expect(run(['init']).code).toBe(0);
    expect(run(['secret', 'create', '--name', 'alpha'], 'alpha one').code).toBe(0);
    expect(run(['secret', 'update', 'alpha'], 'alpha two').code).toBe(0);
    expect(run(['secret', 'create', '--name', 'beta'], 'beta value').code).toBe(0);
    expect(run(['app', 'create', 'billing']).code).toBe(0);
    expect(run(['env', 'create', 'billing', 'prod', '--type', 'prod']).code).toBe(0);
    expect(run(['secret', 'create', '--name', 'gamma'], 'gamma value').code).toBe(0);
    expect(run(['secret', 'scope', 'gamma', '--add', 'billing:prod']).code).toBe(0);
    expect(run(['secret', 'reveal', 'alpha']).stdout).toBe('alpha two');
    expect(run(['secret', 'reveal', 'gamma']).code).toBe(1);
    expect(run(['secret', 'reveal', 'gamma', '--app', 'billing', '--env', 'prod']).stdout).toBe('gamma value');
    expect(run(['audit', 'verify']).code).toBe(0);
  }, 300_000);
  afterAll(() => template.remove());
  beforeEach(() => {
    dir = tempDir();
    dataDir = join(dir.path, 'store');
    cpSync(join(template.path, 'store'), dataDir, { recursive: true });
  });
  afterEach(() => dir.remove());

  const expectRefused = (result: ReturnType<typeof run>, name: string) => {
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Secret "${name}" failed its integrity check`);
  };

  it('refuses both secrets after their names are swapped', () => {
    edit([
      "UPDATE secrets SET name = 'swap_tmp' WHERE name = 'alpha'",
      "UPDATE secrets SET name = 'alpha' WHERE name = 'beta'",
      "UPDATE secrets SET name = 'beta' WHERE name = 'swap_tmp'",
    ]);
    expectRefused(run(['secret', 'reveal', 'alpha']), 'alpha');
    expectRefused(run(['secret', 'reveal', 'beta']), 'beta');
    // Nor can a write bless the forgery, or a delete hit the wrong secret.
    expectRefused(run(['secret', 'update', 'alpha'], 'new'), 'alpha');
    expectRefused(run(['secret', 'delete', 'beta']), 'beta');
    const verify = run(['audit', 'verify']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/alpha: .*does not match its MAC/);
    expect(verify.stdout).toMatch(/beta: .*does not match its MAC/);
  });

  it('refuses a secret whose current version was moved back', () => {
    edit(["UPDATE secrets SET current_version = 1 WHERE name = 'alpha'"]);
    expectRefused(run(['secret', 'reveal', 'alpha']), 'alpha');
    expect(run(['secret', 'reveal', 'beta']).stdout).toBe('beta value');
    const verify = run(['audit', 'verify']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('alpha');
    expect(verify.stdout).not.toContain('beta');
  });

  it('refuses a secret whose scope columns were widened', () => {
    edit(["UPDATE secrets SET scoped = 0 WHERE name = 'gamma'"]);
    expectRefused(run(['secret', 'reveal', 'gamma']), 'gamma');
  });

  it('refuses a secret whose scope entries were widened', () => {
    edit(["UPDATE scope_entries SET application_id = NULL, environment_id = NULL WHERE owner_kind = 'secret'"]);
    expectRefused(run(['secret', 'reveal', 'gamma', '--app', 'billing', '--env', 'prod']), 'gamma');
  });

  it('refuses a secret moved to another manager or type, and one whose MAC was removed', () => {
    edit(["UPDATE secrets SET type = 'file' WHERE name = 'alpha'", "UPDATE secrets SET row_mac = NULL WHERE name = 'beta'"]);
    expectRefused(run(['secret', 'reveal', 'alpha']), 'alpha');
    const beta = run(['secret', 'reveal', 'beta']);
    expectRefused(beta, 'beta');
    expect(beta.stderr).toContain('no integrity MAC');
  });

  it('keeps legitimate changes valid: rollback, scope change, app deletion', () => {
    expect(run(['secret', 'rollback', 'alpha', '--to', '1']).code).toBe(0);
    expect(run(['secret', 'reveal', 'alpha']).stdout).toBe('alpha one');
    expect(run(['secret', 'scope', 'beta', '--add', 'billing:prod']).code).toBe(0);
    expect(run(['app', 'delete', 'billing']).code).toBe(0);
    expect(run(['audit', 'verify']).code).toBe(0);
  });
});
