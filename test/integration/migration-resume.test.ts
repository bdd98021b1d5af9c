/**
 * A migration interrupted when the app quit shows at the next start and goes
 * on by itself: the app's core, once unlocked, resumes every run no process
 * has worked on lately (docs/migration.md, "Interrupted runs"). A paused run
 * waits for the user's resume. Either resume is in the audit trail.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent, MigrationRun } from '../../src-shared/contract.js';
import { managerConfig as vaultConfig, startVaultEmulator, type VaultEmulator } from '../emulators/vault-emulator.js';
import { call, createVault, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';
import { addManager, createManyIn, revealMany } from './managers-harness.js';

const SECRETS = 120;

let dir: ReturnType<typeof tempDir>;
let vault: VaultEmulator;
const storeDir = () => join(dir.path, 'store');

function database(): BetterSqlite3.Database {
  return new BetterSqlite3(join(storeDir(), 'strongroom.db'), { timeout: 5000 });
}

beforeAll(async () => {
  dir = tempDir();
  vault = await startVaultEmulator();
});

afterAll(async () => {
  await Promise.allSettled([vault?.close()]);
  dir?.remove();
});

describe('a migration interrupted by quitting the app', () => {
  it('shows at the next start and resumes by itself; a paused one waits', async () => {
    const first = await startCore(storeDir());
    const values = new Map<string, string>();
    let runId = '';
    let pausedId = '';
    let vaultId = '';
    try {
      await createVault(first);
      vaultId = (await addManager(first, 'resume-vault', 'vault', { ...vaultConfig(vault), basePath: `strongroom/resume-${randomBytes(3).toString('hex')}` })).id;
      const batch = Array.from({ length: SECRETS }, (_, i) => ({ name: `resume-${i}`, value: `${randomBytes(12).toString('base64')}-${i}` }));
      const created = await createManyIn(first, batch);
      created.forEach((secret, i) => values.set(secret.id, batch[i]!.value));
      const ids = [...values.keys()];
      // One run paused by the user, one cut short by the quit: slow enough (latency, one at a time) to stop half way.
      const paused = await call(first, 'migration.start', { sourceManagerId: 'local', targetManagerId: vaultId, secretIds: ids.slice(0, 10), concurrency: 1 });
      pausedId = paused.id;
      await call(first, 'migration.pause', { runId: pausedId });
      vault.setFaults({ latencyMs: 30 });
      const run = await call(first, 'migration.start', { sourceManagerId: 'local', targetManagerId: vaultId, secretIds: ids.slice(10), concurrency: 1 });
      runId = run.id;
      for (let moved = 0; moved < 5; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        moved = (await call(first, 'migration.status', { runId })).done;
      }
    } finally {
      // Quitting the app: the run stops where it is, journaled as running.
      await first.close();
    }
    vault.setFaults({});
    const db = database();
    try {
      expect(db.prepare('SELECT state FROM migration_runs WHERE id = ?').get(runId)).toEqual({ state: 'running' });
      // The quit app's heartbeat stops; here its last one is made old at once instead of waiting for it to age.
      db.prepare("UPDATE migration_runs SET updated_at = '2000-01-01T00:00:00.000Z' WHERE id IN (?, ?)").run(runId, pausedId);
    } finally {
      db.close();
    }

    const next = await startCore(storeDir());
    try {
      const seen: MigrationRun[] = [];
      next.onEvent((event: AppEvent) => {
        if (event.type === 'migration.progress' && event.run.id === runId) seen.push(event.run);
      });
      await call(next, 'vault.unlock', await sealedUnlock(next));
      // Until it finishes: a run that never resumes keeps this waiting until the test's timeout fails it.
      let run = await call(next, 'migration.status', { runId });
      while (run.state === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 100));
        run = await call(next, 'migration.status', { runId });
      }
      expect(run).toMatchObject({ state: 'finished', total: SECRETS - 10, done: SECRETS - 10, failed: 0 });
      // The UI learnt of it through the progress event, without asking.
      expect(seen.length).toBeGreaterThan(0);
      const pausedRun = await call(next, 'migration.status', { runId: pausedId });
      expect(pausedRun.state).toBe('paused');
      // The automatic resume is in the audit trail, told apart from a person's; the paused run was not resumed.
      const resumedAtUnlock = (await call(next, 'audit.list', { action: 'migration.resume', limit: 10 })).items;
      expect(resumedAtUnlock).toHaveLength(1);
      expect(resumedAtUnlock[0]).toMatchObject({ target: runId, outcome: 'success' });
      expect(resumedAtUnlock[0]!.detail).toMatch(/^resumed automatically at unlock after an interruption; \d+ item\(s\) left$/);
      // A person's resume (the channel `migrate resume` calls) of the paused run is audited too, as theirs.
      await call(next, 'migration.resume', { runId: pausedId });
      const resumed = (await call(next, 'audit.list', { action: 'migration.resume', target: pausedId, limit: 10 })).items;
      expect(resumed).toHaveLength(1);
      expect(resumed[0]!.detail).toBe(`resumed from a pause; ${10 - pausedRun.done - pausedRun.failed} item(s) left`);
      let resumedRun = await call(next, 'migration.status', { runId: pausedId });
      while (resumedRun.state === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 100));
        resumedRun = await call(next, 'migration.status', { runId: pausedId });
      }
      expect(resumedRun).toMatchObject({ state: 'finished', done: 10, failed: 0 });
      const ids = [...values.keys()];
      const revealed = await revealMany(next, ids);
      ids.forEach((id, i) => expect(revealed[i], id).toBe(values.get(id)));
      const db2 = database();
      try {
        expect(db2.prepare('SELECT COUNT(*) AS n FROM secrets WHERE manager_id = ?').get(vaultId)).toEqual({ n: SECRETS });
      } finally {
        db2.close();
      }
    } finally {
      await next.close();
    }
  }, 300_000);
});
