/**
 * Whole-store backups, encrypted under a passphrase chosen for the export.
 * Main streams stored ciphertext to the delegate in chunks; the delegate
 * decrypts each version and re-encrypts the chunk under the export key, so
 * main only ever handles ciphertext. Restoring goes the other way, into an
 * empty store, and everything restored is written in one transaction.
 *
 * Managers: values under a KMS manager are decrypted through KMS for the
 * backup, which then holds them like any other value; restored, they are
 * encrypted by the keyring (under the same manager when it exists here, in
 * the built-in store otherwise). Values in a secret store, and references,
 * are backed up as their reference only: the remote store keeps the value.
 * They come back when their manager exists in the restoring store, and are
 * skipped with the reason otherwise. Manager configurations (credentials)
 * are never in a backup.
 */
import { inTransaction, prepared } from '../store/prepared.js';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { environmentTypes, scopeEntrySchema, secretTypes, type Application, type RestoreReport, type SealedMessage } from '../../../src-shared/contract.js';
import { backupHeaderSchema, secretFactsSchema, type DelegateResult, type EncryptedVersion, type SecretAddress } from '../../../src-shared/delegate-protocol.js';
import { AppError } from '../app-error.js';
import { DelegateCallError, type DelegateSupervisor } from '../delegate/supervisor.js';
import type { AuditLog } from './audit-log.js';
import type { CatalogService } from './catalog-service.js';
import type { RunningOperation } from './operation-tracker.js';
import { scopeFields, tamperedError } from './row-integrity.js';
import { encryptedOf, type SecretRow, type SecretsService, type VersionRow } from './secrets-service.js';
import type { VaultService } from './vault-service.js';

/** Keeps each chunk well under the delegate's 64 MiB message limit, even with 10 MiB files. */
const CHUNK_CHARS = 12 * 1024 * 1024;
const CHUNK_RECORDS = 200;
/** A chunk that decrypts through KMS may wait on retried provider calls. */
const EXTERNAL_CHUNK_TIMEOUT_MS = 180_000;

/** What a backup file says about a secret: untrusted input until this schema says otherwise. */
const secretMetaSchema = z.strictObject({
  kind: z.literal('secret'),
  id: z.string().uuid(),
  name: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
  description: z.string().max(1000).nullable(),
  type: z.enum(secretTypes),
  metadata: z.record(z.string(), z.unknown()),
  managerId: z.string().max(64),
  currentVersion: z.number().int().min(1),
  scope: z.strictObject({ scoped: z.boolean(), scopeToAccount: z.boolean(), entries: z.array(scopeEntrySchema) }),
  createdAt: z.string(),
  updatedAt: z.string(),
  reference: z.string().max(2048).nullable().optional(),
  remoteName: z.string().max(128).nullable().optional(),
});
const versionMetaSchema = z.strictObject({
  version: z.number().int().min(1),
  createdAt: z.string(),
  createdBy: z.string().max(64),
  facts: secretFactsSchema,
  /** Secret-store versions: where the value lives. */
  remote: z.strictObject({ reference: z.string().max(2048), versionId: z.string().max(256).nullable() }).optional(),
});
const catalogMetaSchema = z.strictObject({
  kind: z.literal('catalog'),
  applications: z.array(
    z.strictObject({
      id: z.string().uuid(),
      name: z.string().max(64),
      environments: z.array(z.strictObject({ id: z.string().uuid(), name: z.string().max(64), type: z.enum(environmentTypes) })),
    }),
  ),
});

export class BackupService {
  constructor(
    private readonly db: Database,
    private readonly delegate: DelegateSupervisor,
    private readonly vault: VaultService,
    private readonly secrets: SecretsService,
    private readonly catalog: CatalogService,
    private readonly audit: AuditLog,
    private readonly actor: string,
  ) {}

  /**
   * The whole store as one backup file's content. Progress counts secrets written into parts; a stop is
   * honoured before each part, and a stopped export returns nothing, so no partial file can be saved.
   */
  async export(sealedPassphrase: SealedMessage, progress?: RunningOperation): Promise<{ fileName: string; content: string; secrets: number }> {
    this.vault.requireUnlocked();
    // A forged row would be carried into the backup and come back authenticated by a restore.
    const [tampered] = await this.secrets.rows.tampered();
    if (tampered) throw tamperedError(tampered.name, tampered.problem);
    const rows = prepared(this.db, 'SELECT rowid, * FROM secrets ORDER BY rowid').all() as SecretRow[];
    progress?.report('exporting', 0, rows.length);
    const { header } = await this.delegate.request({ op: 'backup.exportBegin', sealed: sealedPassphrase });
    try {
      return await this.exportParts(header, rows, progress);
    } catch (error) {
      // Ends the delegate's export session, so its key does not wait for the next export; the line is dropped.
      if (error instanceof AppError && error.code === 'CANCELLED') await this.delegate.request({ op: 'backup.exportEnd', chunks: 0 }).catch(() => undefined);
      throw error;
    }
  }

  private async exportParts(
    header: DelegateResult<'backup.exportBegin'>['header'],
    rows: SecretRow[],
    progress: RunningOperation | undefined,
  ): Promise<{ fileName: string; content: string; secrets: number }> {
    const lines = [JSON.stringify(header)];
    let index = 0;
    let exported = 0;
    const flush = async (
      records: { meta: Record<string, unknown>; versions: { address: SecretAddress; encrypted: EncryptedVersion; meta: Record<string, unknown> }[] }[],
    ) => {
      progress?.throwIfStopped('The export was stopped. No file was written.');
      const dependencies = this.secrets.dependencies(records.flatMap((record) => record.versions));
      const { line } = await this.delegate.request(
        { op: 'backup.exportChunk', index, records, ...dependencies },
        dependencies.managers.length ? EXTERNAL_CHUNK_TIMEOUT_MS : undefined,
      );
      lines.push(line);
      index += 1;
      exported += records.filter((record) => record.meta.kind === 'secret').length;
      progress?.report('exporting', exported, rows.length);
    };
    await flush([{ meta: { kind: 'catalog', applications: this.catalog.listApplications() }, versions: [] }]);

    const versionsOf = prepared(this.db, 'SELECT * FROM secret_versions WHERE secret_id = ? ORDER BY version');
    let batch: Parameters<typeof flush>[0] = [];
    let batchChars = 0;
    for (const row of rows) {
      const versions = (versionsOf.all(row.id) as VersionRow[]).map((version) => {
        const encrypted = encryptedOf(version);
        return {
          address: { secretId: row.id, version: version.version, type: row.type, managerId: row.manager_id },
          encrypted,
          meta: {
            version: version.version,
            createdAt: version.created_at,
            createdBy: version.created_by,
            facts: JSON.parse(version.facts) as unknown,
            ...(encrypted.remote ? { remote: encrypted.remote } : {}),
          },
        };
      });
      const chars = versions.reduce((sum, version) => sum + version.encrypted.ciphertext.length, 0);
      if (batch.length > 0 && (batch.length >= CHUNK_RECORDS || batchChars + chars > CHUNK_CHARS)) {
        await flush(batch);
        batch = [];
        batchChars = 0;
      }
      batch.push({
        meta: {
          kind: 'secret',
          id: row.id,
          name: row.name,
          description: row.description,
          type: row.type,
          metadata: JSON.parse(row.metadata) as unknown,
          managerId: row.manager_id,
          currentVersion: row.current_version,
          scope: this.secrets.scopeOf(row),
          createdAt: row.created_at,
          updatedAt: row.updated_at,
          reference: row.reference,
          remoteName: row.remote_name,
        },
        versions,
      });
      batchChars += chars;
    }
    if (batch.length > 0) await flush(batch);
    progress?.throwIfStopped('The export was stopped. No file was written.');
    const { line } = await this.delegate.request({ op: 'backup.exportEnd', chunks: index });
    lines.push(line);
    this.audit.append({ actor: this.actor, action: 'backup.export', target: null, outcome: 'success', detail: `${rows.length} secrets` });
    await this.audit.sealPending();
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
    return { fileName: `strongroom-${stamp}.srbackup`, content: `${lines.join('\n')}\n`, secrets: rows.length };
  }

  /**
   * Restores into an empty store. Progress counts backup parts decrypted, which can be stopped between parts
   * (nothing is written until all are), then the one write transaction, which cannot.
   */
  async restore(sealedPassphrase: SealedMessage, content: string, progress?: RunningOperation): Promise<RestoreReport> {
    this.vault.requireUnlocked();
    const counts = prepared(this.db, 'SELECT (SELECT COUNT(*) FROM secrets) AS secrets, (SELECT COUNT(*) FROM applications) AS apps').get() as {
      secrets: number;
      apps: number;
    };
    if (counts.secrets > 0 || counts.apps > 0) {
      throw new AppError('INVALID_REQUEST', 'A backup can only be restored into an empty store: this one already has secrets or applications.');
    }
    const lines = content.split('\n').filter((line) => line.trim() !== '');
    let header;
    try {
      header = backupHeaderSchema.parse(JSON.parse(lines[0] ?? ''));
    } catch {
      throw new AppError('INVALID_REQUEST', 'This is not a Strongroom backup file (or it is from a newer version).');
    }
    if (lines.length < 3) throw new AppError('TAMPERED', 'The backup is cut short: it has no content.');
    try {
      await this.delegate.request({ op: 'backup.restoreBegin', sealed: sealedPassphrase, header });
    } catch (error) {
      if (error instanceof DelegateCallError && error.code === 'WRONG_PASSPHRASE') {
        this.audit.append({ actor: this.actor, action: 'backup.restore', target: null, outcome: 'failure', detail: 'wrong backup passphrase' });
        throw new AppError('WRONG_PASSPHRASE', 'Wrong passphrase for this backup. Nothing was restored.');
      }
      throw error;
    }
    const chunkLines = lines.slice(1, -1);
    const managers = new Set((prepared(this.db, 'SELECT id FROM managers').all() as { id: string }[]).map((row) => row.id));
    const records: DelegateResult<'backup.restoreChunk'>['records'] = [];
    progress?.report('decrypting', 0, chunkLines.length);
    for (const [index, line] of chunkLines.entries()) {
      progress?.throwIfStopped('The restore was stopped before anything was written. The store is still empty.');
      const { records: chunk } = await this.delegate.request({ op: 'backup.restoreChunk', index, line, managerIds: [...managers] });
      records.push(...chunk);
      progress?.report('decrypting', index + 1, chunkLines.length);
    }
    progress?.throwIfStopped('The restore was stopped before anything was written. The store is still empty.');
    const secretRecords = records.filter((record) => record.meta.kind !== 'catalog').length;
    progress?.report('writing', 0, secretRecords, false);
    await this.delegate.request({ op: 'backup.restoreEnd', chunks: chunkLines.length, line: lines[lines.length - 1]! });

    // Each restored row is sealed as it will be written; RowIntegrity.store checks that it was.
    const seals = await this.secrets.rows.seal(
      records.flatMap((record) => {
        const parsed = record.meta.kind === 'catalog' ? null : secretMetaSchema.safeParse(record.meta);
        if (!parsed?.success) return [];
        const secret = parsed.data;
        const managerId = record.versions[0]?.address.managerId ?? secret.managerId;
        if (!managers.has(managerId)) return [];
        const own = managerId === secret.managerId;
        return [
          this.secrets.rows.created({
            id: secret.id,
            name: secret.name,
            type: secret.type,
            managerId,
            currentVersion: secret.currentVersion,
            reference: own ? (secret.reference ?? null) : null,
            remoteName: own ? (secret.remoteName ?? null) : null,
            ...scopeFields(secret.scope),
          }),
        ];
      }),
    );
    const report: RestoreReport = { secrets: 0, versions: 0, applications: 0, environments: 0, skipped: [] };
    const moved: string[] = [];
    inTransaction(this.db, () => {
      for (const record of records) {
        if (record.meta.kind === 'catalog') {
          const catalog = catalogMetaSchema.parse(record.meta);
          this.insertCatalog(catalog.applications, report);
          continue;
        }
        const parsed = secretMetaSchema.safeParse(record.meta);
        if (!parsed.success) {
          report.skipped.push({ name: String(record.meta.name ?? '?'), reason: 'its description in the backup is not valid' });
          continue;
        }
        const secret = parsed.data;
        // The delegate restored values of a manager missing here into the built-in store; remote values it cannot move.
        const managerId = record.versions[0]?.address.managerId ?? secret.managerId;
        if (!managers.has(managerId)) {
          report.skipped.push({
            name: secret.name,
            reason: `its value lives in a secret store (manager "${secret.managerId}") that does not exist in this store; add the manager, then create the secret again or as a reference`,
          });
          continue;
        }
        if (record.versions.some((version) => version.address.managerId !== managerId))
          throw new AppError('TAMPERED', `The backup's versions of "${secret.name}" do not match.`);
        if (managerId !== secret.managerId) moved.push(secret.name);
        prepared(
          this.db,
          'INSERT INTO secrets (id, name, description, type, metadata, manager_id, current_version, created_at, updated_at, reference, remote_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(
          secret.id,
          secret.name,
          secret.description,
          secret.type,
          JSON.stringify(secret.metadata),
          managerId,
          secret.currentVersion,
          secret.createdAt,
          secret.updatedAt,
          managerId === secret.managerId ? (secret.reference ?? null) : null,
          managerId === secret.managerId ? (secret.remoteName ?? null) : null,
        );
        this.catalog.writeScope('secret', secret.id, secret.scope);
        for (const version of record.versions) {
          const meta = versionMetaSchema.parse(version.meta);
          if (version.address.secretId !== secret.id || version.address.version !== meta.version)
            throw new AppError('TAMPERED', `The backup's versions of "${secret.name}" do not match.`);
          prepared(
            this.db,
            `INSERT INTO secret_versions (secret_id, version, ciphertext, wrapped_key, keyring_version, created_at, created_by, facts, remote_reference, remote_version)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            secret.id,
            meta.version,
            version.encrypted.ciphertext,
            version.encrypted.wrappedKey,
            version.encrypted.keyringVersion,
            meta.createdAt,
            meta.createdBy,
            JSON.stringify(meta.facts),
            version.encrypted.remote?.reference ?? null,
            version.encrypted.remote?.versionId ?? null,
          );
          report.versions += 1;
        }
        report.secrets += 1;
      }
      this.secrets.rows.store(seals);
      if (moved.length > 0) report.movedToBuiltIn = moved;
      this.audit.append({
        actor: this.actor,
        action: 'backup.restore',
        target: null,
        outcome: 'success',
        detail: `${report.secrets} secrets, ${report.versions} versions, ${report.applications} applications; ${report.skipped.length} skipped${moved.length ? `; ${moved.length} moved to the built-in store` : ''}`,
      });
    });
    await this.audit.sealPending();
    progress?.report('writing', secretRecords, secretRecords, false);
    return report;
  }

  private insertCatalog(applications: Application[], report: RestoreReport): void {
    const now = new Date().toISOString();
    for (const app of applications) {
      prepared(this.db, 'INSERT INTO applications (id, name, created_at) VALUES (?, ?, ?)').run(app.id, app.name, now);
      report.applications += 1;
      for (const env of app.environments) {
        prepared(this.db, 'INSERT INTO environments (id, application_id, name, type, created_at) VALUES (?, ?, ?, ?, ?)').run(
          env.id,
          app.id,
          env.name,
          env.type,
          now,
        );
        report.environments += 1;
      }
    }
  }
}
