/**
 * Encrypted text secrets. Values arrive sealed for the delegate, which returns
 * ciphertext; main stores that and metadata only. Every change is one
 * transaction, written after the delegate has answered, so a crash at any
 * point leaves either the old or the new version, both readable.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { ChannelRequest, SealedMessage, SecretSummary } from '../../ipc/contract.js';
import { sealBindings, type EncryptedVersion, type SecretAddress } from '../../../src-delegate/protocol.js';
import { AppError } from '../app-error.js';
import type { DelegateSupervisor } from '../delegate/supervisor.js';
import type { AuditLog } from './audit-log.js';
import type { VaultService } from './vault-service.js';

/** The built-in random-key store. */
export const LOCAL_MANAGER_ID = 'local';

interface SecretRow {
  id: string;
  name: string;
  description: string | null;
  type: 'text';
  manager_id: string;
  current_version: number;
  created_at: string;
  updated_at: string;
}

interface VersionRow {
  ciphertext: string;
  wrapped_key: string;
  keyring_version: number;
}

function toSummary(row: SecretRow): SecretSummary {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    type: row.type,
    managerId: row.manager_id,
    version: row.current_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class SecretsService {
  constructor(
    private readonly db: Database,
    private readonly delegate: DelegateSupervisor,
    private readonly vault: VaultService,
    private readonly audit: AuditLog,
    private readonly actor: string,
  ) {}

  private record(action: Parameters<AuditLog['append']>[0]['action'], target: string | null, outcome: 'success' | 'failure', detail: string | null = null): void {
    this.audit.append({ actor: this.actor, action, target, outcome, detail });
  }

  private async sealAudit(): Promise<void> {
    await this.audit.sealPending();
  }

  list(request: { query: string; limit: number; offset: number }): { total: number; items: SecretSummary[] } {
    this.vault.requireUnlocked();
    const pattern = `%${escapeLike(request.query)}%`;
    const total = (this.db.prepare("SELECT COUNT(*) AS n FROM secrets WHERE name LIKE ? ESCAPE '\\'").get(pattern) as { n: number }).n;
    const rows = this.db
      .prepare("SELECT * FROM secrets WHERE name LIKE ? ESCAPE '\\' ORDER BY name COLLATE NOCASE LIMIT ? OFFSET ?")
      .all(pattern, request.limit, request.offset) as SecretRow[];
    return { total, items: rows.map(toSummary) };
  }

  private byId(id: string): SecretRow {
    const row = this.db.prepare('SELECT * FROM secrets WHERE id = ?').get(id) as SecretRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', 'No such secret: it may have been deleted.');
    return row;
  }

  private assertNamesFree(names: string[]): void {
    const seen = new Set<string>();
    for (const name of names) {
      const key = name.toLowerCase();
      if (seen.has(key)) throw new AppError('NAME_TAKEN', `The name "${name}" appears twice in this batch.`);
      seen.add(key);
      if (this.db.prepare('SELECT 1 FROM secrets WHERE name = ?').get(name)) {
        throw new AppError('NAME_TAKEN', `A secret named "${name}" already exists.`);
      }
    }
  }

  async create(request: { name: string; description?: string; sealedValue: SealedMessage }): Promise<SecretSummary> {
    const [created] = await this.createMany({ items: [{ name: request.name, description: request.description }], sealedValues: request.sealedValue });
    return created!;
  }

  async createMany(request: { items: { name: string; description?: string | undefined }[]; sealedValues: SealedMessage }): Promise<SecretSummary[]> {
    this.vault.requireUnlocked();
    const names = request.items.map((item) => item.name);
    try {
      this.assertNamesFree(names);
    } catch (error) {
      this.record('secret.create', names.join(', ').slice(0, 200), 'failure', 'name taken');
      throw error;
    }
    const targets = request.items.map((item) => ({
      name: item.name,
      address: { secretId: randomUUID(), version: 1, type: 'text', managerId: LOCAL_MANAGER_ID } satisfies SecretAddress,
    }));
    const { versions } = await this.delegate.request({ op: 'secrets.encrypt', sealed: request.sealedValues, binding: sealBindings.secretCreate(names), targets });
    const now = new Date().toISOString();
    try {
      this.db
        .transaction(() => {
          const insertSecret = this.db.prepare(
            'INSERT INTO secrets (id, name, description, type, manager_id, current_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)',
          );
          targets.forEach((target, i) => {
            insertSecret.run(target.address.secretId, target.name, request.items[i]!.description ?? null, 'text', LOCAL_MANAGER_ID, now, now);
            this.insertVersion(target.address, versions[i]!, now);
          });
          for (const target of targets) this.record('secret.create', target.name, 'success');
        })
        .immediate();
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('NAME_TAKEN', 'A secret with one of these names was created meanwhile.');
      throw error;
    }
    await this.sealAudit();
    return targets.map((target) => toSummary(this.byId(target.address.secretId)));
  }

  private insertVersion(address: SecretAddress, encrypted: EncryptedVersion, now: string): void {
    this.db
      .prepare('INSERT INTO secret_versions (secret_id, version, ciphertext, wrapped_key, keyring_version, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(address.secretId, address.version, encrypted.ciphertext, encrypted.wrappedKey, encrypted.keyringVersion, now, this.actor);
  }

  private revealItem(row: SecretRow) {
    const version = this.db
      .prepare('SELECT ciphertext, wrapped_key, keyring_version FROM secret_versions WHERE secret_id = ? AND version = ?')
      .get(row.id, row.current_version) as VersionRow | undefined;
    if (!version) throw new AppError('TAMPERED', `Secret "${row.name}" has no stored value for version ${row.current_version}.`);
    return {
      address: { secretId: row.id, version: row.current_version, type: row.type, managerId: row.manager_id },
      encrypted: { ciphertext: version.ciphertext, wrappedKey: version.wrapped_key, keyringVersion: version.keyring_version },
    };
  }

  async reveal(request: ChannelRequest<'secrets.reveal'>): Promise<{ sealed: SealedMessage }> {
    this.vault.requireUnlocked();
    const row = this.byId(request.id);
    const action = request.purpose === 'copy' ? 'secret.copy' : 'secret.reveal';
    try {
      const result = await this.delegate.request({ op: 'secrets.reveal', recipientPublicKey: request.recipientPublicKey, items: [this.revealItem(row)] });
      this.record(action, row.name, 'success', `version ${row.current_version}`);
      return result;
    } catch (error) {
      this.record(action, row.name, 'failure', error instanceof Error ? error.message.slice(0, 200) : null);
      throw error;
    } finally {
      await this.sealAudit();
    }
  }

  async revealMany(request: ChannelRequest<'secrets.revealMany'>): Promise<{ sealed: SealedMessage }> {
    this.vault.requireUnlocked();
    const rows = request.ids.map((id) => this.byId(id));
    const result = await this.delegate.request({ op: 'secrets.reveal', recipientPublicKey: request.recipientPublicKey, items: rows.map((row) => this.revealItem(row)) });
    this.db.transaction(() => rows.forEach((row) => this.record('secret.reveal', row.name, 'success', `version ${row.current_version}`))).immediate();
    await this.sealAudit();
    return result;
  }

  async update(request: ChannelRequest<'secrets.update'>): Promise<SecretSummary> {
    this.vault.requireUnlocked();
    const row = this.byId(request.id);
    const changes: string[] = [];
    let encrypted: { address: SecretAddress; version: EncryptedVersion } | null = null;
    if (request.sealedValue) {
      const address: SecretAddress = { secretId: row.id, version: row.current_version + 1, type: row.type, managerId: row.manager_id };
      const { versions } = await this.delegate.request({
        op: 'secrets.encrypt',
        sealed: request.sealedValue,
        binding: sealBindings.secretUpdate(row.id),
        targets: [{ address }],
      });
      encrypted = { address, version: versions[0]! };
      changes.push(`value (version ${address.version})`);
    }
    if (request.name !== undefined && request.name !== row.name) {
      if (request.name.toLowerCase() !== row.name.toLowerCase()) this.assertNamesFree([request.name]);
      changes.push(`renamed from "${row.name}" to "${request.name}"`);
    }
    if (request.description !== undefined && request.description !== row.description) changes.push('description');
    const now = new Date().toISOString();
    try {
      this.db
        .transaction(() => {
          // Guard against a concurrent update: the version we encrypted for must still be next.
          const current = this.byId(row.id);
          if (encrypted && current.current_version !== row.current_version) {
            throw new AppError('INVALID_REQUEST', 'The secret was changed meanwhile. Reload it and try again.');
          }
          if (encrypted) this.insertVersion(encrypted.address, encrypted.version, now);
          this.db
            .prepare('UPDATE secrets SET name = ?, description = ?, current_version = ?, updated_at = ? WHERE id = ?')
            .run(
              request.name ?? row.name,
              request.description === undefined ? row.description : request.description,
              encrypted ? encrypted.address.version : row.current_version,
              changes.length > 0 ? now : row.updated_at,
              row.id,
            );
          this.record('secret.update', request.name ?? row.name, 'success', changes.join('; ') || 'no change');
        })
        .immediate();
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('NAME_TAKEN', `A secret named "${request.name}" already exists.`);
      throw error;
    }
    await this.sealAudit();
    return toSummary(this.byId(row.id));
  }

  async delete(id: string): Promise<void> {
    this.vault.requireUnlocked();
    const row = this.byId(id);
    this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM secrets WHERE id = ?').run(id);
        this.record('secret.delete', row.name, 'success', `${row.current_version} version(s) removed`);
      })
      .immediate();
    await this.sealAudit();
  }
}
