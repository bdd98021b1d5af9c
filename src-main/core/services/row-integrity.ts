/**
 * Authenticates the `secrets` rows. The fields that decide which value a
 * consumer gets (name, type, manager, current version, reference, remote
 * name, usage scope) and the length of the audit trail when the row was
 * written are MACed by the delegate (format.md 5.7); main keeps the MAC in
 * `secrets.row_mac`. A row whose MAC does not match is refused wherever its
 * value would be used, with an error naming the secret, and listed by
 * `audit verify`.
 *
 * Every write to those fields goes through two calls:
 *
 *   const seals = await rows.seal([rows.planned(id, { currentVersion: 4 })]);  // before the transaction
 *   inTransaction(db, () => { ...write the row...; rows.store(seals); });      // inside it
 *
 * `seal` first checks the row's current MAC (a tampered row is never blessed
 * by a later write); `store` re-reads the written row and refuses to commit if
 * it is not exactly what was sealed (a concurrent change, or a caller bug).
 */
import type { Database } from 'better-sqlite3';
import { canonicalJson, type SecretRowFields } from '../../../src-shared/delegate-protocol.js';
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../app-error.js';
import type { DelegateSupervisor } from '../delegate/supervisor.js';
import { inTransaction, prepared } from '../store/prepared.js';
import type { AuditLog } from './audit-log.js';
import type { UsageScope } from '../../../src-shared/contract.js';

export interface RowSeal {
  fields: SecretRowFields;
  mac: string;
}

/** A row that failed its check, and why. */
export interface TamperedRow {
  id: string;
  name: string;
  problem: string;
}

interface StoredRow {
  id: string;
  name: string;
  type: string;
  manager_id: string;
  current_version: number;
  reference: string | null;
  remote_name: string | null;
  scoped: number;
  scope_to_account: number;
  row_mac: string | null;
  audit_seq: number | null;
}

type Changes = Partial<Omit<SecretRowFields, 'id' | 'auditSeq'>>;

const BATCH = 1000;
/** Meta key: the audit entry that recorded the one-time authentication of rows from before schema 8. */
const AUTHENTICATED_KEY = 'rows.authenticated';

function macEquals(a: string, b: string): boolean {
  const x = Buffer.from(a, 'base64');
  const y = Buffer.from(b, 'base64');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function tamperedError(name: string, problem: string): AppError {
  return new AppError(
    'TAMPERED',
    `Secret "${name}" failed its integrity check (${problem}): its stored row was changed outside Strongroom, so it is not used. Restore it from a backup with "import" (strongroom-*.srbackup files, wherever you export them), or delete it and create it again.`,
  );
}

export class RowIntegrity {
  constructor(
    private readonly db: Database,
    private readonly delegate: DelegateSupervisor,
    private readonly audit: AuditLog,
  ) {}

  private read(id: string): StoredRow | undefined {
    return prepared(
      this.db,
      'SELECT id, name, type, manager_id, current_version, reference, remote_name, scoped, scope_to_account, row_mac, audit_seq FROM secrets WHERE id = ?',
    ).get(id) as StoredRow | undefined;
  }

  private fieldsOf(row: StoredRow, auditSeq: number): SecretRowFields {
    const entries = prepared(
      this.db,
      "SELECT application_id, environment_id, environment_type FROM scope_entries WHERE owner_kind = 'secret' AND owner_id = ?",
    ).all(row.id) as { application_id: string | null; environment_id: string | null; environment_type: string | null }[];
    return {
      id: row.id,
      name: row.name,
      type: row.type,
      managerId: row.manager_id,
      currentVersion: row.current_version,
      reference: row.reference,
      remoteName: row.remote_name,
      scoped: row.scoped === 1,
      scopeToAccount: row.scope_to_account === 1,
      scopeEntries: sortEntries(entries.map((entry) => ({ applicationId: entry.application_id, environmentId: entry.environment_id, environmentType: entry.environment_type }))),
      auditSeq,
    };
  }

  exists(id: string): boolean {
    return this.read(id) !== undefined;
  }

  /** What an existing row will be after a write that makes `changes`. */
  planned(id: string, changes: Changes = {}): SecretRowFields {
    const row = this.read(id);
    if (!row) throw new AppError('NOT_FOUND', 'No such secret: it may have been deleted.');
    return this.plannedFrom(this.fieldsOf(row, 0), changes);
  }

  /** The secrets whose scope names an application or environment about to be deleted, as they will be without those entries. */
  plannedWithoutEntriesNaming(kind: 'application' | 'environment', id: string): SecretRowFields[] {
    const column = kind === 'application' ? 'application_id' : 'environment_id';
    const owners = prepared(this.db, `SELECT DISTINCT owner_id FROM scope_entries WHERE owner_kind = 'secret' AND ${column} = ?`).all(id) as { owner_id: string }[];
    const field = kind === 'application' ? 'applicationId' : 'environmentId';
    return owners.map((owner) => {
      const planned = this.planned(owner.owner_id);
      return { ...planned, scopeEntries: planned.scopeEntries.filter((entry) => entry[field] !== id) };
    });
  }

  /** A row about to be inserted. */
  created(fields: Omit<SecretRowFields, 'auditSeq'>): SecretRowFields {
    return this.plannedFrom({ ...fields, auditSeq: 0 }, {});
  }

  private plannedFrom(fields: SecretRowFields, changes: Changes): SecretRowFields {
    const merged = { ...fields, ...changes, auditSeq: this.audit.length() };
    return { ...merged, scopeEntries: sortEntries(merged.scopeEntries) };
  }

  private async macs(rows: SecretRowFields[]): Promise<string[]> {
    const macs: string[] = [];
    for (let i = 0; i < rows.length; i += BATCH) macs.push(...(await this.delegate.request({ op: 'rows.mac', rows: rows.slice(i, i + BATCH) })).macs);
    return macs;
  }

  /** MACs rows as they will be written. Existing rows are checked first: a tampered row is refused, not re-sealed. */
  async seal(rows: SecretRowFields[]): Promise<RowSeal[]> {
    await this.check(rows.map((row) => row.id).filter((id) => this.exists(id)));
    const macs = await this.macs(rows);
    return rows.map((fields, i) => ({ fields, mac: macs[i]! }));
  }

  /** Inside the write transaction, after the rows are written: stores their MACs if each row is exactly what was sealed. */
  store(seals: RowSeal[]): void {
    const update = prepared(this.db, 'UPDATE secrets SET row_mac = ?, audit_seq = ? WHERE id = ?');
    for (const seal of seals) {
      const row = this.read(seal.fields.id);
      if (!row || canonicalJson(this.fieldsOf(row, seal.fields.auditSeq)) !== canonicalJson(seal.fields)) {
        throw new AppError('INVALID_REQUEST', `Secret "${seal.fields.name}" was changed meanwhile. Reload it and try again.`);
      }
      update.run(seal.mac, seal.fields.auditSeq, seal.fields.id);
    }
  }

  /** The rows among `ids` (all rows when omitted) whose MAC or trail length does not hold. */
  async tampered(ids?: string[]): Promise<TamperedRow[]> {
    const all = ids ?? (prepared(this.db, 'SELECT id FROM secrets ORDER BY name COLLATE NOCASE').all() as { id: string }[]).map((row) => row.id);
    const trailLength = this.audit.length();
    const found: TamperedRow[] = [];
    const toCheck: { row: StoredRow; fields: SecretRowFields }[] = [];
    for (const id of all) {
      const row = this.read(id);
      if (!row) continue;
      if (row.row_mac === null || row.audit_seq === null) found.push({ id, name: row.name, problem: 'it carries no integrity MAC' });
      else if (row.audit_seq > trailLength) found.push({ id, name: row.name, problem: `the audit trail has ${trailLength} entries, fewer than the ${row.audit_seq} there were when it was written` });
      else toCheck.push({ row, fields: this.fieldsOf(row, row.audit_seq) });
    }
    const macs = toCheck.length ? await this.macs(toCheck.map((item) => item.fields)) : [];
    toCheck.forEach(({ row }, i) => {
      if (!macEquals(macs[i]!, row.row_mac!)) {
        found.push({ id: row.id, name: row.name, problem: 'its name, version, type, manager, reference or scope does not match its MAC' });
      }
    });
    return found;
  }

  /** Throws TAMPERED, naming the first secret among `ids` that fails its check. */
  async check(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const [first] = await this.tampered(ids);
    if (first) throw tamperedError(first.name, first.problem);
  }

  /**
   * Once per store, at unlock: MACs the rows written before row MACs existed
   * and records it in the audit trail. After that, a row without a MAC is
   * tampered. The record is an audit entry, so removing it breaks the chain.
   */
  async authenticateExisting(actor: string): Promise<void> {
    if (this.authenticated()) return;
    const ids = (prepared(this.db, 'SELECT id FROM secrets WHERE row_mac IS NULL').all() as { id: string }[]).map((row) => row.id);
    const seals: RowSeal[] = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      const planned = ids.slice(i, i + BATCH).map((id) => this.planned(id));
      const macs = await this.macs(planned);
      seals.push(...planned.map((fields, j) => ({ fields, mac: macs[j]! })));
    }
    inTransaction(this.db, () => {
      this.store(seals);
      const seq = this.audit.append({ actor, action: 'secrets.authenticate', target: null, outcome: 'success', detail: `${seals.length} existing secret row(s) given an integrity MAC` });
      prepared(this.db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(AUTHENTICATED_KEY, JSON.stringify({ seq }));
    });
    await this.audit.sealPending();
  }

  private authenticated(): boolean {
    const recorded = prepared(this.db, 'SELECT value FROM meta WHERE key = ?').get(AUTHENTICATED_KEY) as { value: string } | undefined;
    const seq = recorded ? (JSON.parse(recorded.value) as { seq: number }).seq : null;
    if (seq !== null && prepared(this.db, "SELECT 1 FROM audit_log WHERE seq = ? AND action = 'secrets.authenticate'").get(seq)) return true;
    // The meta record is only a shortcut: the entry in the trail is what counts.
    return prepared(this.db, "SELECT 1 FROM audit_log WHERE action = 'secrets.authenticate' LIMIT 1").get() !== undefined;
  }

  /**
   * After an accepted break shortened the trail: rows whose MAC still holds
   * but that expect a longer trail are sealed again at the new length; any
   * other failure stays.
   */
  async reanchor(): Promise<void> {
    const length = this.audit.length();
    const ids = (prepared(this.db, 'SELECT id FROM secrets WHERE audit_seq > ?').all(length) as { id: string }[]).map((row) => row.id);
    const intact: SecretRowFields[] = [];
    const stored = ids.map((id) => this.read(id)!).filter((row) => row.row_mac !== null);
    const macs = stored.length ? await this.macs(stored.map((row) => this.fieldsOf(row, row.audit_seq!))) : [];
    stored.forEach((row, i) => {
      if (macEquals(macs[i]!, row.row_mac!)) intact.push(this.planned(row.id));
    });
    if (intact.length === 0) return;
    const newMacs = await this.macs(intact);
    inTransaction(this.db, () => this.store(intact.map((fields, i) => ({ fields, mac: newMacs[i]! }))));
  }
}

/** The scope fields of a row MAC: entries count only when the secret is scoped (writeScope stores none otherwise). */
export function scopeFields(scope: UsageScope): Pick<SecretRowFields, 'scoped' | 'scopeToAccount' | 'scopeEntries'> {
  return { scoped: scope.scoped, scopeToAccount: scope.scopeToAccount, scopeEntries: scope.scoped ? scope.entries : [] };
}

function sortEntries(entries: SecretRowFields['scopeEntries']): SecretRowFields['scopeEntries'] {
  const key = (entry: SecretRowFields['scopeEntries'][number]) => canonicalJson(entry);
  return [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
