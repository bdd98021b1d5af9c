/**
 * SQLite's check of the store file: `store check` against a real file with a
 * deliberately overwritten index page, and the weekly check at unlock, timed
 * by a manual clock.
 */
import { openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY, PASSPHRASE, call, createSecret, createVault, requireBuild, runCliSync, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';
import { ManualClock } from '../support/manual-clock.js';
import { runNodeScript } from '../fixtures/process-tools.js';
import { serveSessionWhileUnlocked } from '../../src-main/core/session/app-session.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('store integrity check', { timeout: 300_000 }, () => {
  const dir = tempDir();
  const passphraseFile = join(dir.path, 'passphrase');
  const run = (dataDir: string, args: string[], input = '') => runCliSync(dataDir, passphraseFile, args, input);

  /** The CLI as a user runs it; spawned, not spawnSync, since `unlock` leaves a detached session agent behind. */
  const runAsync = (dataDir: string, args: string[]) => runNodeScript(CLI_ENTRY, ['--data-dir', dataDir, '--passphrase-file', passphraseFile, ...args]);

  /** Overwrites the first page of one of the secrets table's indexes with 0xFF: quick_check fails, while unlock still reads the store. */
  function damageAnIndex(store: string): { name: string; rootpage: number } {
    const file = join(store, 'strongroom.db');
    const db = new Database(file);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const index = db.prepare("SELECT name, rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'secrets' AND rootpage > 0 LIMIT 1").get() as { name: string; rootpage: number };
    db.close();
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (index.rootpage - 1) * pageSize);
    closeSync(fd);
    return index;
  }

  beforeAll(() => {
    requireBuild();
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  });
  afterAll(() => dir.remove());

  it('store check says OK on a sound store and names the problem, exit 1, after an index page is overwritten', () => {
    const store = join(dir.path, 'damaged');
    expect(run(store, ['init']).code).toBe(0);
    for (const name of ['alpha', 'bravo', 'charlie']) expect(run(store, ['secret', 'create', '--name', name], `${name} value`).code).toBe(0);
    const sound = run(store, ['store', 'check']);
    expect(sound.code).toBe(0);
    expect(sound.stdout + sound.stderr).toMatch(/: OK/);

    const file = join(store, 'strongroom.db');
    const db = new Database(file);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const index = db.prepare("SELECT name, rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'secrets' AND rootpage > 0 LIMIT 1").get() as { name: string; rootpage: number };
    db.close();
    expect(index).toBeDefined();
    // 0xFF is no valid b-tree page type: the whole index page becomes unreadable.
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (index.rootpage - 1) * pageSize);
    closeSync(fd);

    const damaged = run(store, ['store', 'check']);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain(`The store file in ${store} is damaged`);
    expect(damaged.stderr).toMatch(new RegExp(`page ${index.rootpage}|${index.name}`));
    expect(damaged.stderr).toMatch(/strongroom import --from/);
  });

  it('runs at unlock when none ran or the last is 7 days old, and not before', async () => {
    const store = join(dir.path, 'scheduled');
    const clock = new ManualClock();
    const core = await startCore(store, { clock });
    try {
      await createVault(core);
      await createSecret(core, 'ONE', 'value-one');
      expect((await call(core, 'app.status', {})).storeCheck).toBeNull();
      const unlockAgain = async () => {
        await call(core, 'vault.lock', {});
        await call(core, 'vault.unlock', await sealedUnlock(core));
        return (await call(core, 'app.status', {})).storeCheck;
      };
      const first = await unlockAgain();
      expect(first).toEqual({ at: new Date(clock.now()).toISOString(), ok: true, problems: [] });

      clock.advance(6 * DAY_MS);
      expect((await unlockAgain())?.at).toBe(first!.at);

      clock.advance(DAY_MS);
      const weekLater = await unlockAgain();
      expect(weekLater?.at).toBe(new Date(clock.now()).toISOString());
      expect(weekLater?.ok).toBe(true);

      const audited = await call(core, 'audit.list', { limit: 100, offset: 0, action: 'store.check' });
      expect(audited.items.map((entry) => entry.outcome)).toEqual(['success', 'success']);
    } finally {
      await core.close();
    }
  });

  it('a scheduled check at unlock that fails is said by status and unlock, whether the app or the session agent answers', async () => {
    const store = join(dir.path, 'scheduled-damage');
    const clock = new ManualClock();
    const first = await startCore(store, { clock });
    try {
      await createVault(first);
      for (const name of ['ALPHA', 'BRAVO', 'CHARLIE']) await createSecret(first, name, `${name} value`);
      await call(first, 'vault.lock', {});
      await call(first, 'vault.unlock', await sealedUnlock(first));
      expect((await call(first, 'app.status', {})).storeCheck?.ok).toBe(true);
    } finally {
      await first.close();
    }
    const index = damageAnIndex(store);
    const damagedAt = new RegExp(`page ${index.rootpage}|${index.name}`);
    const warning = `found the store file in ${store} damaged`;

    // The app's core: a week later its unlock runs the check, which fails, and the CLI asks it through the session.
    const app = await startCore(store, { clock });
    try {
      serveSessionWhileUnlocked(app, store);
      clock.advance(7 * DAY_MS);
      await call(app, 'vault.unlock', await sealedUnlock(app));
      const check = (await call(app, 'app.status', {})).storeCheck;
      expect(check).toMatchObject({ at: new Date(clock.now()).toISOString(), ok: false });
      expect(check!.problems.join('\n')).toMatch(damagedAt);

      let status = await runAsync(store, ['status']);
      while (status.code !== 0) status = await runAsync(store, ['status']);
      expect(status.stderr).toContain('served by the app');
      expect(status.stderr).toContain(`Warning: the store check at ${check!.at} ${warning}: ${check!.problems[0]}`);
      expect(status.stderr).toContain('strongroom store check');
      expect(status.stderr).toContain('strongroom import --from BACKUP');
      const json = JSON.parse((await runAsync(store, ['status', '--json'])).stdout) as { storeCheck: unknown };
      expect(json.storeCheck).toEqual(check);
      const again = await runAsync(store, ['unlock']);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain(warning);
      await call(app, 'vault.lock', {});
    } finally {
      await app.close();
    }

    // A session agent's own unlock reports the failed check too, and so does status while it serves.
    const unlocked = await runAsync(store, ['unlock', '--timeout', '5m']);
    try {
      expect(unlocked.code, unlocked.stderr).toBe(0);
      expect(unlocked.stderr).toContain('session agent');
      expect(unlocked.stderr).toContain(warning);
      const status = await runAsync(store, ['status']);
      expect(status.stderr).toContain('session agent');
      expect(status.stderr).toContain(warning);
    } finally {
      expect((await runAsync(store, ['lock'])).code).toBe(0);
    }
  });
});
