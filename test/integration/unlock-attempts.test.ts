/**
 * Unlock attempts against the real delegate process and a real SQLite file:
 * parallel guesses go one at a time and meet the delay, an attempt main gave
 * up on is counted and leaves no unlocked delegate behind, the count survives
 * a restart, and a damaged key blob is reported as damage, not as a wrong
 * passphrase.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/core/app-core.js';
import { forkDelegate } from '../../src-main/core/delegate/node-delegate-channel.js';
import { DelegateSupervisor } from '../../src-main/core/delegate/supervisor.js';
import { createFileLogger } from '../../src-main/core/logging/logger.js';
import { openDatabase } from '../../src-main/core/store/database.js';
import { AuditLog } from '../../src-main/core/services/audit-log.js';
import { MetaStore } from '../../src-main/core/services/meta-store.js';
import { VaultService } from '../../src-main/core/services/vault-service.js';
import { systemClock } from '../../src-main/core/clock.js';
import { sealBindings, sealValues, type KeyringEntry, type WrappedByKeyring } from '../../src-shared/delegate-protocol.js';
import { DELEGATE_ENTRY, PASSPHRASE, call, callError, createVault, sealedUnlock, startCore, tempDir } from '../support/core-harness.js';
import { ManualClock } from '../support/manual-clock.js';

const WRONG = 'definitely not the passphrase';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Moves the core's clock past the unlock delay instead of sleeping through it. */
async function waitUntilAllowed(core: AppCore, clock: ManualClock): Promise<void> {
  const { unlockRetryAfterMs } = await call(core, 'app.status', {});
  clock.advance(unlockRetryAfterMs);
}

async function unlockAudit(core: AppCore): Promise<{ outcome: string; detail: string | null }[]> {
  const { items } = await call(core, 'audit.list', { limit: 500 });
  return items.filter((item) => item.action === 'vault.unlock').map((item) => ({ outcome: item.outcome, detail: item.detail }));
}

describe('parallel unlock guesses', () => {
  const dir = tempDir();
  let core: AppCore;
  /** keyring.unlock requests the delegate has been sent and not yet answered, by envelope id. */
  const outstanding = new Set<number>();
  let mostAtOnce = 0;
  let reachedDelegate = 0;

  afterAll(async () => {
    await core?.close();
    dir.remove();
  });

  it('sends 60 parallel guesses to the delegate one at a time: one is tried and counted, the rest meet its delay', async () => {
    const clock = new ManualClock(Date.now());
    core = await startCore(dir.path, {
      clock,
      onDelegateTraffic: (direction, message) => {
        const envelope = message as { id?: number; request?: { op?: string } };
        if (direction === 'to-delegate' && envelope.request?.op === 'keyring.unlock') {
          reachedDelegate += 1;
          outstanding.add(envelope.id!);
          mostAtOnce = Math.max(mostAtOnce, outstanding.size);
        } else if (direction === 'from-delegate' && envelope.id !== undefined) {
          outstanding.delete(envelope.id);
        }
      },
    });
    await createVault(core);
    await call(core, 'vault.lock', {});

    const guesses = await Promise.all(Array.from({ length: 60 }, async () => core.handle('vault.unlock', await sealedUnlock(core, WRONG))));
    const codes = guesses.map((result) => (result.ok ? 'ok' : result.error.code));
    expect(codes.filter((code) => code === 'WRONG_PASSPHRASE')).toHaveLength(1);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(59);
    expect(reachedDelegate).toBe(1);
    expect(mostAtOnce).toBe(1);
    const status = await call(core, 'app.status', {});
    expect(status.unlocked).toBe(false);
    expect(status.unlockRetryAfterMs).toBeGreaterThan(0);

    // The right passphrase, sent at once, meets the delay too.
    expect((await callError(core, 'vault.unlock', await sealedUnlock(core))).code).toBe('RATE_LIMITED');
    await waitUntilAllowed(core, clock);
    // A second wrong guess is attempt 2, with a doubled delay.
    const second = await callError(core, 'vault.unlock', await sealedUnlock(core, WRONG));
    expect(second).toMatchObject({ code: 'WRONG_PASSPHRASE', retryAfterMs: 2000 });
    await waitUntilAllowed(core, clock);
    await call(core, 'vault.unlock', await sealedUnlock(core));
    expect(reachedDelegate).toBe(3);
    expect(mostAtOnce).toBe(1);

    expect(await unlockAudit(core)).toEqual([
      { outcome: 'failure', detail: 'wrong passphrase (attempt 1); next attempt allowed after 1 s' },
      { outcome: 'failure', detail: 'wrong passphrase (attempt 2); next attempt allowed after 2 s' },
      { outcome: 'success', detail: 'after 2 counted attempt(s)' },
    ].reverse());
    expect((await call(core, 'app.status', {})).unlockRetryAfterMs).toBe(0);
  });
});

describe('an unlock that times out in main', () => {
  const dir = tempDir();
  let core: AppCore | undefined;
  afterEach(async () => {
    await core?.close();
    core = undefined;
  });
  afterAll(() => dir.remove());

  it('is counted before the delegate sees it, replaces the delegate so nothing stays unlocked, and is audited; the count survives a restart', async () => {
    core = await startCore(dir.path);
    await createVault(core);
    await core.close();

    // scrypt alone takes about half a second: a 100 ms budget always runs out, with the right passphrase.
    core = await startCore(dir.path, { delegateTimeoutMs: 100 });
    const delegateBefore = core.delegatePid!;
    const timedOut = await callError(core, 'vault.unlock', await sealedUnlock(core));
    expect(timedOut.code).toBe('DELEGATE_TIMEOUT');
    expect(timedOut.retryAfterMs).toBeGreaterThan(0);
    // The delegate that may have finished unwrapping the keyring is gone; the next one starts empty.
    expect(alive(delegateBefore)).toBe(false);
    expect((await call(core, 'app.status', {})).unlocked).toBe(false);
    expect(core.delegatePid).not.toBe(delegateBefore);
    await core.close();

    // After a restart of the app the count goes on: the next wrong guess is attempt 2, with a doubled delay.
    const clock = new ManualClock(Date.now());
    core = await startCore(dir.path, { clock });
    await waitUntilAllowed(core, clock);
    expect(await callError(core, 'vault.unlock', await sealedUnlock(core, WRONG))).toMatchObject({ code: 'WRONG_PASSPHRASE', retryAfterMs: 2000 });
    await waitUntilAllowed(core, clock);
    await call(core, 'vault.unlock', await sealedUnlock(core));
    expect(await unlockAudit(core)).toEqual([
      { outcome: 'success', detail: 'after 2 counted attempt(s)' },
      { outcome: 'failure', detail: 'wrong passphrase (attempt 2); next attempt allowed after 2 s' },
      { outcome: 'failure', detail: 'no answer in time (attempt 1, counted); the delegate was stopped, so the store stays locked' },
    ]);
  });
});

describe('a damaged key blob', () => {
  const dir = tempDir();
  let core: AppCore | undefined;
  const dbFile = join(dir.path, 'strongroom.db');
  afterEach(async () => {
    await core?.close();
    core = undefined;
  });
  afterAll(() => dir.remove());

  /** Edits the closed store directly, as damage on disk would. */
  function damage(sql: string, ...params: unknown[]): void {
    const db = new Database(dbFile);
    try {
      db.prepare(sql).run(...params);
    } finally {
      db.close();
    }
  }
  function readAuditKey(): string {
    const db = new Database(dbFile, { readonly: true });
    try {
      return (db.prepare("SELECT value FROM meta WHERE key = 'keyring.auditKey'").get() as { value: string }).value;
    } finally {
      db.close();
    }
  }
  const flipLastByte = (base64: string) => {
    const bytes = Buffer.from(base64, 'base64');
    bytes[bytes.length - 1]! ^= 0x01;
    return bytes.toString('base64');
  };

  it('says the audit key is damaged to the right passphrase, counts nothing, and still calls a wrong one wrong', async () => {
    core = await startCore(dir.path);
    await createVault(core);
    await core.close();
    const original = readAuditKey();
    const wrapped = JSON.parse(original) as { keyringVersion: number; wrapped: string };
    damage("UPDATE meta SET value = ? WHERE key = 'keyring.auditKey'", JSON.stringify({ ...wrapped, wrapped: flipLastByte(wrapped.wrapped) }));

    core = await startCore(dir.path);
    for (let i = 0; i < 3; i++) {
      const error = await callError(core, 'vault.unlock', await sealedUnlock(core));
      expect(error.code).toBe('TAMPERED');
      expect(error.message).toMatch(/audit key is damaged/);
      expect(error.message).toMatch(/not counted/);
      expect((await call(core, 'app.status', {})).unlockRetryAfterMs).toBe(0);
    }
    expect((await callError(core, 'vault.unlock', await sealedUnlock(core, WRONG))).code).toBe('WRONG_PASSPHRASE');
    await core.close();

    damage("UPDATE meta SET value = ? WHERE key = 'keyring.auditKey'", '{"keyringVersion": 1, "wrapped": 42}');
    const clock = new ManualClock(Date.now());
    core = await startCore(dir.path, { clock });
    await waitUntilAllowed(core, clock);
    const unreadable = await callError(core, 'vault.unlock', await sealedUnlock(core));
    expect(unreadable.code).toBe('TAMPERED');
    expect(unreadable.message).toMatch(/audit key \(meta "keyring.auditKey"\) is damaged/);
    await core.close();

    damage("UPDATE meta SET value = ? WHERE key = 'keyring.auditKey'", original);
    damage("UPDATE keyring SET wrapped_key = 'AQID' WHERE version = 1");
    const laterClock = new ManualClock(Date.now());
    core = await startCore(dir.path, { clock: laterClock });
    await waitUntilAllowed(core, laterClock);
    const truncated = await callError(core, 'vault.unlock', await sealedUnlock(core));
    expect(truncated.code).toBe('TAMPERED');
    expect(truncated.message).toMatch(/keyring version 1 is damaged/);
    expect((await call(core, 'app.status', {})).unlockRetryAfterMs).toBe(0);
  });
});

describe('the idle lock', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('ends a delegate that holds keys main counted as locked, audits it, and leaves an empty one alone', async () => {
    const core = await startCore(dir.path);
    await createVault(core);
    await core.close();

    // The real services over the real file and delegate, so the delegate can be unlocked behind the vault's back.
    const db = openDatabase(dir.path);
    const delegate = new DelegateSupervisor({
      spawn: forkDelegate,
      entry: DELEGATE_ENTRY,
      logDir: join(dir.path, 'logs'),
      logger: createFileLogger(join(dir.path, 'logs'), 'test'),
      timeoutMs: 30_000,
      onRestart: () => undefined,
    });
    try {
      const meta = new MetaStore(db);
      const vault = new VaultService(db, meta, delegate, new AuditLog(db, delegate), 'desktop', systemClock);
      await delegate.start();
      const rows = db.prepare('SELECT version, kdf, wrapped_key FROM keyring').all() as { version: number; kdf: string; wrapped_key: string }[];
      const keyring: KeyringEntry[] = rows.map((row) => ({ version: row.version, kdf: JSON.parse(row.kdf) as KeyringEntry['kdf'], wrappedKey: row.wrapped_key }));
      const sealed = await sealValues(delegate.publicKey!, sealBindings.vaultUnlock(), [PASSPHRASE]);
      await delegate.request({ op: 'keyring.unlock', sealed, keyring, auditKey: meta.get<WrappedByKeyring>('keyring.auditKey')! });
      expect(vault.unlocked).toBe(false);
      expect(await delegate.request({ op: 'keyring.status' })).toEqual({ unlocked: true });

      const holding = delegate.pid!;
      expect(await vault.lockIfUnlocked('idle')).toBe(true);
      expect(alive(holding)).toBe(false);
      const lastLock = db.prepare("SELECT detail FROM audit_log WHERE action = 'vault.lock' ORDER BY seq DESC LIMIT 1").get() as { detail: string };
      expect(lastLock.detail).toBe('idle: the delegate held keys main had counted as locked');

      await delegate.start();
      const empty = delegate.pid!;
      expect(await vault.lockIfUnlocked('idle')).toBe(false);
      expect(alive(empty)).toBe(true);
    } finally {
      await delegate.stop();
      db.close();
    }
  });
});
