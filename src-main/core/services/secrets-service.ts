/**
 * Secrets of every type. Values arrive sealed for the delegate, which checks
 * them against their type and returns ciphertext plus the facts main may keep
 * (an SSH key's type and fingerprint, a file's size); main stores that and
 * validated metadata only. Every change is one transaction, written after the
 * delegate has answered, so a crash at any point leaves either the old or the
 * new version, both readable.
 *
 * `resolve` is the one enforcement point of usage scopes: every consumer (the
 * CLI, connection tests, later features) goes through it, and it is audited
 * with the consumer's context.
 */
import { randomUUID } from 'node:crypto';
import { inTransaction, prepared } from '../store/prepared.js';
import type { Database } from 'better-sqlite3';
import {
  UNSCOPED,
  kindLabels,
  secretMetadataSchemas,
  type Consumer,
  type ParsedRequest,
  type SealedMessage,
  type SecretSummary,
  type SecretType,
  type SecretVersion,
  type UsageScope,
} from '../../../src-shared/contract.js';
import {
  sealBindings,
  type EncryptedVersion,
  type IntermediateKeyRecord,
  type KeyInspection,
  type ManagerContext,
  type SecretAddress,
  type SecretFacts,
} from '../../../src-shared/delegate-protocol.js';
import { AppError, toAppError } from '../app-error.js';
import { DelegateCallError, type DelegateSupervisor } from '../delegate/supervisor.js';
import { scopeAllows, scopeWithin } from '../scope/usage-scope.js';
import type { AuditLog } from './audit-log.js';
import type { CatalogService } from './catalog-service.js';
import { LOCAL_MANAGER_ID, type ManagerInfo, type ManagersService } from './managers-service.js';
import type { VaultService } from './vault-service.js';
import { RemoteWriteJournal, type PlannedWrite } from './remote-writes.js';
import { scopeFields, type RowIntegrity, type RowSeal } from './row-integrity.js';
import { listBySql, type ListQuery } from './secret-list-query.js';
import { SecretListSearch } from './secret-list-search.js';

export { LOCAL_MANAGER_ID } from './managers-service.js';

/** Writes to an external manager may retry throttling and 5xx; a batch of remote writes takes a while. */
const MANAGER_TIMEOUT_MS = 180_000;

type Stored = { address: SecretAddress; encrypted: EncryptedVersion };

export interface SecretRow {
  rowid: number;
  id: string;
  name: string;
  description: string | null;
  type: SecretType;
  metadata: string;
  manager_id: string;
  current_version: number;
  scoped: number;
  scope_to_account: number;
  created_at: string;
  updated_at: string;
  /** A reference to an existing remote secret, or null. */
  reference: string | null;
  /** Secret stores: the name the value is written under. */
  remote_name: string | null;
}

export interface VersionRow {
  version: number;
  ciphertext: string;
  wrapped_key: string;
  keyring_version: number;
  facts: string;
  created_at: string;
  created_by: string;
  intermediate_key_id: string | null;
  remote_reference: string | null;
  remote_version: string | null;
}

/** A stored version as the delegate reads it. */
export function encryptedOf(
  row: Pick<VersionRow, 'ciphertext' | 'wrapped_key' | 'keyring_version' | 'intermediate_key_id' | 'remote_reference' | 'remote_version'>,
): EncryptedVersion {
  return {
    ciphertext: row.ciphertext,
    wrappedKey: row.wrapped_key,
    keyringVersion: row.keyring_version,
    ...(row.intermediate_key_id ? { intermediateKeyId: row.intermediate_key_id } : {}),
    ...(row.remote_reference ? { remote: { reference: row.remote_reference, versionId: row.remote_version } } : {}),
  };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Validates a type's metadata, filling defaults; field errors come back as INVALID_REQUEST issues. */
export function parseMetadata(type: SecretType, metadata: unknown): Record<string, unknown> {
  const parsed = secretMetadataSchemas[type].safeParse(metadata ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: `metadata.${issue.path.join('.')}`, message: issue.message }));
    throw new AppError('INVALID_REQUEST', `Invalid ${type} fields: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, { issues });
  }
  return parsed.data as Record<string, unknown>;
}

export class SecretsService {
  readonly remoteWrites: RemoteWriteJournal;
  /** Names and sort fields for the list, in memory while the store is unlocked (secret-list-search.ts). */
  private search: SecretListSearch | null = null;

  constructor(
    private readonly db: Database,
    private readonly delegate: DelegateSupervisor,
    private readonly vault: VaultService,
    private readonly audit: AuditLog,
    private readonly catalog: CatalogService,
    private readonly actor: string,
    private readonly managers: ManagersService,
    /** The integrity MACs of secrets rows; every write to a row's deciding fields goes through it. */
    readonly rows: RowIntegrity,
    /** Hears of a search index build that failed (the list answers from SQL meanwhile). */
    private readonly onSearchIndexError: (error: unknown) => void,
    /** Hears that a search index build finished. */
    private readonly onSearchIndexReady: () => void = () => undefined,
    /** False: no index is kept, and every list is answered from SQL (a CLI command's core). */
    private readonly keepsSearchIndex = true,
  ) {
    this.remoteWrites = new RemoteWriteJournal(db);
  }

  /** The managers and intermediate keys the delegate needs to open these stored versions. */
  dependencies(items: Stored[]): { managers: ManagerContext[]; intermediateKeys: IntermediateKeyRecord[] } {
    const external = items.filter((item) => item.encrypted.intermediateKeyId || item.encrypted.remote);
    if (external.length === 0) return { managers: [], intermediateKeys: [] };
    return {
      managers: this.managers.contexts(external.map((item) => item.address.managerId)),
      intermediateKeys: this.managers.intermediateKeys(
        external.flatMap((item) => (item.encrypted.intermediateKeyId ? [item.encrypted.intermediateKeyId] : [])),
      ),
    };
  }

  /** New values may go into this manager: it exists and is not read-only. */
  private writableManager(managerId: string): ManagerInfo {
    const manager = this.managers.info(managerId);
    if (manager.readOnly) {
      throw new AppError(
        'READ_ONLY',
        `"${manager.name}" is a read-only manager: Strongroom stores no new values in it. References to its existing secrets still work.`,
      );
    }
    return manager;
  }

  /**
   * Stores new values through the delegate in a manager. KMS managers run
   * one at a time, from the newest intermediate key; the records the delegate
   * returns are saved in the same transaction as the versions, by `commit`.
   */
  private async writeValues<T extends { versions: EncryptedVersion[] }>(
    manager: ManagerInfo,
    send: (context: { manager?: ManagerContext; intermediateKey?: IntermediateKeyRecord | null }) => Promise<T & { intermediateKeys: IntermediateKeyRecord[] }>,
    commit: (result: T) => void,
    planned: PlannedWrite[],
  ): Promise<void> {
    const context = this.managers.context(manager.id);
    if (manager.role === 'secret-store') {
      // Journaled first, so that a batch cut short still names what it may have left in the store.
      const ids = this.remoteWrites.begin(manager.id, planned);
      let result: T;
      try {
        result = await send(context ? { manager: context } : {});
      } catch (error) {
        const unknown = error instanceof DelegateCallError && (error.code === 'DELEGATE_UNAVAILABLE' || error.code === 'DELEGATE_TIMEOUT');
        this.remoteWrites.failed(ids, unknown ? 'unknown' : error instanceof DelegateCallError ? (error.orphans ?? []) : []);
        throw this.explainRemoteFailure(error, manager, planned);
      }
      inTransaction(this.db, () => {
        commit(result);
        this.remoteWrites.written(
          ids,
          result.versions.map((version) => ({ reference: version.remote?.reference ?? '', versionId: version.remote?.versionId ?? null })),
        );
      });
      return;
    }
    if (manager.role !== 'key-manager') {
      const result = await send(context ? { manager: context } : {});
      commit(result);
      return;
    }
    await this.managers.exclusive(manager.id, async () => {
      const result = await send({ manager: context, intermediateKey: this.managers.currentIntermediateKey(manager.id) });
      inTransaction(this.db, () => {
        this.managers.saveIntermediateKeys(result.intermediateKeys);
        commit(result);
      });
    });
  }

  /** A name taken remotely: say so, and what to do instead. */
  private explainRemoteFailure(error: unknown, manager: ManagerInfo, planned: PlannedWrite[]): unknown {
    if (!(error instanceof DelegateCallError && error.provider?.code === 'EXISTS')) return error;
    const pending = new Set(this.remoteWrites.pending(manager.id).map((write) => write.remoteName));
    const ours = planned.some((write) => pending.has(write.remoteName))
      ? ' An earlier Strongroom write to it was interrupted, so the value there may be one Strongroom left behind.'
      : '';
    return new AppError(
      'REMOTE_EXISTS',
      `${toAppError(error).message}${ours} Strongroom will not overwrite it: to use it as it is, create a reference to it (secret create --reference); to take it over and write a new version on top of it, create it again with --adopt (in the app: confirm "Adopt").`,
    );
  }

  /** Vault-signed SSH credentials name the manager that signs them: it must sign SSH certificates, with that engine and role. */
  private async checkSigner(type: SecretType, metadata: Record<string, unknown>): Promise<void> {
    if (type !== 'ssh-vault-certificate' || typeof metadata.vaultManagerId !== 'string') return;
    await this.managers.checkSshSigner(metadata.vaultManagerId, String(metadata.mount), String(metadata.role));
  }

  private record(
    action: Parameters<AuditLog['append']>[0]['action'],
    target: string | null,
    outcome: 'success' | 'failure',
    detail: string | null = null,
    actor = this.actor,
  ): void {
    this.audit.append({ actor, action, target, outcome, detail });
  }

  private async sealAudit(): Promise<void> {
    await this.audit.sealPending();
  }

  private summaries(rows: SecretRow[]): SecretSummary[] {
    const scopes = this.catalog.readScopes(
      'secret',
      rows.map((row) => row.id),
    );
    const currentOf = prepared(this.db, 'SELECT facts, remote_reference FROM secret_versions WHERE secret_id = ? AND version = ?');
    return rows.map((row) => {
      const current = currentOf.get(row.id, row.current_version) as { facts: string; remote_reference: string | null } | undefined;
      return {
        id: row.id,
        name: row.name,
        description: row.description,
        type: row.type,
        metadata: JSON.parse(row.metadata) as Record<string, unknown>,
        facts: JSON.parse(current?.facts ?? '{}') as SecretFacts,
        managerId: row.manager_id,
        version: row.current_version,
        scope: { scoped: row.scoped === 1, scopeToAccount: row.scope_to_account === 1, entries: scopes.get(row.id) ?? [] },
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        reference: row.reference,
        remoteLocation: current?.remote_reference ?? null,
      };
    });
  }

  list(request: ListQuery): { total: number; items: SecretSummary[]; indexing?: true } {
    this.vault.requireUnlocked();
    const { total, rowids, indexing } = this.openSearchIndex()?.page(request) ?? { ...listBySql(this.db, request), indexing: false };
    const byRowid = new Map(
      (prepared(this.db, 'SELECT rowid, * FROM secrets WHERE rowid IN (SELECT value FROM json_each(?))').all(JSON.stringify(rowids)) as SecretRow[]).map((row) => [
        row.rowid,
        row,
      ]),
    );
    return { total, items: this.summaries(rowids.map((rowid) => byRowid.get(rowid)!)), ...(indexing ? { indexing } : {}) };
  }

  /** Starts building the search index in slices (at unlock, or at the first list after it); the list answers from SQL until it is ready. */
  openSearchIndex(): SecretListSearch | null {
    if (!this.keepsSearchIndex) return null;
    this.search ??= new SecretListSearch(this.db, this.onSearchIndexError, setImmediate, undefined, this.onSearchIndexReady);
    return this.search;
  }

  /** Drops the search index at lock: names stay out of memory while the store is locked. */
  closeSearchIndex(): void {
    this.search?.close();
    this.search = null;
  }

  get(id: string): SecretSummary {
    this.vault.requireUnlocked();
    return this.summaries([this.byId(id)])[0]!;
  }

  /** Relays a private key sealed to the delegate, which answers with its public fingerprint; main never sees the key. */
  inspectKey(sealedKey: SealedMessage): Promise<KeyInspection> {
    this.vault.requireUnlocked();
    return this.delegate.request({ op: 'secrets.inspectKey', sealed: sealedKey });
  }

  checkNames(names: string[]): string[] {
    this.vault.requireUnlocked();
    const exists = prepared(this.db, 'SELECT name FROM secrets WHERE name = ?');
    const seen = new Set<string>();
    const taken: string[] = [];
    for (const name of names) {
      const key = name.toLowerCase();
      if (seen.has(key) || exists.get(name)) taken.push(name);
      seen.add(key);
    }
    return taken;
  }

  byId(id: string): SecretRow {
    const row = prepared(this.db, 'SELECT rowid, * FROM secrets WHERE id = ?').get(id) as SecretRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', 'No such secret: it may have been deleted.');
    return row;
  }

  private assertNamesFree(names: string[]): void {
    const taken = this.checkNames(names);
    if (taken.length > 0)
      throw new AppError('NAME_TAKEN', taken.length === 1 ? `A secret named "${taken[0]}" already exists.` : `These names are taken: ${taken.join(', ')}.`);
  }

  private checkFitsManager(scope: UsageScope, managerId: string): void {
    const manager = this.catalog.managerScope(managerId);
    // An unscoped manager holds anything; skip building the environment index.
    if (manager.scope.scoped && !scopeWithin(scope, manager.scope, this.catalog.environmentIndex())) {
      throw new AppError(
        'INVALID_REQUEST',
        `This scope is wider than the scope of the manager "${manager.name}". Narrow it to fit inside the manager's scope.`,
      );
    }
  }

  async create(request: ParsedRequest<'secrets.create'>): Promise<SecretSummary> {
    const [created] = await this.createMany({
      items: [{ name: request.name, description: request.description, type: request.type, metadata: request.metadata, scope: request.scope }],
      sealedValues: request.sealedValue,
      managerId: request.managerId,
      adopt: request.adopt,
    });
    return created!;
  }

  async createMany(request: {
    items: { name: string; description?: string | undefined; type?: SecretType; metadata?: Record<string, unknown>; scope?: UsageScope | undefined }[];
    sealedValues: SealedMessage;
    managerId?: string | undefined;
    /** Secret stores: write on top of a remote secret of the same name that Strongroom did not create. */
    adopt?: boolean;
  }): Promise<SecretSummary[]> {
    this.vault.requireUnlocked();
    const names = request.items.map((item) => item.name);
    try {
      this.assertNamesFree(names);
    } catch (error) {
      this.record('secret.create', names.join(', ').slice(0, 200), 'failure', 'name taken');
      throw error;
    }
    const manager = this.writableManager(request.managerId ?? this.managers.defaultManagerId());
    const items = request.items.map((item) => {
      const type = item.type ?? 'text';
      const scope = item.scope?.scoped ? { ...item.scope, entries: this.catalog.validateEntries(item.scope.entries) } : (item.scope ?? UNSCOPED);
      this.checkFitsManager(scope, manager.id);
      const metadata = parseMetadata(type, item.metadata);
      return { ...item, type, metadata, scope };
    });
    for (const item of items) await this.checkSigner(item.type, item.metadata);
    const remote = manager.role === 'secret-store';
    const targets = items.map((item) => ({
      name: item.name,
      metadata: item.metadata,
      address: { secretId: randomUUID(), version: 1, type: item.type, managerId: manager.id } satisfies SecretAddress,
      ...(remote ? { remoteName: item.name, remoteMode: request.adopt ? ('overwrite' as const) : ('create' as const) } : {}),
    }));
    const planned: PlannedWrite[] = remote
      ? targets.map((target) => ({ secretId: target.address.secretId, remoteName: target.name, mode: request.adopt ? 'adopt' : 'create' }))
      : [];
    const now = new Date().toISOString();
    const seals = await this.rows.seal(
      targets.map((target, i) =>
        this.rows.created({
          id: target.address.secretId,
          name: target.name,
          type: target.address.type,
          managerId: manager.id,
          currentVersion: 1,
          reference: null,
          remoteName: remote ? target.name : null,
          ...scopeFields(items[i]!.scope),
        }),
      ),
    );
    try {
      await this.writeValues(
        manager,
        (context) =>
          this.delegate.request(
            { op: 'secrets.encrypt', sealed: request.sealedValues, binding: sealBindings.secretCreate(names), targets, ...context },
            manager.id === LOCAL_MANAGER_ID ? undefined : MANAGER_TIMEOUT_MS,
          ),
        ({ versions }) =>
          inTransaction(this.db, () => {
            const insertSecret = prepared(
              this.db,
              'INSERT INTO secrets (id, name, description, type, metadata, manager_id, current_version, created_at, updated_at, remote_name) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)',
            );
            targets.forEach((target, i) => {
              const item = items[i]!;
              insertSecret.run(
                target.address.secretId,
                target.name,
                item.description ?? null,
                item.type,
                JSON.stringify(item.metadata),
                manager.id,
                now,
                now,
                remote ? target.name : null,
              );
              this.catalog.writeScope('secret', target.address.secretId, item.scope);
              this.insertVersion(target.address, versions[i]!, versions[i]!.facts, now);
            });
            this.rows.store(seals);
            const where = manager.id === LOCAL_MANAGER_ID ? null : `in ${manager.name}${remote && request.adopt ? ', adopting the remote secret already there' : ''}`;
            for (const target of targets)
              this.record(
                'secret.create',
                target.name,
                'success',
                [target.address.type === 'text' ? null : target.address.type, where].filter(Boolean).join(' ') || null,
              );
          }),
        planned,
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('NAME_TAKEN', 'A secret with one of these names was created meanwhile.');
      throw error;
    }
    await this.sealAudit();
    return this.summaries(targets.map((target) => this.byId(target.address.secretId)));
  }

  /**
   * A reference to a secret that already exists in a secret store. It is read
   * once now, to check it; its value is never stored here, and deleting the
   * reference never deletes the remote secret.
   */
  async createReference(request: ParsedRequest<'secrets.createReference'>): Promise<SecretSummary> {
    this.vault.requireUnlocked();
    this.assertNamesFree([request.name]);
    const manager = this.managers.info(request.managerId);
    if (manager.role !== 'secret-store') {
      throw new AppError(
        'INVALID_REQUEST',
        `"${manager.name}" cannot hold references: references point into a secret store (${kindLabels((spec) => spec.role === 'secret-store')}). Key managers and the built-in store keep the values themselves.`,
        { issues: [{ path: 'managerId', message: 'Choose a secret store' }] },
      );
    }
    const scope = request.scope?.scoped ? { ...request.scope, entries: this.catalog.validateEntries(request.scope.entries) } : (request.scope ?? UNSCOPED);
    this.checkFitsManager(scope, manager.id);
    const { versionId } = await this.delegate.request(
      { op: 'secrets.checkReference', manager: this.managers.context(manager.id)!, reference: request.reference },
      MANAGER_TIMEOUT_MS,
    );
    const id = randomUUID();
    const now = new Date().toISOString();
    const seals = await this.rows.seal([
      this.rows.created({ id, name: request.name, type: 'text', managerId: manager.id, currentVersion: 1, reference: request.reference, remoteName: null, ...scopeFields(scope) }),
    ]);
    const keyringVersion = (prepared(this.db, 'SELECT MAX(version) AS v FROM keyring').get() as { v: number }).v;
    try {
      inTransaction(this.db, () => {
        prepared(
          this.db,
          "INSERT INTO secrets (id, name, description, type, metadata, manager_id, current_version, created_at, updated_at, reference) VALUES (?, ?, ?, 'text', '{}', ?, 1, ?, ?, ?)",
        ).run(id, request.name, request.description ?? null, manager.id, now, now, request.reference);
        this.catalog.writeScope('secret', id, scope);
        // No version id: a reference reads whatever the store holds now (or the version the reference itself names).
        this.insertVersion(
          { secretId: id, version: 1, type: 'text', managerId: manager.id },
          { ciphertext: '', wrappedKey: '', keyringVersion, remote: { reference: request.reference, versionId: null } },
          {},
          now,
        );
        this.rows.store(seals);
        this.record(
          'secret.create',
          request.name,
          'success',
          `reference to ${request.reference} in ${manager.name} (version ${versionId} when checked)`.slice(0, 500),
        );
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('NAME_TAKEN', `A secret named "${request.name}" already exists.`);
      throw error;
    }
    await this.sealAudit();
    return this.get(id);
  }

  private insertVersion(address: SecretAddress, encrypted: EncryptedVersion, facts: SecretFacts, now: string): void {
    prepared(
      this.db,
      `INSERT INTO secret_versions (secret_id, version, ciphertext, wrapped_key, keyring_version, created_at, created_by, facts, intermediate_key_id, remote_reference, remote_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      address.secretId,
      address.version,
      encrypted.ciphertext,
      encrypted.wrappedKey,
      encrypted.keyringVersion,
      now,
      this.actor,
      JSON.stringify(facts),
      encrypted.intermediateKeyId ?? null,
      encrypted.remote?.reference ?? null,
      encrypted.remote?.versionId ?? null,
    );
  }

  /** Drops the oldest versions beyond the retention setting; the current version always stays. */
  private pruneVersions(secretId: string, currentVersion: number): void {
    const keep = this.vault.settings().versionRetention;
    prepared(this.db, 'DELETE FROM secret_versions WHERE secret_id = ? AND version <= ? AND version <> ?').run(secretId, currentVersion - keep, currentVersion);
  }

  storedVersion(row: SecretRow, version = row.current_version): Stored {
    const stored = prepared(
      this.db,
      'SELECT ciphertext, wrapped_key, keyring_version, intermediate_key_id, remote_reference, remote_version FROM secret_versions WHERE secret_id = ? AND version = ?',
    ).get(row.id, version) as Parameters<typeof encryptedOf>[0] | undefined;
    if (!stored) {
      if (version !== row.current_version)
        throw new AppError('NOT_FOUND', `Secret "${row.name}" has no version ${version} (it may have been pruned by the retention setting).`);
      throw new AppError('TAMPERED', `Secret "${row.name}" has no stored value for version ${version}.`);
    }
    return { address: { secretId: row.id, version, type: row.type, managerId: row.manager_id }, encrypted: encryptedOf(stored) };
  }

  scopeOf(row: SecretRow): UsageScope {
    return { scoped: row.scoped === 1, scopeToAccount: row.scope_to_account === 1, entries: this.catalog.readScopes('secret', [row.id]).get(row.id) ?? [] };
  }

  /**
   * The one enforcement point of usage scopes: may this consumer (or, with
   * null, an account-level user such as the CLI without --app/--env) use this
   * secret? Checks the secret's scope and its manager's, and audits the answer.
   */
  /** Checks the secret's scope for `consumer` and audits the check under `actor` (a connection test names itself). */
  resolve(row: SecretRow, consumer: Consumer | null, actor = this.actor): void {
    const context = consumer ? `${consumer.application}/${consumer.environment}` : 'account level';
    let allowed = false;
    let reason = '';
    try {
      const resolved = consumer ? this.catalog.resolveConsumer(consumer) : null;
      const manager = this.catalog.managerScope(row.manager_id);
      allowed = scopeAllows(this.scopeOf(row), resolved) && scopeAllows(manager.scope, resolved);
      reason = allowed
        ? ''
        : `Secret "${row.name}" is not in scope for ${consumer ? `application "${consumer.application}", environment "${consumer.environment}"` : 'use outside an application (give --app and --env)'}.`;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      reason = error.message;
    }
    this.record('secret.resolve', row.name, allowed ? 'success' : 'failure', `consumer ${context}`, actor);
    if (!allowed) throw new AppError('SCOPE_DENIED', reason);
  }

  async reveal(request: ParsedRequest<'secrets.reveal'>, enforceScope: boolean): Promise<{ sealed: SealedMessage }> {
    this.vault.requireUnlocked();
    const row = this.byId(request.id);
    const action = request.purpose === 'copy' ? 'secret.copy' : request.purpose === 'download' ? 'secret.download' : 'secret.reveal';
    try {
      await this.rows.check([row.id]);
      if (enforceScope || request.consumer) this.resolve(row, request.consumer ?? null);
      this.refuseOldVersion(row, request.version ?? row.current_version, 'read');
      const items = [this.storedVersion(row, request.version ?? row.current_version)];
      const result = await this.delegate.request(
        { op: 'secrets.reveal', recipientPublicKey: request.recipientPublicKey, items, ...this.dependencies(items) },
        row.manager_id === LOCAL_MANAGER_ID ? undefined : MANAGER_TIMEOUT_MS,
      );
      this.record(action, row.name, 'success', `version ${request.version ?? row.current_version}`);
      return result;
    } catch (error) {
      this.record(action, row.name, 'failure', error instanceof Error ? error.message.slice(0, 200) : null);
      throw error;
    } finally {
      await this.sealAudit();
    }
  }

  async revealMany(request: ParsedRequest<'secrets.revealMany'>): Promise<{ sealed: SealedMessage }> {
    this.vault.requireUnlocked();
    const rows = request.ids.map((id) => this.byId(id));
    await this.rows.check(rows.map((row) => row.id));
    const items = rows.map((row) => this.storedVersion(row));
    const dependencies = this.dependencies(items);
    const result = await this.delegate.request(
      { op: 'secrets.reveal', recipientPublicKey: request.recipientPublicKey, items, ...dependencies },
      dependencies.managers.length ? MANAGER_TIMEOUT_MS : undefined,
    );
    inTransaction(this.db, () => rows.forEach((row) => this.record('secret.reveal', row.name, 'success', `version ${row.current_version}`)));
    await this.sealAudit();
    return result;
  }

  versions(id: string): SecretVersion[] {
    this.vault.requireUnlocked();
    const row = this.byId(id);
    const rows = prepared(
      this.db,
      'SELECT version, keyring_version, facts, created_at, created_by, remote_version FROM secret_versions WHERE secret_id = ? ORDER BY version DESC',
    ).all(id) as VersionRow[];
    // A store without versions holds only the current value: older entries here would promise values that are gone.
    const shown = row.remote_name !== null && !this.managers.info(row.manager_id).keepsVersions ? rows.filter((version) => version.version === row.current_version) : rows;
    return shown.map((version) => ({
      version: version.version,
      createdAt: version.created_at,
      createdBy: version.created_by,
      keyringVersion: version.keyring_version,
      facts: JSON.parse(version.facts) as SecretFacts,
      current: version.version === row.current_version,
      remoteVersionId: version.remote_version,
    }));
  }

  /** Writes a new current version; the caller supplies its ciphertext. */
  /**
   * Writes a secret's next version where its manager keeps values (over its own remote secret in a secret
   * store, within the manager timeout) and commits it with the row: an update's new value and a rollback's
   * old one alike.
   */
  private writeNextVersion<T extends { versions: EncryptedVersion[] }>(
    manager: ManagerInfo,
    row: SecretRow,
    send: (
      context: { manager?: ManagerContext; intermediateKey?: IntermediateKeyRecord | null },
      remote: { remoteName?: string; remoteMode?: 'overwrite' },
      timeoutMs: number | undefined,
    ) => Promise<T & { intermediateKeys: IntermediateKeyRecord[] }>,
    commit: (written: T['versions'][number]) => void,
  ): Promise<void> {
    const remote = manager.role === 'secret-store' ? { remoteName: row.remote_name ?? row.name, remoteMode: 'overwrite' as const } : {};
    const timeoutMs = manager.id === LOCAL_MANAGER_ID ? undefined : MANAGER_TIMEOUT_MS;
    return this.writeValues(manager, (context) => send(context, remote, timeoutMs), ({ versions }) => commit(versions[0]!), this.plannedOverwrite(manager, row));
  }

  private commitNewVersion(
    row: SecretRow,
    address: SecretAddress,
    encrypted: EncryptedVersion,
    facts: SecretFacts,
    changes: { name?: string; description?: string | null; metadata?: Record<string, unknown> },
    detail: string,
    action: 'secret.update' | 'secret.rollback',
    seals: RowSeal[],
  ) {
    const now = new Date().toISOString();
    try {
      inTransaction(this.db, () => {
        // Guard against a concurrent change: the version we encrypted for must still be next, in the same manager (a migration may have moved it).
        const latest = this.byId(row.id);
        if (latest.current_version !== row.current_version || latest.manager_id !== row.manager_id) {
          throw new AppError('INVALID_REQUEST', 'The secret was changed meanwhile. Reload it and try again.');
        }
        this.insertVersion(address, encrypted, facts, now);
        prepared(this.db, 'UPDATE secrets SET name = ?, description = ?, metadata = ?, current_version = ?, updated_at = ? WHERE id = ?').run(
          changes.name ?? row.name,
          changes.description === undefined ? row.description : changes.description,
          changes.metadata ? JSON.stringify(changes.metadata) : row.metadata,
          address.version,
          now,
          row.id,
        );
        this.pruneVersions(row.id, address.version);
        this.rows.store(seals);
        this.record(action, changes.name ?? row.name, 'success', detail);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('NAME_TAKEN', `A secret named "${changes.name}" already exists.`);
      throw error;
    }
  }

  async update(request: ParsedRequest<'secrets.update'>): Promise<SecretSummary> {
    this.vault.requireUnlocked();
    const row = this.byId(request.id);
    const changes: string[] = [];
    if (request.name !== undefined && request.name !== row.name) {
      if (request.name.toLowerCase() !== row.name.toLowerCase()) this.assertNamesFree([request.name]);
      changes.push(`renamed from "${row.name}" to "${request.name}"`);
    }
    if (request.description !== undefined && request.description !== row.description) changes.push('description');
    const metadata = request.metadata ? parseMetadata(row.type, request.metadata) : undefined;
    if (metadata && !request.sealedValue) {
      throw new AppError('INVALID_REQUEST', 'Changing these fields needs the secret fields too, so they can be checked together.', {
        issues: [{ path: 'sealedValue', message: 'Required when fields change' }],
      });
    }
    if (request.sealedValue) {
      this.refuseReference(row, 'Its value');
      const manager = this.writableManager(row.manager_id);
      if (metadata) await this.checkSigner(row.type, metadata);
      const address: SecretAddress = { secretId: row.id, version: row.current_version + 1, type: row.type, managerId: row.manager_id };
      changes.push(`value (version ${address.version})`);
      const seals = await this.rows.seal([this.rows.planned(row.id, { name: request.name ?? row.name, currentVersion: address.version })]);
      await this.writeNextVersion(
        manager,
        row,
        (context, remote, timeoutMs) =>
          this.delegate.request(
            {
              op: 'secrets.encrypt',
              sealed: request.sealedValue!,
              binding: sealBindings.secretUpdate(row.id),
              targets: [{ address, name: row.name, metadata: metadata ?? (JSON.parse(row.metadata) as Record<string, unknown>), ...remote }],
              ...context,
            },
            timeoutMs,
          ),
        (written) =>
          this.commitNewVersion(row, address, written, written.facts, { name: request.name, description: request.description, metadata }, changes.join('; '), 'secret.update', seals),
      );
    } else {
      const seals = await this.rows.seal([this.rows.planned(row.id, { name: request.name ?? row.name })]);
      try {
        inTransaction(this.db, () => {
          prepared(this.db, 'UPDATE secrets SET name = ?, description = ?, updated_at = ? WHERE id = ?').run(
            request.name ?? row.name,
            request.description === undefined ? row.description : request.description,
            changes.length ? new Date().toISOString() : row.updated_at,
            row.id,
          );
          this.rows.store(seals);
          this.record('secret.update', request.name ?? row.name, 'success', changes.join('; ') || 'no change');
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('NAME_TAKEN', `A secret named "${request.name}" already exists.`);
        throw error;
      }
    }
    await this.sealAudit();
    return this.get(row.id);
  }

  /** A rollback is a new version equal to an old one, re-encrypted for its new version number inside the delegate. */
  async rollback(id: string, toVersion: number): Promise<SecretSummary> {
    this.vault.requireUnlocked();
    const row = this.byId(id);
    this.refuseReference(row, 'Its versions');
    if (toVersion === row.current_version) throw new AppError('INVALID_REQUEST', `Version ${toVersion} is already the current version.`);
    this.refuseOldVersion(row, toVersion, 'rolled back to');
    const from = this.storedVersion(row, toVersion);
    const facts = (prepared(this.db, 'SELECT facts FROM secret_versions WHERE secret_id = ? AND version = ?').get(id, toVersion) as { facts: string }).facts;
    const address: SecretAddress = { ...from.address, version: row.current_version + 1 };
    const manager = this.writableManager(row.manager_id);
    const seals = await this.rows.seal([this.rows.planned(row.id, { currentVersion: address.version })]);
    const sources = this.dependencies([from]);
    await this.writeNextVersion(
      manager,
      row,
      (context, remote, timeoutMs) =>
        this.delegate.request(
          {
            op: 'secrets.reencrypt',
            items: [{ from, to: address, ...remote }],
            // The source and the target are in the same manager.
            managers: context.manager ? [context.manager] : sources.managers,
            intermediateKeys: sources.intermediateKeys,
            ...(context.intermediateKey !== undefined ? { intermediateKey: context.intermediateKey } : {}),
          },
          timeoutMs,
        ),
      (written) =>
        this.commitNewVersion(
          row,
          address,
          written,
          rollbackFacts(JSON.parse(facts) as SecretFacts, toVersion),
          {},
          `version ${address.version} restores version ${toVersion}`,
          'secret.rollback',
          seals,
        ),
    );
    await this.sealAudit();
    return this.get(id);
  }

  async setScope(id: string, scope: UsageScope): Promise<SecretSummary> {
    this.vault.requireUnlocked();
    const row = this.byId(id);
    const normalized = { ...scope, entries: this.catalog.validateEntries(scope.entries) };
    this.checkFitsManager(normalized, row.manager_id);
    await this.writeScopes([{ row, scope: normalized }]);
    return this.get(id);
  }

  /**
   * A batch of a bulk scope edit, in one transaction: each secret's new scope from `scopeFor` (its current
   * scope in, null for no change). Secrets whose new scope does not fit their manager are left as they were
   * and named with the reason; so are ids deleted meanwhile.
   */
  async setScopes(
    ids: string[],
    scopeFor: (current: UsageScope) => UsageScope | null,
  ): Promise<{ changed: number; unchanged: number; failed: { name: string; reason: string }[] }> {
    this.vault.requireUnlocked();
    const failed: { name: string; reason: string }[] = [];
    const writes: { row: SecretRow; scope: UsageScope }[] = [];
    let unchanged = 0;
    for (const id of ids) {
      const row = prepared(this.db, 'SELECT rowid, * FROM secrets WHERE id = ?').get(id) as SecretRow | undefined;
      if (!row) {
        failed.push({ name: id, reason: 'it was deleted meanwhile' });
        continue;
      }
      const next = scopeFor(this.scopeOf(row));
      if (next === null) {
        unchanged += 1;
        continue;
      }
      try {
        const normalized = { ...next, entries: this.catalog.validateEntries(next.entries) };
        this.checkFitsManager(normalized, row.manager_id);
        writes.push({ row, scope: normalized });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        failed.push({ name: row.name, reason: error.message });
      }
    }
    await this.writeScopes(writes);
    return { changed: writes.length, unchanged, failed };
  }

  private async writeScopes(writes: { row: SecretRow; scope: UsageScope }[]): Promise<void> {
    if (writes.length === 0) return;
    const seals = await this.rows.seal(writes.map(({ row, scope }) => this.rows.planned(row.id, scopeFields(scope))));
    const now = new Date().toISOString();
    inTransaction(this.db, () => {
      for (const { row, scope } of writes) {
        this.catalog.writeScope('secret', row.id, scope);
        prepared(this.db, 'UPDATE secrets SET updated_at = ? WHERE id = ?').run(now, row.id);
      }
      this.rows.store(seals);
      for (const { row, scope } of writes) {
        this.record('secret.scope', row.name, 'success', scope.scoped ? `${scope.entries.length} entries${scope.scopeToAccount ? ', account' : ''}` : 'unscoped');
      }
    });
    await this.sealAudit();
  }

  private plannedOverwrite(manager: ManagerInfo, row: SecretRow): PlannedWrite[] {
    return manager.role === 'secret-store' ? [{ secretId: row.id, remoteName: row.remote_name ?? row.name, mode: 'overwrite' }] : [];
  }

  /** A store that keeps no versions (Vault KV v1) has only its latest value: an older one can be neither read nor restored. */
  private refuseOldVersion(row: SecretRow, version: number, what: string): void {
    if (version === row.current_version || row.remote_name === null) return;
    const manager = this.managers.info(row.manager_id);
    if (manager.keepsVersions) return;
    throw new AppError(
      'INVALID_REQUEST',
      `"${row.name}" lives in ${manager.name}, which keeps no versions (Vault KV v1): only its current value exists, so version ${version} cannot be ${what}.`,
    );
  }

  private refuseReference(row: SecretRow, what: string): void {
    if (row.reference !== null) {
      throw new AppError(
        'INVALID_REQUEST',
        `"${row.name}" is a reference to ${row.reference}. ${what} live${what.endsWith('s') ? '' : 's'} in the remote store: change ${what.endsWith('s') ? 'them' : 'it'} there.`,
      );
    }
  }

  /**
   * Deletes a secret. In a secret store, only what Strongroom wrote goes
   * remotely (the journal knows which versions): the whole remote secret
   * when every version there is Strongroom's, else only its own versions
   * where the store can delete versions (Vault KV v2), else nothing. Nothing
   * remote is touched with `keepRemote`, for a read-only manager, or for a
   * reference.
   */
  async delete(id: string, options: { keepRemote?: boolean } = {}): Promise<void> {
    this.vault.requireUnlocked();
    const row = this.byId(id);
    // A swapped name must not make "delete A" delete B.
    await this.rows.check([row.id]);
    let detail = `${row.current_version} version(s) removed`;
    if (row.reference !== null) {
      detail = `reference removed; ${row.reference} left in place`;
    } else if (row.remote_name !== null) {
      const manager = this.managers.info(row.manager_id);
      const current = this.storedVersion(row);
      if (options.keepRemote) {
        detail += `; the remote value was left in ${manager.name} as asked`;
      } else if (manager.readOnly) {
        detail += `; the remote value was left in read-only manager ${manager.name}`;
      } else if (current.encrypted.remote) {
        const own = this.remoteWrites.owned(row.id, row.manager_id);
        const deletion = await this.delegate.request(
          {
            op: 'secrets.deleteRemote',
            manager: this.managers.context(manager.id)!,
            reference: current.encrypted.remote.reference,
            ownVersions: own.versions,
            created: own.created,
          },
          MANAGER_TIMEOUT_MS,
        );
        detail += `; ${manager.name}: ${deletion.detail}`;
      }
    }
    inTransaction(this.db, () => {
      prepared(this.db, "DELETE FROM scope_entries WHERE owner_kind = 'secret' AND owner_id = ?").run(id);
      prepared(this.db, 'DELETE FROM secrets WHERE id = ?').run(id);
      this.remoteWrites.forget(id);
      this.record('secret.delete', row.name, 'success', detail.slice(0, 1000));
    });
    await this.sealAudit();
  }
}

/** A rolled-back version keeps the facts of the value it restores, and says which version that was (the history shows "v3: rollback of v1"). */
export function rollbackFacts(restored: SecretFacts, toVersion: number): SecretFacts {
  const { restoresVersion: _earlier, ...facts } = restored;
  return { ...facts, restoresVersion: toVersion };
}
