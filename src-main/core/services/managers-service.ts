/**
 * Secret managers as main sees them: the built-in store and the external
 * managers the user added (AWS KMS, Google Cloud KMS, AWS Secrets Manager,
 * Azure Key Vault, HashiCorp Vault).
 *
 * Main never sees a manager's credentials. The configuration arrives sealed
 * for the delegate, which validates it and returns it encrypted by the
 * keyring together with its non-secret fields; main stores both, and sends
 * the ciphertext back with every request that needs the provider (as a
 * ManagerContext). Also here: the default manager, health (the last
 * connection test), the usage scope and the rule that a secret's scope fits
 * inside its manager's, and the intermediate keys of KMS managers.
 */
import { randomUUID } from 'node:crypto';
import { inTransaction, prepared } from '../store/prepared.js';
import { intermediateKeyRecord, type IntermediateKeyRow } from '../store/intermediate-key-rows.js';
import type { Database } from 'better-sqlite3';
import {
  isBuiltIn,
  keepsVersions,
  kindCan,
  kindsWhere,
  managerKindSpec,
  managerKindSpecs,
  type KeyVersionUse,
  type RecordedHealth,
  type ManagerKind,
  type ManagerOptions,
  type ManagerSummary,
  type ParsedRequest,
  type RenewalStatus,
  type ProviderTestResult,
  type UsageScope,
} from '../../../src-shared/contract.js';
import type { IntermediateKeyRecord, ManagerContext, ProviderErrorCode, ProviderKind } from '../../../src-shared/delegate-protocol.js';
import { AppError, providerToIpc } from '../app-error.js';
import type { DelegateSupervisor } from '../delegate/supervisor.js';
import { narrowScope, scopeWithin } from '../scope/usage-scope.js';
import type { AuditLog } from './audit-log.js';
import type { CatalogService } from './catalog-service.js';
import type { VaultService } from './vault-service.js';
import { RemoteWriteJournal } from './remote-writes.js';
import { scopeFields, type RowIntegrity } from './row-integrity.js';

/** The built-in random-key store. */
export const LOCAL_MANAGER_ID = 'local';

/** Provider calls retry throttling and 5xx with backoff; a test or a listing may take a while. */
const PROVIDER_TIMEOUT_MS = 120_000;


interface ManagerRow {
  id: string;
  name: string;
  kind: string;
  is_default: number;
  read_only: number;
  scoped: number;
  scope_to_account: number;
  public_config: string;
  health: string | null;
  created_at: string;
  updated_at: string | null;
  secret_count: number;
}

/** A manager is read-only when the user said so, or when its configuration does (kinds that support `readOnly`, e.g. Vault). */
export function effectiveReadOnly(kind: string, readOnlyFlag: number, publicConfig: Record<string, unknown>): boolean {
  return readOnlyFlag === 1 || (kindCan(kind, (spec) => spec.supportsReadOnly) && publicConfig.readOnly === true);
}

interface ManagerRecord {
  id: string;
  name: string;
  kind: string;
  is_default: number;
  read_only: number;
  config_ciphertext: string | null;
  config_keyring_version: number | null;
  config_version: number;
  public_config: string;
}

export interface ManagerInfo {
  id: string;
  name: string;
  kind: ManagerKind;
  role: 'local' | 'key-manager' | 'secret-store';
  readOnly: boolean;
  isDefault: boolean;
  /** Whether older values stay readable by version (not in Vault KV v1). */
  keepsVersions: boolean;
}

export class ManagersService {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: Database,
    private readonly catalog: CatalogService,
    private readonly audit: AuditLog,
    private readonly actor: string,
    private readonly delegate: DelegateSupervisor,
    private readonly vault: VaultService,
    private readonly rows: RowIntegrity,
  ) {}

  private record(id: string): ManagerRecord {
    const row = prepared(
      this.db,
      'SELECT id, name, kind, is_default, read_only, config_ciphertext, config_keyring_version, config_version, public_config FROM managers WHERE id = ?',
    ).get(id) as ManagerRecord | undefined;
    if (!row) throw new AppError('NOT_FOUND', 'No such secret manager: it may have been removed.');
    return row;
  }

  /** What the secrets service needs to know about a manager. */
  info(id: string): ManagerInfo {
    const row = this.record(id);
    const kind = row.kind as ManagerKind;
    return {
      id: row.id,
      name: row.name,
      kind,
      role: managerKindSpec(kind)?.role ?? 'local',
      readOnly: effectiveReadOnly(row.kind, row.read_only, JSON.parse(row.public_config) as Record<string, unknown>),
      isDefault: row.is_default === 1,
      keepsVersions: keepsVersions(kind, JSON.parse(row.public_config) as Record<string, unknown>),
    };
  }

  defaultManagerId(): string {
    const row = prepared(this.db, 'SELECT id FROM managers WHERE is_default = 1 LIMIT 1').get() as { id: string } | undefined;
    return row?.id ?? LOCAL_MANAGER_ID;
  }

  /** What the delegate needs to open the manager's provider; undefined for the built-in store. */
  context(id: string): ManagerContext | undefined {
    if (id === LOCAL_MANAGER_ID) return undefined;
    const row = this.record(id);
    if (kindCan(row.kind, isBuiltIn)) return undefined;
    if (!row.config_ciphertext || !row.config_keyring_version) throw new AppError('TAMPERED', `Manager "${row.name}" has no stored configuration.`);
    return {
      id: row.id,
      kind: row.kind as ProviderKind,
      configVersion: Math.max(1, row.config_version),
      readOnly: effectiveReadOnly(row.kind, row.read_only, JSON.parse(row.public_config) as Record<string, unknown>),
      config: { ciphertext: row.config_ciphertext, keyringVersion: row.config_keyring_version },
    };
  }

  /** The contexts of every external manager among `ids`. */
  contexts(ids: Iterable<string>): ManagerContext[] {
    const out: ManagerContext[] = [];
    for (const id of new Set(ids)) {
      const context = this.context(id);
      if (context) out.push(context);
    }
    return out;
  }

  /**
   * Runs `work` alone for this manager: wrapping data keys under a KMS
   * manager's current intermediate key counts its uses, and two wraps at once
   * would both count from the same record.
   */
  async exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }

  /** The newest intermediate key of a KMS manager, or null before its first secret. */
  currentIntermediateKey(managerId: string): IntermediateKeyRecord | null {
    const row = prepared(this.db, 'SELECT * FROM intermediate_keys WHERE manager_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1').get(managerId) as
      IntermediateKeyRow | undefined;
    return row ? intermediateKeyRecord(row) : null;
  }

  intermediateKeys(ids: Iterable<string>): IntermediateKeyRecord[] {
    const statement = prepared(this.db, 'SELECT * FROM intermediate_keys WHERE id = ?');
    const out: IntermediateKeyRecord[] = [];
    for (const id of new Set(ids)) {
      const row = statement.get(id) as IntermediateKeyRow | undefined;
      if (!row) throw new AppError('TAMPERED', `Intermediate key ${id} is missing from the store.`);
      out.push(intermediateKeyRecord(row));
    }
    return out;
  }

  /** Upserts what the delegate returned. Runs inside the caller's transaction. */
  saveIntermediateKeys(records: IntermediateKeyRecord[]): void {
    const upsert = prepared(
      this.db,
      `INSERT INTO intermediate_keys (id, manager_id, wrapped_key, kms_key_version, created_at, use_count) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET wrapped_key = excluded.wrapped_key, kms_key_version = excluded.kms_key_version, use_count = MAX(use_count, excluded.use_count)`,
    );
    for (const record of records) {
      if (record.managerId === LOCAL_MANAGER_ID) throw new AppError('INTERNAL', 'The built-in store has no intermediate keys.');
      upsert.run(record.id, record.managerId, record.wrappedKey, record.kmsKeyVersion, record.createdAt, record.useCount);
    }
  }

  /**
   * Opens the managers whose token the delegate renews (Vault), so their
   * renewal loops run while the store is unlocked (opening makes no request).
   * Best effort: a manager that fails to open shows it at its next use or test.
   */
  async openRenewing(): Promise<void> {
    const kinds = kindsWhere((spec) => spec.renewsToken);
    const ids = (prepared(this.db, `SELECT id FROM managers WHERE kind IN (${kinds.map(() => '?').join(', ')})`).all(...kinds) as { id: string }[]).map((row) => row.id);
    if (ids.length === 0) return;
    await this.delegate.request({ op: 'manager.open', managers: this.contexts(ids) }).catch(() => undefined);
  }

  /** Every manager as stored (renewal status aside), the default first, then by name. */
  storedSummaries(): ManagerSummary[] {
    const rows = prepared(
      this.db,
      `SELECT m.id, m.name, m.kind, m.is_default, m.read_only, m.scoped, m.scope_to_account, m.public_config, m.health, m.created_at, m.updated_at,
                (SELECT COUNT(*) FROM secrets s WHERE s.manager_id = m.id) AS secret_count
         FROM managers m ORDER BY m.is_default DESC, m.name COLLATE NOCASE`,
    ).all() as ManagerRow[];
    const scopes = this.catalog.readScopes(
      'manager',
      rows.map((row) => row.id),
    );
    return rows.map((row) => {
      const publicConfig = JSON.parse(row.public_config) as Record<string, unknown>;
      const health = row.health ? (JSON.parse(row.health) as RecordedHealth) : null;
      return {
        id: row.id,
        name: row.name,
        kind: row.kind,
        role: managerKindSpec(row.kind)?.role ?? 'local',
        isDefault: row.is_default === 1,
        readOnly: effectiveReadOnly(row.kind, row.read_only, publicConfig),
        scope: { scoped: row.scoped === 1, scopeToAccount: row.scope_to_account === 1, entries: scopes.get(row.id) ?? [] },
        secretCount: row.secret_count,
        publicConfig,
        health: {
          lastCheckAt: health?.lastCheckAt ?? null,
          ok: health?.ok ?? null,
          summary: health?.summary ?? null,
          warnings: health?.warnings ?? [],
          facts: health?.facts ?? {},
          renewal: null,
          keyVersions: kindCan(row.kind, (spec) => spec.rewrapsKeys !== null) ? this.keyVersionsInUse(row.id, health?.facts.keyVersion) : [],
        },
        createdAt: row.created_at,
        updatedAt: row.updated_at ?? row.created_at,
      };
    });
  }

  /**
   * The KMS key versions a manager's wrapped intermediate keys are under, with the secrets that need each,
   * newest wrap first. `current` is the version the last connection test or re-wrap saw new wraps use.
   */
  keyVersionsInUse(managerId: string, current: unknown): KeyVersionUse[] {
    const rows = prepared(
      this.db,
      `SELECT k.kms_key_version AS keyVersion, COUNT(DISTINCT k.id) AS intermediateKeys, COUNT(DISTINCT v.secret_id) AS secrets
         FROM intermediate_keys k LEFT JOIN secret_versions v ON v.intermediate_key_id = k.id
        WHERE k.manager_id = ? GROUP BY k.kms_key_version ORDER BY MAX(k.created_at) DESC`,
    ).all(managerId) as Omit<KeyVersionUse, 'current'>[];
    return rows.map((row) => ({ ...row, current: typeof current === 'string' ? row.keyVersion === current : null }));
  }

  storedSummary(id: string): ManagerSummary {
    const found = this.storedSummaries().find((manager) => manager.id === id);
    if (!found) throw new AppError('NOT_FOUND', `No secret manager "${id}".`);
    return found;
  }

  /** Every manager, with the renewal loops of the token-renewing managers (Vault) the delegate holds open. */
  async list(): Promise<ManagerSummary[]> {
    this.vault.requireUnlocked();
    const items = this.storedSummaries();
    if (!items.some((item) => kindCan(item.kind, (spec) => spec.renewsToken))) return items;
    try {
      const { renewal } = await this.delegate.request({ op: 'manager.status' });
      const byId = new Map(renewal.map((entry) => [entry.managerId, entry.status]));
      return items.map((item) => ({ ...item, health: { ...item.health, renewal: byId.get(item.id) ?? null } }));
    } catch {
      return items;
    }
  }

  private async summary(id: string): Promise<ManagerSummary> {
    const found = (await this.list()).find((manager) => manager.id === id);
    if (!found) throw new AppError('NOT_FOUND', 'No such secret manager: it may have been removed.');
    return found;
  }

  private assertNameFree(name: string, exceptId?: string): void {
    const row = prepared(this.db, 'SELECT id FROM managers WHERE name = ?').get(name) as { id: string } | undefined;
    if (row && row.id !== exceptId) throw new AppError('NAME_TAKEN', `A secret manager named "${name}" already exists.`);
  }

  private external(id: string, action: string): ManagerRecord {
    const row = this.record(id);
    if (kindCan(row.kind, isBuiltIn)) throw new AppError('INVALID_REQUEST', `The built-in store cannot be ${action}.`);
    return row;
  }

  async add(request: ParsedRequest<'managers.add'>): Promise<ManagerSummary> {
    this.vault.requireUnlocked();
    this.assertNameFree(request.name);
    const id = randomUUID();
    const configured = await this.delegate.request({
      op: 'manager.configure',
      sealed: request.sealedConfig,
      name: request.name,
      managerId: id,
      kind: request.kind,
    });
    const context: ManagerContext = {
      id,
      kind: request.kind,
      configVersion: 1,
      readOnly: effectiveReadOnly(request.kind, request.readOnly ? 1 : 0, configured.publicConfig),
      config: configured.config,
    };
    const health = request.skipTest ? null : await this.testBeforeAdding(request.name, context);
    const now = new Date().toISOString();
    try {
      inTransaction(this.db, () => {
        this.assertNameFree(request.name);
        prepared(
          this.db,
          `INSERT INTO managers (id, name, kind, is_default, read_only, created_at, updated_at, config_ciphertext, config_keyring_version, config_version, public_config, health)
           VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, 1, ?, ?)`,
        ).run(
          id,
          request.name,
          request.kind,
          request.readOnly ? 1 : 0,
          now,
          now,
          configured.config.ciphertext,
          configured.config.keyringVersion,
          JSON.stringify(configured.publicConfig),
          health ? JSON.stringify(health) : null,
        );
        this.audit.append({
          actor: this.actor,
          action: 'manager.add',
          target: request.name,
          outcome: 'success',
          detail: `${request.kind}${request.readOnly || configured.readOnly ? ', read-only' : ''}${health ? `; connection test: ${health.summary}` : '; added without a connection test'}`,
        });
      });
    } catch (error) {
      if (error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new AppError('NAME_TAKEN', `A secret manager named "${request.name}" already exists.`);
      }
      throw error;
    }
    await this.audit.sealPending();
    if (managerKindSpecs[request.kind].renewsToken) await this.delegate.request({ op: 'manager.open', managers: [this.context(id)!] }).catch(() => undefined);
    return this.summary(id);
  }

  /**
   * The read-only connection test of a manager not stored yet; its health when
   * it passes. A failure stores nothing: the error says which check failed,
   * typed by the provider's code.
   */
  private async testBeforeAdding(name: string, context: ManagerContext): Promise<RecordedHealth> {
    const { result, renewal } = await this.delegate.request({ op: 'manager.test', manager: context }, PROVIDER_TIMEOUT_MS);
    if (result.ok) return healthOf(result, renewal);
    // The delegate opened the provider for the test: nothing may stay open for a manager that does not exist.
    await this.delegate.request({ op: 'manager.close', managerId: context.id }).catch(() => undefined);
    const failed = result.checks.find((check) => !check.ok);
    const errorCode = typeof result.facts.errorCode === 'string' ? result.facts.errorCode : null;
    // A test that ran to the end and failed found missing permissions (capabilities); an earlier stage names its own code.
    const code = errorCode && Object.hasOwn(providerToIpc, errorCode) ? providerToIpc[errorCode as ProviderErrorCode] : 'PROVIDER_PERMISSION_DENIED';
    const permission = typeof result.facts.missingPermission === 'string' ? result.facts.missingPermission : undefined;
    throw new AppError(
      code,
      `"${name}" was not added: its connection test failed${failed ? ` at ${failed.name}: ${failed.detail}` : '.'} Fix the configuration, or add it without the test.`,
      permission ? { permission } : {},
    );
  }

  async update(request: ParsedRequest<'managers.update'>): Promise<ManagerSummary> {
    this.vault.requireUnlocked();
    const row = this.external(request.id, 'changed');
    const name = request.name ?? row.name;
    if (name !== row.name) this.assertNameFree(name, row.id);
    const kind = row.kind as ProviderKind;
    const secretCount = (prepared(this.db, 'SELECT COUNT(*) AS n FROM secrets WHERE manager_id = ?').get(row.id) as { n: number }).n;
    let configured: { config: { ciphertext: string; keyringVersion: number }; publicConfig: Record<string, unknown>; readOnly: boolean } | null = null;
    if (request.sealedConfig) {
      configured = await this.delegate.request({
        op: 'manager.configure',
        sealed: request.sealedConfig,
        name,
        managerId: row.id,
        kind,
        previous: this.context(row.id),
      });
      if (secretCount > 0) {
        const before = JSON.parse(row.public_config) as Record<string, unknown>;
        const changed = managerKindSpecs[kind].identityFields.filter(
          (field) => JSON.stringify(before[field] ?? null) !== JSON.stringify(configured!.publicConfig[field] ?? null),
        );
        if (changed.length > 0) {
          throw new AppError(
            'INVALID_REQUEST',
            `"${row.name}" holds ${secretCount} secret(s), which need the same ${changed.join(', ')}. Change credentials freely, but add a new manager for another ${changed.length === 1 ? 'one' : 'location'}.`,
            { issues: changed.map((field) => ({ path: `config.${field}`, message: 'Cannot change while the manager holds secrets' })) },
          );
        }
      }
    }
    const publicConfig = configured ? configured.publicConfig : (JSON.parse(row.public_config) as Record<string, unknown>);
    const readOnlyFlag = request.readOnly === undefined ? row.read_only : request.readOnly ? 1 : 0;
    const readOnly = effectiveReadOnly(kind, readOnlyFlag, publicConfig);
    if (readOnly && row.is_default === 1) {
      throw new AppError(
        'READ_ONLY',
        `"${row.name}" is the default manager, and a read-only manager cannot be the default. Make another manager the default first.`,
      );
    }
    const changes = [
      name !== row.name ? `renamed from "${row.name}"` : null,
      configured ? 'configuration' : null,
      readOnlyFlag !== row.read_only ? (readOnlyFlag ? 'read-only' : 'writable') : null,
    ].filter(Boolean);
    const now = new Date().toISOString();
    try {
      inTransaction(this.db, () => {
        if (configured) {
          // New credentials are untested: the old health no longer says anything about them.
          prepared(
            this.db,
            'UPDATE managers SET name = ?, read_only = ?, config_ciphertext = ?, config_keyring_version = ?, config_version = config_version + 1, public_config = ?, health = NULL, updated_at = ? WHERE id = ?',
          ).run(name, readOnlyFlag, configured.config.ciphertext, configured.config.keyringVersion, JSON.stringify(configured.publicConfig), now, row.id);
        } else {
          // The read-only flag travels in the context, so the delegate must reopen the provider with it.
          prepared(this.db, 'UPDATE managers SET name = ?, read_only = ?, config_version = config_version + ?, updated_at = ? WHERE id = ?').run(
            name,
            readOnlyFlag,
            readOnlyFlag !== row.read_only ? 1 : 0,
            now,
            row.id,
          );
        }
        this.audit.append({ actor: this.actor, action: 'manager.update', target: name, outcome: 'success', detail: changes.join('; ') || 'no change' });
      });
    } catch (error) {
      if (error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new AppError('NAME_TAKEN', `A secret manager named "${name}" already exists.`);
      }
      throw error;
    }
    await this.audit.sealPending();
    if (kindCan(kind, (spec) => spec.renewsToken)) await this.delegate.request({ op: 'manager.open', managers: [this.context(row.id)!] }).catch(() => undefined);
    return this.summary(row.id);
  }

  async remove(id: string): Promise<void> {
    this.vault.requireUnlocked();
    const row = this.external(id, 'removed');
    const count = (prepared(this.db, 'SELECT COUNT(*) AS n FROM secrets WHERE manager_id = ?').get(id) as { n: number }).n;
    if (count > 0) {
      throw new AppError(
        'MANAGER_IN_USE',
        `"${row.name}" still holds ${count} secret${count === 1 ? '' : 's'} (references included). Delete or move ${count === 1 ? 'it' : 'them'} first.`,
      );
    }
    if (row.is_default === 1) throw new AppError('INVALID_REQUEST', `"${row.name}" is the default manager. Make another manager the default first.`);
    const unconfirmed = new RemoteWriteJournal(this.db).pending(id);
    if (unconfirmed.length > 0) {
      // Removing the manager would lose the only record of where values may be left in the store.
      throw new AppError(
        'MANAGER_IN_USE',
        `"${row.name}" has ${unconfirmed.length} unconfirmed write${unconfirmed.length === 1 ? '' : 's'} (${unconfirmed.map((write) => `"${write.remoteName}"`).join(', ')}): a value Strongroom wrote may be left there. Check each name in the store and delete it there if it should go, then forget it: in the app under the manager's "Unconfirmed writes…", or with "strongroom manager orphans forget ID" ("strongroom manager orphans" lists their ids).`,
      );
    }
    inTransaction(this.db, () => {
      prepared(this.db, 'DELETE FROM intermediate_keys WHERE manager_id = ?').run(id);
      prepared(this.db, "DELETE FROM scope_entries WHERE owner_kind = 'manager' AND owner_id = ?").run(id);
      prepared(this.db, 'DELETE FROM managers WHERE id = ?').run(id);
      this.audit.append({ actor: this.actor, action: 'manager.remove', target: row.name, outcome: 'success', detail: row.kind });
    });
    await this.audit.sealPending();
    // Stops a Vault renewal loop and drops the credentials from the delegate's memory.
    await this.delegate.request({ op: 'manager.close', managerId: id }).catch(() => undefined);
  }

  async setDefault(id: string): Promise<ManagerSummary> {
    this.vault.requireUnlocked();
    const info = this.info(id);
    if (info.readOnly)
      throw new AppError('READ_ONLY', `"${info.name}" is read-only, and a read-only manager cannot be the default: new secrets could not be stored in it.`);
    inTransaction(this.db, () => {
      prepared(this.db, 'UPDATE managers SET is_default = CASE WHEN id = ? THEN 1 ELSE 0 END').run(id);
      this.audit.append({
        actor: this.actor,
        action: 'manager.default',
        target: info.name,
        outcome: 'success',
        detail: 'new secrets go here; existing secrets stay where they are',
      });
    });
    await this.audit.sealPending();
    return this.summary(id);
  }

  /** A read-only connection test; its result becomes the manager's health. */
  async test(id: string): Promise<{ result: ProviderTestResult; manager: ManagerSummary }> {
    this.vault.requireUnlocked();
    const row = this.external(id, 'tested');
    const { result, renewal } = await this.delegate.request({ op: 'manager.test', manager: this.context(id)! }, PROVIDER_TIMEOUT_MS);
    const health = healthOf(result, renewal);
    const summary = health.summary ?? '';
    inTransaction(this.db, () => {
      prepared(this.db, 'UPDATE managers SET health = ? WHERE id = ?').run(JSON.stringify(health), id);
      this.audit.append({
        actor: this.actor,
        action: 'manager.test',
        target: row.name,
        outcome: result.ok ? 'success' : 'failure',
        detail: result.ok ? summary : `${String(result.facts.errorCode ?? 'failed')}`,
      });
    });
    await this.audit.sealPending();
    const manager = await this.summary(id);
    return { result, manager: renewal ? { ...manager, health: { ...manager.health, renewal } } : manager };
  }

  /**
   * For a Vault-signed SSH secret: the manager signs SSH certificates (its
   * kind's description says), and its SSH engine at `mount` has `role` and
   * lets its token sign with it, checked by reading only.
   */
  async checkSshSigner(id: string, mount: string, role: string): Promise<void> {
    const signer = this.info(id);
    if (!managerKindSpec(signer.kind)?.signsSshCertificates) {
      const kinds = Object.values(managerKindSpecs).filter((spec) => spec.signsSshCertificates).map((spec) => spec.label);
      throw new AppError('INVALID_REQUEST', `"${signer.name}" cannot sign SSH certificates: only ${kinds.join(', ')} managers can.`, {
        issues: [{ path: 'metadata.vaultManagerId', message: `Choose a ${kinds.join(' or ')} manager` }],
      });
    }
    await this.delegate.request({ op: 'manager.checkSshSigner', manager: this.context(id)!, mount, role }, PROVIDER_TIMEOUT_MS);
  }

  /** The lists a manager form can offer: Vault KV mounts, Azure vaults. Nothing is stored. */
  async fetchOptions(request: ParsedRequest<'managers.fetchOptions'>): Promise<ManagerOptions> {
    this.vault.requireUnlocked();
    return this.delegate.request({ op: 'manager.fetchOptions', kind: request.kind, sealed: request.sealedConfig }, PROVIDER_TIMEOUT_MS);
  }

  /** Secrets of a manager whose scope would not fit inside `scope`. */
  private outside(managerId: string, scope: UsageScope): { id: string; name: string; scope: UsageScope }[] {
    const rows = prepared(this.db, 'SELECT id, name, scoped, scope_to_account FROM secrets WHERE manager_id = ? ORDER BY name COLLATE NOCASE').all(
      managerId,
    ) as {
      id: string;
      name: string;
      scoped: number;
      scope_to_account: number;
    }[];
    const entries = this.catalog.readScopes(
      'secret',
      rows.map((row) => row.id),
    );
    const index = this.catalog.environmentIndex();
    return rows
      .map((row) => ({
        id: row.id,
        name: row.name,
        scope: { scoped: row.scoped === 1, scopeToAccount: row.scope_to_account === 1, entries: entries.get(row.id) ?? [] },
      }))
      .filter((secret) => !scopeWithin(secret.scope, scope, index));
  }

  async setScope(id: string, scope: UsageScope, narrowSecrets: boolean): Promise<{ manager: ManagerSummary; narrowed: string[] }> {
    const manager = this.storedSummary(id);
    const normalized = { ...scope, entries: this.catalog.validateEntries(scope.entries) };
    const conflicts = this.outside(id, normalized);
    if (conflicts.length > 0 && !narrowSecrets) {
      const names = conflicts.map((secret) => secret.name);
      throw new AppError(
        'SCOPE_CONFLICT',
        `${names.length} secret(s) of "${manager.name}" are usable more widely than this scope allows. Narrow them too, or cancel.`,
        { conflicts: names.slice(0, 1000) },
      );
    }
    const index = this.catalog.environmentIndex();
    const narrowed = conflicts.map((secret) => ({ secret, scope: narrowScope(secret.scope, normalized, index) }));
    const seals = await this.rows.seal(narrowed.map(({ secret, scope: narrow }) => this.rows.planned(secret.id, scopeFields(narrow))));
    inTransaction(this.db, () => {
      this.catalog.writeScope('manager', id, normalized);
      for (const { secret, scope: narrow } of narrowed) {
        this.catalog.writeScope('secret', secret.id, narrow);
        this.audit.append({
          actor: this.actor,
          action: 'secret.scope',
          target: secret.name,
          outcome: 'success',
          detail: `narrowed to fit manager "${manager.name}"`,
        });
      }
      this.audit.append({
        actor: this.actor,
        action: 'manager.scope',
        target: manager.name,
        outcome: 'success',
        detail: normalized.scoped ? `${normalized.entries.length} entries; ${conflicts.length} secret(s) narrowed` : 'unscoped',
      });
      this.rows.store(seals);
    });
    return { manager: this.storedSummary(id), narrowed: conflicts.map((secret) => secret.name) };
  }

  /** After an environment changes type, type-based manager entries may stop covering secrets that named it. */
  assertSecretsStillFit(): void {
    for (const manager of this.storedSummaries()) {
      const conflicts = this.outside(manager.id, manager.scope);
      if (conflicts.length > 0) {
        throw new AppError('SCOPE_CONFLICT', `This change would put ${conflicts.length} secret(s) outside the scope of manager "${manager.name}".`, {
          conflicts: conflicts.map((secret) => secret.name).slice(0, 1000),
        });
      }
    }
  }
}

/** A connection test's result as the manager's recorded health. */
function healthOf(result: ProviderTestResult, renewal: RenewalStatus | null): RecordedHealth {
  const failed = result.checks.find((check) => !check.ok);
  const summary = result.ok
    ? `${result.checks.length} check${result.checks.length === 1 ? '' : 's'} passed${result.warnings.length ? `, ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : ''}`
    : failed
      ? `${failed.name}: ${failed.detail}`
      : 'The test failed.';
  const warnings = [...result.warnings];
  if (renewal?.state === 'paused') warnings.push(renewal.lastError?.message ?? 'Token renewal is paused after repeated failures.');
  return { lastCheckAt: new Date().toISOString(), ok: result.ok, summary: summary.slice(0, 2000), warnings, facts: result.facts };
}

