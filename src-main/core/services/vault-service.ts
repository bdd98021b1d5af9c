/**
 * Creating, unlocking and locking the store. Main never sees the passphrase:
 * it relays the sealed value to the delegate and stores the wrapped keyring
 * the delegate returns. Failed unlocks are counted in the store itself, so a
 * restarted app or a scripted CLI cannot skip the growing delay.
 */
import { inTransaction, prepared } from '../store/prepared.js';
import type { Database } from 'better-sqlite3';
import type { SealedMessage, Settings } from '../../../src-shared/contract.js';
import { keyringEntrySchema, wrappedByKeyringSchema, type KeyringEntry, type WrappedByKeyring } from '../../../src-shared/delegate-protocol.js';
import { AppError } from '../app-error.js';
import { DelegateCallError, type DelegateSupervisor } from '../delegate/supervisor.js';
import type { AuditLog } from './audit-log.js';
import type { MetaStore } from './meta-store.js';

const AUDIT_KEY = 'keyring.auditKey';
const FAILURES_KEY = 'unlock.failures';
const SETTINGS_KEY = 'settings';
export const DEFAULT_SETTINGS: Settings = { autoLockMinutes: 15, versionRetention: 10 };

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

  constructor(
    private readonly db: Database,
    private readonly meta: MetaStore,
    private readonly delegate: DelegateSupervisor,
    private readonly audit: AuditLog,
    private readonly actor: string,
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

  retryAfterMs(now = Date.now()): number {
    const failures = this.meta.get<Failures>(FAILURES_KEY);
    if (!failures) return 0;
    return Math.max(0, failures.lastAt + unlockDelayMs(failures.count) - now);
  }

  settings(): Settings {
    return { ...DEFAULT_SETTINGS, ...this.meta.get<Partial<Settings>>(SETTINGS_KEY) };
  }

  updateSettings(changes: Partial<Settings>): Settings {
    const settings = { ...this.settings(), ...changes };
    this.meta.set(SETTINGS_KEY, settings);
    this.audit.append({
      actor: this.actor,
      action: 'settings.update',
      target: null,
      outcome: 'success',
      detail: `auto-lock after ${settings.autoLockMinutes} min; keep ${settings.versionRetention} versions`,
    });
    return settings;
  }

  async create(sealedPassphrase: SealedMessage): Promise<void> {
    if (this.initialized) throw new AppError('ALREADY_INITIALIZED', 'This store already exists. Unlock it instead.');
    const created = await this.delegate.request({ op: 'keyring.create', sealed: sealedPassphrase });
    inTransaction(this.db, () => {
      if ((prepared(this.db, 'SELECT COUNT(*) AS n FROM keyring').get() as { n: number }).n > 0) {
        throw new AppError('ALREADY_INITIALIZED', 'This store was created meanwhile by another Strongroom process.');
      }
      this.insertKeyring(created.keyring);
      this.meta.set(AUDIT_KEY, created.auditKey);
    });
    this.unlockedFlag = true;
    this.audit.append({ actor: this.actor, action: 'vault.create', target: null, outcome: 'success', detail: 'keyring version 1' });
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

  private readKeyring(): { keyring: KeyringEntry[]; auditKey: WrappedByKeyring } {
    const rows = prepared(this.db, 'SELECT version, kdf, wrapped_key FROM keyring ORDER BY version').all() as {
      version: number;
      kdf: string;
      wrapped_key: string;
    }[];
    const keyring = rows.map((row) => keyringEntrySchema.parse({ version: row.version, kdf: JSON.parse(row.kdf), wrappedKey: row.wrapped_key }));
    const auditKey = wrappedByKeyringSchema.parse(this.meta.get(AUDIT_KEY));
    return { keyring, auditKey };
  }

  async unlock(sealedPassphrase: SealedMessage): Promise<void> {
    if (!this.initialized) throw new AppError('NOT_INITIALIZED', 'No store exists yet. Create one first.');
    const wait = this.retryAfterMs();
    if (wait > 0) {
      throw new AppError('RATE_LIMITED', `Too many failed attempts. Try again in ${Math.ceil(wait / 1000)} s.`, { retryAfterMs: wait });
    }
    try {
      await this.delegate.request({ op: 'keyring.unlock', sealed: sealedPassphrase, ...this.readKeyring() });
    } catch (error) {
      if (error instanceof DelegateCallError && error.code === 'WRONG_PASSPHRASE') {
        const failures = (this.meta.get<Failures>(FAILURES_KEY)?.count ?? 0) + 1;
        this.meta.set(FAILURES_KEY, { count: failures, lastAt: Date.now() });
        this.audit.append({ actor: this.actor, action: 'vault.unlock', target: null, outcome: 'failure', detail: `wrong passphrase (attempt ${failures})` });
        const retryAfterMs = unlockDelayMs(failures);
        throw new AppError('WRONG_PASSPHRASE', `Wrong passphrase. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`, { retryAfterMs });
      }
      throw error;
    }
    this.meta.delete(FAILURES_KEY);
    this.unlockedFlag = true;
    this.audit.append({ actor: this.actor, action: 'vault.unlock', target: null, outcome: 'success', detail: null });
    await this.audit.sealPending();
  }

  async lock(reason: string): Promise<void> {
    if (this.unlockedFlag) {
      this.audit.append({ actor: this.actor, action: 'vault.lock', target: null, outcome: 'success', detail: reason });
      // Sealed now, while the key is still there; if that fails it is sealed at the next unlock.
      await this.audit.sealPending().catch(() => undefined);
    }
    this.unlockedFlag = false;
    await this.delegate.request({ op: 'keyring.lock' });
  }

  requireUnlocked(): void {
    if (!this.initialized) throw new AppError('NOT_INITIALIZED', 'No store exists yet. Create one first.');
    if (!this.unlockedFlag) throw new AppError('LOCKED', 'The store is locked. Unlock it to continue.');
  }
}
