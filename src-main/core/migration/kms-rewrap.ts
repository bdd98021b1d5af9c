/**
 * KMS key rotation (docs/migration.md): after an admin rotates the key of an
 * AWS KMS or Cloud KMS manager, every intermediate key it wrapped is wrapped
 * again under the key's current version, so old versions can be retired.
 * Data keys are sealed by intermediate keys locally and do not change.
 *
 * As in master key rotation, the rows are the journal: each intermediate key
 * row names the KMS key version that wraps it, and is replaced in one
 * statement (conditional on the wrap it replaces) once KMS has answered. A
 * run stopped anywhere (kill -9 of main or of the delegate) leaves every row
 * under either its old version, which still decrypts, or the current one;
 * asking again continues with the rows not yet under the current version.
 * The meta row says a run is under way, so the next one reports `resumed`.
 */
import type { Database } from 'better-sqlite3';
import { kindCan, type AppEvent, type ChannelResult } from '../../../src-shared/contract.js';
import { AppError } from '../app-error.js';
import type { DelegateSupervisor } from '../delegate/supervisor.js';
import type { AuditLog } from '../services/audit-log.js';
import type { ManagersService } from '../services/managers-service.js';
import type { MetaStore } from '../services/meta-store.js';
import type { VaultService } from '../services/vault-service.js';
import { inTransaction, prepared } from '../store/prepared.js';
import { intermediateKeyRecord, type IntermediateKeyRow } from '../store/intermediate-key-rows.js';

/**
 * Intermediate keys per delegate request, committed as soon as KMS answers. One intermediate key seals up to
 * 1,000 data keys, so a manager has few of them: one per request costs nothing and keeps the journal exact.
 */
const BATCH = 1;
const REQUEST_TIMEOUT_MS = 120_000;
/** A key rotated again during a run moves the target; past this many moves the run stops and says why. */
const MAX_TARGET_CHANGES = 3;

const pendingKey = (managerId: string) => `kms.rewrap.${managerId}`;

export type RewrapReport = ChannelResult<'managers.rewrap'>;


export class KmsRewrap {
  /** One run per manager: a re-wrap asked for while one runs (the automatic resume after an unlock) joins it. */
  private readonly running = new Map<string, Promise<RewrapReport>>();

  constructor(
    private readonly db: Database,
    private readonly delegate: DelegateSupervisor,
    private readonly vault: VaultService,
    private readonly managers: ManagersService,
    private readonly meta: MetaStore,
    private readonly audit: AuditLog,
    private readonly actor: string,
    private readonly emit: (event: AppEvent) => void,
  ) {}

  /** Managers whose re-wrap stopped before it finished (their meta row is still set). */
  interrupted(): { managerId: string; name: string }[] {
    return prepared(this.db, "SELECT m.id AS managerId, m.name FROM meta JOIN managers m ON meta.key = 'kms.rewrap.' || m.id ORDER BY m.name").all() as {
      managerId: string;
      name: string;
    }[];
  }

  async rewrap(managerId: string): Promise<RewrapReport> {
    this.vault.requireUnlocked();
    const manager = this.managers.info(managerId);
    if (!kindCan(manager.kind, (spec) => spec.rewrapsKeys !== null)) {
      throw new AppError('INVALID_REQUEST', `"${manager.name}" is a ${manager.kind} manager: only managers whose KMS key rotates into versions have keys to re-wrap.`);
    }
    let run = this.running.get(managerId);
    if (!run) {
      run = this.run(managerId, manager.name).finally(() => this.running.delete(managerId));
      this.running.set(managerId, run);
    }
    return run;
  }

  private async run(managerId: string, name: string): Promise<RewrapReport> {
    const context = this.managers.context(managerId)!;
    const resumed = this.meta.get(pendingKey(managerId)) !== null;
    let target = (await this.delegate.request({ op: 'manager.currentKeyVersion', manager: context }, REQUEST_TIMEOUT_MS)).keyVersion;
    inTransaction(this.db, () => {
      this.meta.set(pendingKey(managerId), { keyVersion: target, startedAt: new Date().toISOString() });
      this.audit.append({ actor: this.actor, action: 'manager.rewrap', target: name, outcome: 'success', detail: `${resumed ? 'resumed' : 'started'}: re-wrapping under ${target}` });
    });
    const remaining = () => (prepared(this.db, 'SELECT COUNT(*) AS n FROM intermediate_keys WHERE manager_id = ? AND kms_key_version <> ?').get(managerId, target) as { n: number }).n;
    let total = remaining();
    let done = 0;
    let targetChanges = 0;
    this.emit({ type: 'managers.rewrapProgress', managerId, done, total });
    for (;;) {
      const rows = prepared(this.db, 'SELECT * FROM intermediate_keys WHERE manager_id = ? AND kms_key_version <> ? ORDER BY created_at, id LIMIT ?').all(managerId, target, BATCH) as IntermediateKeyRow[];
      if (rows.length === 0) break;
      // Alone for this manager: a secret written meanwhile would otherwise save its intermediate key over the new wrap.
      const rewrapped = await this.managers.exclusive(managerId, async () => {
        // A lock stops the run at the next key (LOCKED): every row is under a version that opens, the meta row stays, and the next unlock continues.
        this.vault.requireStaysUnlocked();
        const { records } = await this.delegate.request({ op: 'manager.rewrap', manager: context, records: rows.map(intermediateKeyRecord) }, REQUEST_TIMEOUT_MS);
        inTransaction(this.db, () => {
          const update = prepared(this.db, 'UPDATE intermediate_keys SET wrapped_key = ?, kms_key_version = ? WHERE id = ? AND manager_id = ? AND wrapped_key = ?');
          rows.forEach((row, i) => {
            const record = records[i];
            if (!record || record.id !== row.id) throw new AppError('INTERNAL', 'The delegate answered the re-wrap for other keys than were sent.');
            update.run(record.wrappedKey, record.kmsKeyVersion, row.id, managerId, row.wrapped_key);
          });
        });
        return records;
      });
      done += rows.length;
      const moved = rewrapped.find((record) => record.kmsKeyVersion !== target);
      if (moved) {
        // The key was rotated again while this ran: the newest version is the target now, and everything else moves to it.
        if (++targetChanges > MAX_TARGET_CHANGES) {
          throw new AppError('PROVIDER_CONFLICT', `The key of "${name}" kept rotating while its keys were re-wrapped; run the re-wrap again once rotation has settled.`);
        }
        target = moved.kmsKeyVersion;
        this.meta.set(pendingKey(managerId), { keyVersion: target, startedAt: new Date().toISOString() });
        total = done + remaining();
      }
      this.emit({ type: 'managers.rewrapProgress', managerId, done, total });
    }
    inTransaction(this.db, () => {
      // The version new wraps use, for health: the same fact a connection test records.
      prepared(this.db, "UPDATE managers SET health = json_set(health, '$.facts.keyVersion', ?) WHERE id = ? AND health IS NOT NULL").run(target, managerId);
      this.meta.delete(pendingKey(managerId));
      this.audit.append({ actor: this.actor, action: 'manager.rewrap', target: name, outcome: 'success', detail: `${done} intermediate key(s) re-wrapped under ${target}${resumed ? '; resumed' : ''}` });
    });
    await this.audit.sealPending();
    return { keyVersion: target, rewrapped: done, resumed, keyVersions: this.managers.keyVersionsInUse(managerId, target) };
  }
}
