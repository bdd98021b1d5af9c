/**
 * Applications, their environments, and the usage-scope entries attached
 * to secrets and managers (the managers themselves are ManagersService's). Deleting an application or an
 * environment removes the entries that named it and reports what that did;
 * the owners stay scoped, so their scope only ever narrows.
 */
import { randomUUID } from 'node:crypto';
import { inTransaction, prepared } from '../store/prepared.js';
import type { Database } from 'better-sqlite3';
import {
  type Application,
  type Consumer,
  type Environment,
  type EnvironmentType,
  type ScopeEntry,
  type ScopeRemovalReport,
  type UsageScope,
} from '../../../src-shared/contract.js';
import { AppError } from '../app-error.js';
import { normalizeEntries, type EnvironmentIndex, type KnownEnvironment, type ResolvedConsumer } from '../scope/usage-scope.js';

type OwnerKind = 'secret' | 'manager';

interface EntryRow {
  owner_id: string;
  application_id: string | null;
  environment_id: string | null;
  environment_type: EnvironmentType | null;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export class CatalogService {
  constructor(private readonly db: Database) {}

  environmentIndex(): EnvironmentIndex {
    const rows = prepared(this.db, 'SELECT id, application_id AS applicationId, type FROM environments').all() as KnownEnvironment[];
    return new Map(rows.map((row) => [row.id, row]));
  }

  listApplications(): Application[] {
    const apps = prepared(this.db, 'SELECT id, name FROM applications ORDER BY name COLLATE NOCASE').all() as { id: string; name: string }[];
    const envs = prepared(this.db, 'SELECT id, application_id, name, type FROM environments ORDER BY name COLLATE NOCASE').all() as {
      id: string;
      application_id: string;
      name: string;
      type: EnvironmentType;
    }[];
    return apps.map((app) => ({
      ...app,
      environments: envs.filter((env) => env.application_id === app.id).map(({ id, name, type }) => ({ id, name, type })),
    }));
  }

  private application(id: string): Application {
    const app = this.listApplications().find((candidate) => candidate.id === id);
    if (!app) throw new AppError('NOT_FOUND', 'No such application: it may have been deleted.');
    return app;
  }

  createApplication(name: string): Application {
    try {
      const id = randomUUID();
      prepared(this.db, 'INSERT INTO applications (id, name, created_at) VALUES (?, ?, ?)').run(id, name, new Date().toISOString());
      return this.application(id);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('NAME_TAKEN', `An application named "${name}" already exists.`);
      throw error;
    }
  }

  renameApplication(id: string, name: string): Application {
    this.application(id);
    try {
      prepared(this.db, 'UPDATE applications SET name = ? WHERE id = ?').run(name, id);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('NAME_TAKEN', `An application named "${name}" already exists.`);
      throw error;
    }
    return this.application(id);
  }

  private environment(id: string): Environment & { applicationId: string } {
    const row = prepared(this.db, 'SELECT id, application_id AS applicationId, name, type FROM environments WHERE id = ?').get(id) as
      (Environment & { applicationId: string }) | undefined;
    if (!row) throw new AppError('NOT_FOUND', 'No such environment: it may have been deleted.');
    return row;
  }

  createEnvironment(applicationId: string, name: string, type: EnvironmentType): Environment {
    const app = this.application(applicationId);
    try {
      const id = randomUUID();
      prepared(this.db, 'INSERT INTO environments (id, application_id, name, type, created_at) VALUES (?, ?, ?, ?, ?)').run(
        id,
        applicationId,
        name,
        type,
        new Date().toISOString(),
      );
      return { id, name, type };
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('NAME_TAKEN', `${app.name} already has an environment named "${name}".`);
      throw error;
    }
  }

  /**
   * Changing an environment's type changes which type-based entries cover it;
   * the caller must check that no secret ends up outside its manager's scope.
   */
  updateEnvironment(id: string, changes: { name?: string; type?: EnvironmentType }): Environment {
    const current = this.environment(id);
    try {
      prepared(this.db, 'UPDATE environments SET name = ?, type = ? WHERE id = ?').run(changes.name ?? current.name, changes.type ?? current.type, id);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('NAME_TAKEN', `This application already has an environment named "${changes.name}".`);
      throw error;
    }
    const { applicationId: _applicationId, ...environment } = this.environment(id);
    return environment;
  }

  /** Removes the entries that name an application or environment; reports the secrets that lost entries, and those left with none. */
  private removeEntries(column: 'application_id' | 'environment_id', id: string): ScopeRemovalReport {
    const owners = prepared(
      this.db,
      `SELECT DISTINCT s.id, s.name FROM scope_entries e JOIN secrets s ON s.id = e.owner_id WHERE e.owner_kind = 'secret' AND e.${column} = ? ORDER BY s.name COLLATE NOCASE`,
    ).all(id) as { id: string; name: string }[];
    prepared(this.db, `DELETE FROM scope_entries WHERE ${column} = ?`).run(id);
    const remaining = prepared(this.db, "SELECT COUNT(*) AS n FROM scope_entries WHERE owner_kind = 'secret' AND owner_id = ?");
    return {
      affectedSecrets: owners.map((owner) => owner.name),
      nowUnusable: owners.filter((owner) => (remaining.get(owner.id) as { n: number }).n === 0).map((owner) => owner.name),
    };
  }

  deleteApplication(id: string): { name: string; report: ScopeRemovalReport } {
    return this.deleteScopeOwner('applications', 'application_id', id, this.application(id).name);
  }

  deleteEnvironment(id: string): { name: string; report: ScopeRemovalReport } {
    return this.deleteScopeOwner('environments', 'environment_id', id, this.environment(id).name);
  }

  /** The scope entries naming an application or environment go with it, in one transaction. */
  private deleteScopeOwner(table: 'applications' | 'environments', column: 'application_id' | 'environment_id', id: string, name: string): { name: string; report: ScopeRemovalReport } {
    return inTransaction(this.db, () => {
      const report = this.removeEntries(column, id);
      prepared(this.db, `DELETE FROM ${table} WHERE id = ?`).run(id);
      return { name, report };
    });
  }

  /** Turns a consumer's names into ids; an unknown name is a typed error naming it. */
  resolveConsumer(consumer: Consumer): ResolvedConsumer {
    const app = prepared(this.db, 'SELECT id FROM applications WHERE name = ?').get(consumer.application) as { id: string } | undefined;
    if (!app) throw new AppError('NOT_FOUND', `No application named "${consumer.application}".`);
    const env = prepared(this.db, 'SELECT id, application_id AS applicationId, type FROM environments WHERE application_id = ? AND name = ?').get(
      app.id,
      consumer.environment,
    ) as KnownEnvironment | undefined;
    if (!env) throw new AppError('NOT_FOUND', `Application "${consumer.application}" has no environment named "${consumer.environment}".`);
    return { applicationId: app.id, environment: env };
  }

  readScopes(kind: OwnerKind, ids: string[]): Map<string, ScopeEntry[]> {
    const byOwner = new Map<string, ScopeEntry[]>(ids.map((id) => [id, []]));
    for (let i = 0; i < ids.length; i += 500) {
      const slice = ids.slice(i, i + 500);
      const rows = prepared(
        this.db,
        `SELECT owner_id, application_id, environment_id, environment_type FROM scope_entries WHERE owner_kind = ? AND owner_id IN (${slice.map(() => '?').join(',')})`,
      ).all(kind, ...slice) as EntryRow[];
      for (const row of rows) {
        byOwner.get(row.owner_id)?.push({ applicationId: row.application_id, environmentId: row.environment_id, environmentType: row.environment_type });
      }
    }
    return byOwner;
  }

  /** Checks that every id an entry names exists (and that an environment belongs to its application). */
  validateEntries(entries: ScopeEntry[]): ScopeEntry[] {
    const index = this.environmentIndex();
    const apps = new Set((prepared(this.db, 'SELECT id FROM applications').all() as { id: string }[]).map((row) => row.id));
    for (const entry of entries) {
      if (entry.applicationId !== null && !apps.has(entry.applicationId))
        throw new AppError('NOT_FOUND', 'A scope entry names an application that does not exist.');
      if (entry.environmentId !== null) {
        const env = index.get(entry.environmentId);
        if (!env) throw new AppError('NOT_FOUND', 'A scope entry names an environment that does not exist.');
        if (env.applicationId !== entry.applicationId) throw new AppError('INVALID_REQUEST', 'A scope entry names an environment of another application.');
      }
    }
    return normalizeEntries(entries, index);
  }

  /** Replaces an owner's scope. Runs inside the caller's transaction. */
  writeScope(kind: OwnerKind, ownerId: string, scope: UsageScope): void {
    const table = kind === 'secret' ? 'secrets' : 'managers';
    prepared(this.db, `UPDATE ${table} SET scoped = ?, scope_to_account = ? WHERE id = ?`).run(scope.scoped ? 1 : 0, scope.scopeToAccount ? 1 : 0, ownerId);
    prepared(this.db, 'DELETE FROM scope_entries WHERE owner_kind = ? AND owner_id = ?').run(kind, ownerId);
    if (!scope.scoped) return;
    const insert = prepared(
      this.db,
      'INSERT INTO scope_entries (owner_kind, owner_id, application_id, environment_id, environment_type) VALUES (?, ?, ?, ?, ?)',
    );
    for (const entry of scope.entries) insert.run(kind, ownerId, entry.applicationId, entry.environmentId, entry.environmentType);
  }

  /** A manager's name and scope, without counting its secrets: cheap enough to ask for every write. */
  managerScope(id: string): { name: string; scope: UsageScope } {
    const row = prepared(this.db, 'SELECT name, scoped, scope_to_account FROM managers WHERE id = ?').get(id) as
      { name: string; scoped: number; scope_to_account: number } | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No secret manager "${id}".`);
    if (row.scoped === 0) return { name: row.name, scope: { scoped: false, scopeToAccount: row.scope_to_account === 1, entries: [] } };
    return { name: row.name, scope: { scoped: true, scopeToAccount: row.scope_to_account === 1, entries: this.readScopes('manager', [id]).get(id) ?? [] } };
  }

}
