/** The core end to end on a real SQLite file with a real delegate process. */
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { chainHash } from '../../src-main/core/services/audit-log.js';
import { call, callError, createSecret, createVault, reveal, sealedUnlock, startCore, tempDir, updateValue } from '../support/core-harness.js';
import { ManualClock } from '../support/manual-clock.js';
import { sealBindings, sealValues } from '../../src-shared/sealed-box.js';

describe('core: secrets on a real store', () => {
  const dir = tempDir();
  const clock = new ManualClock();
  let core: AppCore;

  beforeAll(async () => {
    core = await startCore(dir.path, { clock });
  });
  afterAll(async () => {
    await core?.close();
    dir.remove();
  });

  it('starts uninitialized and locked, with the delegate published key', async () => {
    const status = await call(core, 'app.status', {});
    expect(status).toMatchObject({ initialized: false, unlocked: false, settings: { autoLockMinutes: 15 } });
    expect(status.delegatePublicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect((await callError(core, 'secrets.list', {})).code).toBe('NOT_INITIALIZED');
  });

  it('refuses a short passphrase, and a passphrase sealed for another operation, at creation', async () => {
    const { sealValues, sealBindings } = await import('../../src-shared/contract.js');
    const { delegatePublicKey } = await call(core, 'app.status', {});
    const short = await sealValues(delegatePublicKey!, sealBindings.vaultCreate(), ['short']);
    expect((await callError(core, 'vault.create', { sealedPassphrase: short })).code).toBe('WEAK_PASSPHRASE');
    expect((await callError(core, 'vault.create', await sealedUnlock(core))).code).toBe('SEAL_INVALID');
    expect((await call(core, 'app.status', {})).initialized).toBe(false);
  });

  it('creates the store, then manages a text secret through its whole life', async () => {
    await createVault(core);
    expect(await call(core, 'app.status', {})).toMatchObject({ initialized: true, unlocked: true });
    expect((await callError(core, 'vault.create', await sealedUnlock(core))).code).toBe('ALREADY_INITIALIZED');

    const created = await createSecret(core, 'db_password', 'hunter2 but longer', 'Production database');
    expect(created).toMatchObject({ name: 'db_password', description: 'Production database', version: 1, type: 'text', managerId: 'local' });
    await createSecret(core, 'api-key', 'k-123456');
    expect((await callError(core, 'secrets.create', { name: 'DB_PASSWORD', sealedValue: { enc: 'AAAA', ct: 'AAAA' } })).code).toBe('NAME_TAKEN');

    const search = await call(core, 'secrets.list', { query: 'db' });
    expect(search.items.map((item) => item.name)).toEqual(['db_password']);
    expect((await call(core, 'secrets.list', { query: '%' })).total).toBe(0);
    expect(await reveal(core, created.id)).toBe('hunter2 but longer');

    const updated = await updateValue(core, created.id, 'rotated value');
    expect(updated.version).toBe(2);
    expect(await reveal(core, created.id)).toBe('rotated value');

    const renamed = await call(core, 'secrets.update', { id: created.id, name: 'db_pass', description: null });
    expect(renamed).toMatchObject({ name: 'db_pass', description: null, version: 2 });
    expect(await reveal(core, created.id)).toBe('rotated value');
    expect((await callError(core, 'secrets.update', { id: created.id, name: 'api-key' })).code).toBe('NAME_TAKEN');

    await call(core, 'secrets.delete', { id: created.id });
    expect((await callError(core, 'secrets.reveal', { id: created.id, recipientPublicKey: 'A'.repeat(44), purpose: 'reveal' })).code).toBe('NOT_FOUND');
    expect((await call(core, 'secrets.list', {})).items.map((item) => item.name)).toEqual(['api-key']);
  });

  it('refuses a value sealed for one secret but stored under another', async () => {
    const a = await createSecret(core, 'first', 'value one');
    const b = await createSecret(core, 'second', 'value two');
    const status = await call(core, 'app.status', {});
    const { sealValues, sealBindings } = await import('../../src-shared/contract.js');
    const sealedForA = await sealValues(status.delegatePublicKey!, sealBindings.secretUpdate(a.id), ['swapped']);
    expect((await callError(core, 'secrets.update', { id: b.id, sealedValue: sealedForA })).code).toBe('SEAL_INVALID');
    expect(await reveal(core, b.id)).toBe('value two');
  });

  it('locks: nothing can be read until the right passphrase unlocks again, and retries slow down', async () => {
    await call(core, 'vault.lock', {});
    const [first] = (await call(core, 'secrets.list', {}).catch((error) => [error])) as [Error];
    expect(String(first)).toContain('LOCKED');

    const wrong = await callError(core, 'vault.unlock', await sealedUnlockAs(core, 'not the passphrase at all'));
    expect(wrong.code).toBe('WRONG_PASSPHRASE');
    expect(wrong.retryAfterMs).toBe(1000);
    const limited = await callError(core, 'vault.unlock', await sealedUnlock(core));
    expect(limited.code).toBe('RATE_LIMITED');
    expect(limited.retryAfterMs).toBeGreaterThan(0);
    expect((await call(core, 'app.status', {})).unlockRetryAfterMs).toBeGreaterThan(0);

    clock.advance(limited.retryAfterMs! - 1);
    expect((await callError(core, 'vault.unlock', await sealedUnlock(core))).code).toBe('RATE_LIMITED');
    clock.advance(1);
    await call(core, 'vault.unlock', await sealedUnlock(core));
    expect((await call(core, 'secrets.list', {})).total).toBe(3);
  });

  it('records every action in the audit trail and seals the entries made while locked', async () => {
    const { items } = await call(core, 'audit.list', { limit: 500 });
    const actions = items.map((entry) => `${entry.action}:${entry.outcome}`);
    for (const expected of ['vault.create:success', 'secret.create:success', 'secret.create:failure', 'secret.reveal:success', 'secret.update:success', 'secret.delete:success', 'vault.lock:success', 'vault.unlock:failure', 'vault.unlock:success']) {
      expect(actions).toContain(expected);
    }
    expect(items.every((entry) => entry.sealed)).toBe(true);
    const copy = await call(core, 'secrets.list', {});
    const { createSealRecipient } = await import('../../src-shared/contract.js');
    const recipient = await createSealRecipient();
    await call(core, 'secrets.reveal', { id: copy.items[0]!.id, recipientPublicKey: recipient.publicKey, purpose: 'copy' });
    expect((await call(core, 'audit.list', { limit: 1 })).items[0]).toMatchObject({ action: 'secret.copy', outcome: 'success', actor: 'desktop' });
    expect(await call(core, 'audit.verify', {})).toMatchObject({ intact: true, firstBrokenSeq: null });
  });

  it('keeps settings and validates them', async () => {
    expect(await call(core, 'settings.update', { autoLockMinutes: 5 })).toEqual({ autoLockMinutes: 5, versionRetention: 10, connectTimeoutSeconds: 20, theme: 'system', clipboardClearSeconds: 30 });
    expect((await callError(core, 'settings.update', { versionRetention: 3 })).code).toBe('INVALID_REQUEST');
    expect((await callError(core, 'settings.update', { autoLockMinutes: 0 })).code).toBe('INVALID_REQUEST');
    expect((await call(core, 'app.status', {})).settings.autoLockMinutes).toBe(5);
    expect((await call(core, 'settings.update', { theme: 'dark' })).theme).toBe('dark');
    expect((await callError(core, 'settings.update', { theme: 'sepia' } as never)).code).toBe('INVALID_REQUEST');
    expect((await call(core, 'app.status', {})).settings).toMatchObject({ autoLockMinutes: 5, theme: 'dark' });
  });

  it('locks itself after the auto-lock time without requests, and each request starts the wait again', async () => {
    const locked = new Promise<unknown>((resolve) => {
      const stop = core.onEvent((event) => {
        if (event.type === 'vault.locked') {
          stop();
          resolve(event);
        }
      });
    });
    clock.advance(4 * 60_000);
    await call(core, 'secrets.list', {});
    clock.advance(4 * 60_000);
    expect((await call(core, 'app.status', {})).unlocked).toBe(true);
    clock.advance(60_000);
    expect(await locked).toEqual({ type: 'vault.locked', reason: 'idle' });
    expect((await call(core, 'app.status', {})).unlocked).toBe(false);
    expect((await callError(core, 'secrets.list', {})).code).toBe('LOCKED');
    await call(core, 'vault.unlock', await sealedUnlock(core));
  });

  it('a request in flight holds the auto-lock off; the wait counts from its end', async () => {
    const events: string[] = [];
    const stop = core.onEvent((event) => {
      if (event.type === 'vault.locked') events.push(event.reason);
      // While the export works (its first progress event), ten minutes pass: twice the auto-lock time.
      if (event.type === 'operation.progress' && !events.includes('advanced')) {
        events.push('advanced');
        clock.advance(10 * 60_000);
      }
    });
    try {
      const sealedPassphrase = await sealValues((await call(core, 'app.status', {})).delegatePublicKey!, sealBindings.backupExport(), ['export passphrase for the idle test']);
      await call(core, 'backup.export', { sealedPassphrase, operationId: randomUUID() });
      expect(events).toEqual(['advanced']);
      clock.advance(5 * 60_000 - 1);
      expect((await call(core, 'app.status', {})).unlocked).toBe(true);
      clock.advance(1);
      while (!events.includes('idle')) await new Promise((resolve) => setTimeout(resolve, 10));
      expect((await call(core, 'app.status', {})).unlocked).toBe(false);
    } finally {
      stop();
      await call(core, 'vault.unlock', await sealedUnlock(core));
    }
  });
});

async function sealedUnlockAs(core: AppCore, passphrase: string) {
  return sealedUnlock(core, passphrase);
}

describe('core: the audit chain detects tampering', () => {
  const dir = tempDir();
  let core: AppCore;
  let db: BetterSqlite3.Database;

  beforeAll(async () => {
    core = await startCore(dir.path);
    await createVault(core);
    for (let i = 0; i < 5; i++) await createSecret(core, `secret_${i}`, `value number ${i}`);
    db = new BetterSqlite3(join(dir.path, 'strongroom.db'));
  });
  afterAll(async () => {
    db?.close();
    await core?.close();
    dir.remove();
  });

  type Row = { seq: number; at: string; actor: string; action: string; target: string | null; outcome: string; detail: string | null; hash: string; mac: string | null };
  const rows = () => db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];
  const snapshot = () => ({ rows: rows(), head: db.prepare("SELECT value FROM meta WHERE key = 'audit.head'").get() as { value: string } });
  const restore = (saved: ReturnType<typeof snapshot>) => {
    db.transaction(() => {
      db.prepare('DELETE FROM audit_log').run();
      const insert = db.prepare('INSERT INTO audit_log VALUES (@seq, @at, @actor, @action, @target, @outcome, @detail, @hash, @mac)');
      saved.rows.forEach((row) => insert.run(row));
      db.prepare("UPDATE meta SET value = ? WHERE key = 'audit.head'").run(saved.head.value);
    })();
  };
  const verify = () => call(core, 'audit.verify', {});

  it('is intact before anyone touches it', async () => {
    expect(await verify()).toMatchObject({ intact: true });
  });

  it('reports the first broken link when a row is edited', async () => {
    const saved = snapshot();
    db.prepare("UPDATE audit_log SET outcome = 'failure' WHERE seq = 3").run();
    expect(await verify()).toMatchObject({ intact: false, firstBrokenSeq: 3 });
    restore(saved);
  });

  it('reports a deleted row', async () => {
    const saved = snapshot();
    db.prepare('DELETE FROM audit_log WHERE seq = 4').run();
    expect(await verify()).toMatchObject({ intact: false, firstBrokenSeq: 4 });
    restore(saved);
  });

  it('detects a whole chain rewritten with valid hashes', async () => {
    const saved = snapshot();
    db.transaction(() => {
      let previous = '';
      for (const row of rows()) {
        const rewritten = { ...row, actor: row.seq === 2 ? 'someone-else' : row.actor };
        const hash = chainHash(previous, rewritten as never);
        db.prepare('UPDATE audit_log SET actor = ?, hash = ? WHERE seq = ?').run(rewritten.actor, hash, row.seq);
        previous = hash;
      }
    })();
    const verdict = await verify();
    expect(verdict.intact).toBe(false);
    expect(verdict.firstBrokenSeq).toBe(2);
    expect(verdict.problem).toContain('MAC');
    restore(saved);
  });

  it('detects a cut-off tail', async () => {
    const saved = snapshot();
    const last = saved.rows[saved.rows.length - 1]!.seq;
    db.prepare('DELETE FROM audit_log WHERE seq > ?').run(last - 2);
    const verdict = await verify();
    expect(verdict).toMatchObject({ intact: false, firstBrokenSeq: last - 1 });
    expect(verdict.problem).toContain('cut');
    restore(saved);
    expect(await verify()).toMatchObject({ intact: true });
  });
});
