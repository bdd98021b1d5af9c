/**
 * Secret managers as main sees them: their usage scope and the rule that a
 * secret's scope fits inside its manager's. When a manager's scope shrinks
 * below its secrets' scopes, the caller chooses: narrow the secrets too, or
 * get SCOPE_CONFLICT naming them and change nothing.
 */
import { inTransaction, prepared } from '../store/prepared.js';
import type { Database } from 'better-sqlite3';
import type { ManagerSummary, UsageScope } from '../../ipc/contract.js';
import { AppError } from '../app-error.js';
import { narrowScope, scopeWithin } from '../scope/usage-scope.js';
import type { AuditLog } from './audit-log.js';
import type { CatalogService } from './catalog-service.js';

export class ManagersService {
  constructor(
    private readonly db: Database,
    private readonly catalog: CatalogService,
    private readonly audit: AuditLog,
    private readonly actor: string,
  ) {}

  /** Secrets of a manager whose scope would not fit inside `scope`. */
  private outside(managerId: string, scope: UsageScope): { id: string; name: string; scope: UsageScope }[] {
    const rows = prepared(this.db, 'SELECT id, name, scoped, scope_to_account FROM secrets WHERE manager_id = ? ORDER BY name COLLATE NOCASE').all(managerId) as {
      id: string;
      name: string;
      scoped: number;
      scope_to_account: number;
    }[];
    const entries = this.catalog.readScopes('secret', rows.map((row) => row.id));
    const index = this.catalog.environmentIndex();
    return rows
      .map((row) => ({ id: row.id, name: row.name, scope: { scoped: row.scoped === 1, scopeToAccount: row.scope_to_account === 1, entries: entries.get(row.id) ?? [] } }))
      .filter((secret) => !scopeWithin(secret.scope, scope, index));
  }

  setScope(id: string, scope: UsageScope, narrowSecrets: boolean): { manager: ManagerSummary; narrowed: string[] } {
    const manager = this.catalog.manager(id);
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
    inTransaction(this.db, () => {
        this.catalog.writeScope('manager', id, normalized);
        for (const secret of conflicts) {
          this.catalog.writeScope('secret', secret.id, narrowScope(secret.scope, normalized, index));
          this.audit.append({ actor: this.actor, action: 'secret.scope', target: secret.name, outcome: 'success', detail: `narrowed to fit manager "${manager.name}"` });
        }
        this.audit.append({
          actor: this.actor,
          action: 'manager.scope',
          target: manager.name,
          outcome: 'success',
          detail: normalized.scoped ? `${normalized.entries.length} entries; ${conflicts.length} secret(s) narrowed` : 'unscoped',
        });
      });
    return { manager: this.catalog.manager(id), narrowed: conflicts.map((secret) => secret.name) };
  }

  /** After an environment changes type, type-based manager entries may stop covering secrets that named it. */
  assertSecretsStillFit(): void {
    for (const manager of this.catalog.listManagers()) {
      const conflicts = this.outside(manager.id, manager.scope);
      if (conflicts.length > 0) {
        throw new AppError('SCOPE_CONFLICT', `This change would put ${conflicts.length} secret(s) outside the scope of manager "${manager.name}".`, {
          conflicts: conflicts.map((secret) => secret.name).slice(0, 1000),
        });
      }
    }
  }
}
