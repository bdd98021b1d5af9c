/**
 * Creating, unlocking and locking the store. Main never sees the passphrase:
 * it relays the sealed value to the delegate and stores the wrapped keyring
 * the delegate returns.
 *
 * Unlock attempts go one at a time, and each is counted in the store itself
 * before the delegate sees it, so parallel guesses, a restarted app or a
 * scripted CLI cannot skip the growing delay, and an attempt main gave up on
 * still counts. Locking replaces the delegate process, so nothing it held
 * survives in memory.
 */
import { inTransaction, prepared } from '../store/prepared.js';
import type { Database } from 'better-sqlite3';
import type { SealedMessage, Settings } from '../../../src-shared/contract.js';
import { keyringEntrySchema, wrappedByKeyringSchema, type KeyringEntry, type WrappedByKeyring } from '../../../src-shared/delegate-protocol.js';
import { AppError } from '../app-error.js';
import { DelegateCallError, type DelegateSupervisor } from '../delegate/supervisor.js';
import type { AuditLog } from './audit-log.js';
import type { Clock } from '../clock.js';
import type { MetaStore } from './meta-store.js';

const AUDIT_KEY = 'keyring.auditKey';
const FAILURES_KEY = 'unlock.failures';
const SETTINGS_KEY = 'settings';
/** Closing the managers before a lock revokes Vault AppRole tokens, each bounded at 3 s; the lock never waits longer than this. */
const CLOSE_MANAGERS_TIMEOUT_MS = 10_000;
export const DEFAULT_SETTINGS: Settings = { autoLockMinutes: 15, versionRetention: 10, connectTimeoutSeconds: 20, theme: 'system', clipboardClearSeconds: 30 };

interface Failures {
  count: number;
  lastAt: number;
}

/** 1 s after the first failure, doubling, at most one minute. */
export function unlockDelayMs(failures: number): number {
  return failures <= 0 ? 0 : Math.min(60_000, 1000 * 2 ** (failures - 1));
}

export class VaultService {
  private unlockedFlag = false;
  /** The tail of the unlock queue. */
  private unlockQueue: Promise<unknown> = Promise.resolve();
  private lockInProgress: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly meta: MetaStore,
    private readonly delegate: DelegateSupervisor,
    private readonly audit: AuditLog,
    private readonly actor: string,
    private readonly clock: Clock,
  ) {}

  get unlocked(): boolean {
    return this.unlockedFlag;
  }

  /** The delegate restarted, so its keys are gone. */
  markLocked(): void {
    this.unlockedFlag = false;
  }

  get initialized(): boolean {
    return (prepared(this.db, 'SELECT COUNT(*) AS n FROM keyring').get() as { n: number }).n > 0;
  }

  retryAfterMs(now = this.clock.now()): number {
    const failures = this.meta.get<Failures>(FAILURES_KEY);
    if (!failures) return 0;
    return Math.max(0, failures.lastAt + unlockDelayMs(failures.count) - now);
  }

  settings(): Settings {
    return { ...DEFAULT_SETTINGS, ...this.meta.get<Partial<Settings>>(SETTINGS_KEY) };
  }

  updateSettings(changes: Partial<Settings>): Settings {
    const settings = { ...this.settings(), ...changes };
    inTransaction(this.db, () => {
      this.meta.set(SETTINGS_KEY, settings);
      this.audit.append({
        actor: this.actor,
        action: 'settings.update',
        target: null,
        outcome: 'success',
        detail: `auto-lock after ${settings.autoLockMinutes} min; keep ${settings.versionRetention} versions; connection tests wait ${settings.connectTimeoutSeconds} s per stage; theme ${settings.theme}; clipboard cleared ${settings.clipboardClearSeconds === null ? 'never' : `after ${settings.clipboardClearSeconds} s`}`,
      });
    });
    return settings;
  }

  async create(sealedPassphrase: SealedMessage): Promise<void> {
    if (this.initialized) throw new AppError('ALREADY_INITIALIZED', 'This store already exists. Unlock it instead.');
    let created;
    try {
      created = await this.delegate.request({ op: 'keyring.create', sealed: sealedPassphrase });
    } catch (error) {
      // The delegate may hold a keyring main never stored; it must not stay in memory.
      if (error instanceof DelegateCallError && error.code === 'DELEGATE_TIMEOUT') await this.delegate.discard('create timed out').catch(() => undefined);
      throw error;
    }
    inTransaction(this.db, () => {
      if ((prepared(this.db, 'SELECT COUNT(*) AS n FROM keyring').get() as { n: number }).n > 0) {
        throw new AppError('ALREADY_INITIALIZED', 'This store was created meanwhile by another Strongroom process.');
      }
      // The first entry is written with the keyring, so a created store always has a trail: an empty one was wiped.
      this.audit.append({ actor: this.actor, action: 'vault.create', target: null, outcome: 'success', detail: 'keyring version 1' });
      this.insertKeyring(created.keyring);
      this.meta.set(AUDIT_KEY, created.auditKey);
    });
    this.unlockedFlag = true;
    await this.audit.sealPending();
  }

  private insertKeyring(entry: KeyringEntry): void {
    prepared(this.db, 'INSERT INTO keyring (version, kdf, wrapped_key, created_at) VALUES (?, ?, ?, ?)').run(
      entry.version,
      JSON.stringify(entry.kdf),
      entry.wrappedKey,
      new Date().toISOString(),
    );
  }

  /** The stored keyring and audit key; a row main cannot even parse is damage, never a wrong passphrase. */
  private readKeyring(): { keyring: KeyringEntry[]; auditKey: WrappedByKeyring } {
    const rows = prepared(this.db, 'SELECT version, kdf, wrapped_key FROM keyring ORDER BY version').all() as {
      version: number;
      kdf: string;
      wrapped_key: string;
    }[];
    const parsed = (what: string, read: () => unknown, schema: { safeParse(value: unknown): { success: boolean; data?: unknown } }) => {
      let value: unknown;
      try {
        value = read();
      } catch {
        value = undefined;
      }
      const result = schema.safeParse(value);
      if (!result.success) throw new AppError('TAMPERED', `The store's ${what} is damaged: it cannot be read. Restore the store from a backup with "import".`);
      return result.data;
    };
    const keyring = rows.map((row) =>
      parsed(`keyring version ${row.version}`, () => ({ version: row.version, kdf: JSON.parse(row.kdf) as unknown, wrappedKey: row.wrapped_key }), keyringEntrySchema),
    ) as KeyringEntry[];
    const auditKey = parsed('audit key (meta "keyring.auditKey")', () => this.meta.get(AUDIT_KEY), wrappedByKeyringSchema) as WrappedByKeyring;
    return { keyring, auditKey };
  }

  /** One attempt at a time: a guess waits for the one before it, and so meets the delay that one set. */
  unlock(sealedPassphrase: SealedMessage): Promise<void> {
    const attempt = this.unlockQueue.then(() => this.attemptUnlock(sealedPassphrase));
    this.unlockQueue = attempt.catch(() => undefined);
    return attempt;
  }

  private async attemptUnlock(sealedPassphrase: SealedMessage): Promise<void> {
    await this.settled();
    if (!this.initialized) throw new AppError('NOT_INITIALIZED', 'No store exists yet. Create one first.');
    const stored = this.readKeyring();
    // Checked and counted in one write transaction, so another Strongroom process cannot slip a guess in between.
    const { attempt, before } = inTransaction(this.db, () => {
      const wait = this.retryAfterMs();
      if (wait > 0) {
        throw new AppError('RATE_LIMITED', `Too many failed attempts. Try again in ${Math.ceil(wait / 1000)} s.`, { retryAfterMs: wait });
      }
      const previous = this.meta.get<Failures>(FAILURES_KEY);
      const count = (previous?.count ?? 0) + 1;
      this.meta.set(FAILURES_KEY, { count, lastAt: this.clock.now() });
      return { attempt: count, before: previous };
    });
    let raisedKdf: KeyringEntry[];
    try {
      ({ raisedKdf } = await this.delegate.request({ op: 'keyring.unlock', sealed: sealedPassphrase, ...stored }));
    } catch (error) {
      throw await this.failedUnlock(error, attempt, before);
    }
    this.meta.delete(FAILURES_KEY);
    this.unlockedFlag = true;
    // With a broken trail the store still unlocks, so the break can be examined and accepted; every write is refused.
    if (this.audit.detectBreak()) return;
    inTransaction(this.db, () => {
      this.storeRaisedKdf(stored.keyring, raisedKdf);
      this.audit.append({ actor: this.actor, action: 'vault.unlock', target: null, outcome: 'success', detail: attempt > 1 ? `after ${attempt - 1} counted attempt(s)` : null });
    });
    await this.audit.sealPending();
  }

  /**
   * The keyring versions the delegate re-wrapped under today's KDF defaults, which rose since they were written:
   * all replaced in one transaction with their audit entry. A version another process changed meanwhile (a
   * rotation, a raise of its own) keeps what it has: its wrapped key is no longer the one that was read.
   */
  private storeRaisedKdf(read: KeyringEntry[], raised: KeyringEntry[]): void {
    if (raised.length === 0) return;
    const update = prepared(this.db, 'UPDATE keyring SET kdf = ?, wrapped_key = ? WHERE version = ? AND wrapped_key = ?');
    const replaced = raised.filter((entry) => {
      const before = read.find((candidate) => candidate.version === entry.version);
      return before !== undefined && update.run(JSON.stringify(entry.kdf), entry.wrappedKey, entry.version, before.wrappedKey).changes === 1;
    });
    if (replaced.length === 0) return;
    const from = [...new Set(read.filter((entry) => replaced.some((r) => r.version === entry.version)).map((entry) => `N=${entry.kdf.N} r=${entry.kdf.r} p=${entry.kdf.p}`))];
    const to = replaced[0]!.kdf;
    this.audit.append({
      actor: this.actor,
      action: 'keyring.kdf',
      target: null,
      outcome: 'success',
      detail: `keyring version(s) ${replaced.map((entry) => entry.version).join(', ')} re-wrapped: scrypt ${from.join(', ')} -> N=${to.N} r=${to.r} p=${to.p}`,
    });
  }

  /** Records and audits a failed attempt; returns what the caller is told. */
  private async failedUnlock(error: unknown, attempt: number, before: Failures | null): Promise<unknown> {
    const code = error instanceof DelegateCallError ? error.code : null;
    // A broken trail takes no entries; the failure still counts towards the delay.
    const fail = (detail: string) => {
      if (!this.audit.detectBreak()) this.audit.append({ actor: this.actor, action: 'vault.unlock', target: null, outcome: 'failure', detail });
    };
    // These never tested the passphrase (or proved it right): the attempt is not counted.
    if (code === 'SEAL_INVALID' || code === 'BAD_REQUEST' || code === 'DECRYPT_FAILED') {
      inTransaction(this.db, () => (before ? this.meta.set(FAILURES_KEY, before) : this.meta.delete(FAILURES_KEY)));
      if (code === 'DECRYPT_FAILED') {
        fail('damaged key blob: not counted as a failed attempt');
        return new AppError('TAMPERED', `${(error as Error).message} Restore the store from a backup with "import". This was not counted as a failed attempt.`);
      }
      return error;
    }
    if (code === 'WRONG_PASSPHRASE') {
      const retryAfterMs = this.countFailure(attempt);
      fail(`wrong passphrase (attempt ${attempt}); next attempt allowed after ${Math.ceil(retryAfterMs / 1000)} s`);
      return new AppError('WRONG_PASSPHRASE', `Wrong passphrase. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`, { retryAfterMs });
    }
    if (code === 'DELEGATE_TIMEOUT') {
      // The delegate may still finish and hold keys while main says locked: replace it, so both agree the store is locked.
      const stopped = await this.delegate.discard('unlock timed out').then(
        () => 'the delegate was stopped, so the store stays locked',
        () => 'the delegate could not be stopped',
      );
      const retryAfterMs = this.countFailure(attempt);
      fail(`no answer in time (attempt ${attempt}, counted); ${stopped}`);
      return new AppError('DELEGATE_TIMEOUT', `The unlock did not finish in time and was cancelled; the store stays locked. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`, { retryAfterMs });
    }
    this.countFailure(attempt);
    fail(`${code ?? 'unexpected error'} (attempt ${attempt}, counted)`);
    return error;
  }

  /** The delay runs from when the attempt ended; returns it. */
  private countFailure(attempt: number): number {
    this.meta.set(FAILURES_KEY, { count: attempt, lastAt: this.clock.now() });
    return unlockDelayMs(attempt);
  }

  /** Locks; while it runs, `settled()` waits for it. */
  lock(reason: string): Promise<void> {
    const locking = this.replaceDelegate(reason).finally(() => {
      if (this.lockInProgress === locking) this.lockInProgress = null;
    });
    this.lockInProgress = locking;
    return locking;
  }

  /** Resolves when no lock is replacing the delegate, so the sealing key main reports is the new process's. */
  async settled(): Promise<void> {
    await this.lockInProgress?.catch(() => undefined);
  }

  private async replaceDelegate(reason: string): Promise<void> {
    if (this.unlockedFlag && !this.audit.detectBreak()) {
      this.audit.append({ actor: this.actor, action: 'vault.lock', target: null, outcome: 'success', detail: reason });
      // Sealed now, while the key is still there; if that fails it is sealed at the next unlock.
      await this.audit.sealPending().catch(() => undefined);
    }
    this.unlockedFlag = false;
    // The delegate revokes the Vault AppRole tokens it logged in with (each bounded by a short timeout) before it ends.
    if (this.delegate.running) await this.delegate.request({ op: 'manager.closeAll' }, CLOSE_MANAGERS_TIMEOUT_MS).catch(() => undefined);
    // Wiping buffers cannot reach copies V8 made of strings, nor freed heap: a process that has ended leaves nothing.
    await this.delegate.discard(`lock: ${reason}`);
  }

  /**
   * The idle lock. It asks the delegate too, so a delegate that holds keys
   * main counted as locked is never skipped. Returns whether it locked.
   */
  async lockIfUnlocked(reason: string): Promise<boolean> {
    if (this.unlockedFlag) {
      await this.lock(reason);
      return true;
    }
    if (!this.delegate.running) return false;
    const status = await this.delegate.request({ op: 'keyring.status' }).catch(() => null);
    if (status && !status.unlocked) return false;
    this.audit.append({
      actor: this.actor,
      action: 'vault.lock',
      target: null,
      outcome: 'success',
      detail: `${reason}: ${status ? 'the delegate held keys main had counted as locked' : 'the delegate did not say whether it held keys'}`,
    });
    await this.lock(reason);
    return true;
  }

  requireUnlocked(): void {
    if (!this.initialized) throw new AppError('NOT_INITIALIZED', 'No store exists yet. Create one first.');
    if (!this.unlockedFlag) throw new AppError('LOCKED', 'The store is locked. Unlock it to continue.');
  }

  /**
   * For long work between its steps (key rotation, re-wrap): a lock already under way counts as locked, since the
   * delegate answering the step in flight is about to go, and the next step must not reach it.
   */
  requireStaysUnlocked(): void {
    this.requireUnlocked();
    if (this.lockInProgress) throw new AppError('LOCKED', 'The store is locking. Unlock it to continue.');
  }
}
