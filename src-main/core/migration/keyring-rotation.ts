/**
 * Master key rotation (docs/migration.md): a new keyring version under the
 * same passphrase, then every keyring-wrapped data key, every manager
 * configuration and the audit key re-wrapped under it, in batches. The rows
 * themselves are the journal: each names the keyring version that wraps it,
 * so a rotation stopped anywhere (kill -9 of this process or of the delegate)
 * continues with the rows still under an older version. An old version is
 * dropped only once nothing names it.
 */
import type { Database } from 'better-sqlite3';
import type { AppEvent, SealedMessage } from '../../../src-shared/contract.js';
import type { KeyringEntry, ProviderKind, SecretAddress, WrappedByKeyring } from '../../../src-shared/delegate-protocol.js';
import { MAX_BATCH } from '../../../src-shared/delegate-protocol.js';
import { AppError } from '../app-error.js';
import type { DelegateSupervisor } from '../delegate/supervisor.js';
import type { AuditLog } from '../services/audit-log.js';
import type { MetaStore } from '../services/meta-store.js';
import type { VaultService } from '../services/vault-service.js';
import { inTransaction, prepared } from '../store/prepared.js';

/** Meta key: the version a rotation in progress re-wraps everything under. */
const ROTATION = 'keyring.rotation';
const AUDIT_KEY = 'keyring.auditKey';
/** Deriving the new version's key (scrypt) and checking the passphrase take a few seconds. */
const ROTATE_TIMEOUT_MS = 60_000;

type RotationPhase = Extract<AppEvent, { type: 'keyring.rotateProgress' }>['phase'];

export interface RotationReport {
  version: number;
  dataKeys: number;
  configs: number;
  dropped: number[];
  resumed: boolean;
}

/** Rows a rotation still has to re-wrap under `version`: keyring-wrapped data keys, and manager configurations. */
const PENDING_DATA_KEYS = 'SELECT COUNT(*) AS n FROM secret_versions WHERE keyring_version < ? AND intermediate_key_id IS NULL AND remote_reference IS NULL';
const PENDING_CONFIGS = 'SELECT COUNT(*) AS n FROM managers WHERE config_ciphertext IS NOT NULL AND config_keyring_version < ?';

export class KeyringRotation {
  /** One rotation at a time: a rotation asked for while one runs (the automatic resume after an unlock) joins it. */
  private running: Promise<RotationReport> | null = null;

  constructor(
    private readonly db: Database,
    private readonly delegate: DelegateSupervisor,
    private readonly vault: VaultService,
    private readonly meta: MetaStore,
    private readonly audit: AuditLog,
    private readonly actor: string,
    private readonly emit: (event: AppEvent) => void,
  ) {}

  /** Whether a rotation stopped before it finished (its new version exists; rows still name older ones). */
  interrupted(): boolean {
    return this.meta.get(ROTATION) !== null;
  }

  /**
   * Finishes a rotation an earlier process left interrupted, with no passphrase: its new keyring
   * version is already stored and unlocked. Null when none was left.
   */
  async resumeInterrupted(): Promise<RotationReport | null> {
    if (!this.interrupted() && !this.running) return null;
    return this.rotate(null);
  }

  /** Rotates, or continues the rotation in progress (which needs no passphrase: its version exists), or joins the one running. */
  async rotate(sealedPassphrase: SealedMessage | null): Promise<RotationReport> {
    this.vault.requireUnlocked();
    if (!this.running) {
      this.running = this.run(sealedPassphrase).finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async run(sealedPassphrase: SealedMessage | null): Promise<RotationReport> {
    const pending = this.meta.get<{ version: number }>(ROTATION);
    let version = pending?.version ?? 0;
    if (!pending) {
      if (!sealedPassphrase) throw new AppError('INVALID_REQUEST', 'No rotation is in progress to continue.');
      const row = prepared(this.db, 'SELECT version, kdf, wrapped_key FROM keyring ORDER BY version DESC LIMIT 1').get() as { version: number; kdf: string; wrapped_key: string };
      const current: KeyringEntry = { version: row.version, kdf: JSON.parse(row.kdf) as KeyringEntry['kdf'], wrappedKey: row.wrapped_key };
      version = current.version + 1;
      const created = await this.delegate.request({ op: 'keyring.rotate', sealed: sealedPassphrase, current, version }, ROTATE_TIMEOUT_MS);
      inTransaction(this.db, () => {
        prepared(this.db, 'INSERT INTO keyring (version, kdf, wrapped_key, created_at) VALUES (?, ?, ?, ?)').run(
          created.keyring.version,
          JSON.stringify(created.keyring.kdf),
          created.keyring.wrappedKey,
          new Date().toISOString(),
        );
        this.meta.set(AUDIT_KEY, created.auditKey satisfies WrappedByKeyring);
        this.meta.set(ROTATION, { version });
        this.audit.append({ actor: this.actor, action: 'keyring.rotate', target: `version ${version}`, outcome: 'success', detail: 'new keyring version; re-wrapping' });
      });
    }
    const progress = this.progress(version);
    const dataKeys = await this.rewrapDataKeys(version, progress);
    const configs = await this.rewrapConfigs(version, progress);
    const dropped = inTransaction(this.db, () => {
      // KMS and secret-store versions only record the version current when they were written: no key depends on it.
      prepared(
        this.db,
        'UPDATE secret_versions SET keyring_version = ? WHERE keyring_version < ? AND (intermediate_key_id IS NOT NULL OR remote_reference IS NOT NULL)',
      ).run(version, version);
      const unused = (
        prepared(
          this.db,
          `SELECT version FROM keyring k WHERE version < ?
             AND NOT EXISTS (SELECT 1 FROM secret_versions WHERE keyring_version = k.version)
             AND NOT EXISTS (SELECT 1 FROM managers WHERE config_keyring_version = k.version)`,
        ).all(version) as { version: number }[]
      ).map((row) => row.version);
      const audit = this.meta.get<WrappedByKeyring>(AUDIT_KEY);
      const kept = unused.filter((old) => audit?.keyringVersion !== old);
      for (const old of kept) prepared(this.db, 'DELETE FROM keyring WHERE version = ?').run(old);
      prepared(this.db, 'DELETE FROM meta WHERE key = ?').run(ROTATION);
      this.audit.append({
        actor: this.actor,
        action: 'keyring.rotate',
        target: `version ${version}`,
        outcome: 'success',
        detail: `${dataKeys} data key(s) and ${configs} manager configuration(s) re-wrapped; dropped version(s) ${kept.join(', ') || 'none'}${pending ? '; resumed' : ''}`,
      });
      return kept;
    });
    await this.audit.sealPending();
    progress('done', 0);
    return { version, dataKeys, configs, dropped, resumed: pending !== null };
  }

  /** Counts what is left once, then reports each committed batch as a `keyring.rotateProgress` event. */
  private progress(version: number): (phase: RotationPhase, committed: number) => void {
    const count = (sql: string) => (prepared(this.db, sql).get(version) as { n: number }).n;
    const total = count(PENDING_DATA_KEYS) + count(PENDING_CONFIGS);
    let done = 0;
    this.emit({ type: 'keyring.rotateProgress', phase: 'data-keys', done, total });
    return (phase, committed) => {
      done += committed;
      this.emit({ type: 'keyring.rotateProgress', phase, done, total });
    };
  }

  private async rewrapDataKeys(version: number, progress: (phase: RotationPhase, committed: number) => void): Promise<number> {
    let done = 0;
    for (;;) {
      // A lock stops the rotation between batches (LOCKED); every row is under a version that opens, and the next unlock continues.
      this.vault.requireStaysUnlocked();
      const rows = prepared(
        this.db,
        `SELECT v.secret_id, v.version, v.wrapped_key, v.keyring_version, s.type, s.manager_id FROM secret_versions v JOIN secrets s ON s.id = v.secret_id
         WHERE v.keyring_version < ? AND v.intermediate_key_id IS NULL AND v.remote_reference IS NULL LIMIT ?`,
      ).all(version, MAX_BATCH) as { secret_id: string; version: number; wrapped_key: string; keyring_version: number; type: SecretAddress['type']; manager_id: string }[];
      if (rows.length === 0) return done;
      const { dataKeys } = await this.delegate.request({
        op: 'keyring.rewrap',
        dataKeys: rows.map((row) => ({
          address: { secretId: row.secret_id, version: row.version, type: row.type, managerId: row.manager_id },
          wrapped: { keyringVersion: row.keyring_version, wrapped: row.wrapped_key },
        })),
        configs: [],
      });
      inTransaction(this.db, () => {
        const update = prepared(this.db, 'UPDATE secret_versions SET wrapped_key = ?, keyring_version = ? WHERE secret_id = ? AND version = ? AND keyring_version = ?');
        rows.forEach((row, i) => update.run(dataKeys[i]!.wrapped, dataKeys[i]!.keyringVersion, row.secret_id, row.version, row.keyring_version));
      });
      done += rows.length;
      progress('data-keys', rows.length);
    }
  }

  private async rewrapConfigs(version: number, progress: (phase: RotationPhase, committed: number) => void): Promise<number> {
    const rows = prepared(
      this.db,
      'SELECT id, kind, config_ciphertext, config_keyring_version FROM managers WHERE config_ciphertext IS NOT NULL AND config_keyring_version < ?',
    ).all(version) as { id: string; kind: string; config_ciphertext: string; config_keyring_version: number }[];
    for (let start = 0; start < rows.length; start += MAX_BATCH) {
      const batch = rows.slice(start, start + MAX_BATCH);
      this.vault.requireStaysUnlocked();
      const { configs } = await this.delegate.request({
        op: 'keyring.rewrap',
        dataKeys: [],
        configs: batch.map((row) => ({
          managerId: row.id,
          kind: row.kind as ProviderKind,
          config: { ciphertext: row.config_ciphertext, keyringVersion: row.config_keyring_version },
        })),
      });
      inTransaction(this.db, () => {
        const update = prepared(this.db, 'UPDATE managers SET config_ciphertext = ?, config_keyring_version = ? WHERE id = ? AND config_keyring_version = ?');
        batch.forEach((row, i) => update.run(configs[i]!.ciphertext, configs[i]!.keyringVersion, row.id, row.config_keyring_version));
      });
      progress('configs', batch.length);
    }
    return rows.length;
  }
}
