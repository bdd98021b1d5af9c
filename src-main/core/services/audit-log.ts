/**
 * The audit trail: an append-only, hash-chained table whose links are MACed
 * by the delegate. Main computes each entry's hash over the previous hash and
 * the entry, so an edited or deleted row breaks the chain even without the
 * key. The delegate MACs every link and the head (the newest sealed entry),
 * so rewriting the whole chain or cutting its tail off is detected too.
 * Entries made while the store is locked are sealed at the next unlock.
 *
 * Before anything is appended or sealed, the tail is checked against the
 * recorded head (no key needed): a cut, a deleted head or a wiped trail
 * stops every write, so no later entry can paper over the gap. The break is
 * recorded in `meta` until `verify` finds the trail whole again or an
 * administrator accepts it, which writes an `audit.break` entry naming it.
 */
import { createHash } from 'node:crypto';
import { inTransaction, prepared } from '../store/prepared.js';
import type { Database } from 'better-sqlite3';
import { canonicalJson } from '../../../src-shared/delegate-protocol.js';
import type { AuditAction, AuditActorKind, AuditEntry } from '../../../src-shared/contract.js';
import { AppError } from '../app-error.js';
import type { DelegateSupervisor } from '../delegate/supervisor.js';
import { currentActor } from '../request-actor.js';

export interface AuditRecord {
  actor: string;
  action: AuditAction;
  target: string | null;
  outcome: 'success' | 'failure';
  detail: string | null;
}

interface AuditRow extends AuditRecord {
  seq: number;
  at: string;
  hash: string;
  mac: string | null;
}

interface AuditHead {
  seq: number;
  hash: string;
  mac: string;
}

/** A break found in the tail of the trail, kept until it is repaired or accepted. */
export interface AuditBreak {
  detectedAt: string;
  problem: string;
  firstBrokenSeq: number;
}

export interface AuditVerdict {
  intact: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  problem: string | null;
}

const HEAD_KEY = 'audit.head';
const BREAK_KEY = 'audit.break';

export interface AuditFilter {
  target?: string | undefined;
  actor?: AuditActorKind | undefined;
  action?: AuditAction | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

const actorConditions: Record<AuditActorKind, string> = {
  ui: "actor IN ('desktop', 'bridge')",
  cli: "(actor = 'cli' OR (actor LIKE 'cli:%' AND actor NOT LIKE '%/connection-test'))",
  'connection-test': "actor LIKE '%/connection-test'",
};

/** The WHERE clause of a filtered audit listing; every value is a bound parameter. */
function filterClause(filter: AuditFilter): { where: string; params: (string | number)[] } {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  if (filter.target) {
    conditions.push('instr(lower(target), ?) > 0');
    params.push(filter.target.toLowerCase());
  }
  if (filter.actor) conditions.push(actorConditions[filter.actor]);
  if (filter.action) {
    conditions.push('action = ?');
    params.push(filter.action);
  }
  // Stored instants are ISO strings in UTC, which sort as text; normalize the bounds the same way.
  if (filter.since) {
    conditions.push('at >= ?');
    params.push(new Date(filter.since).toISOString());
  }
  if (filter.until) {
    conditions.push('at < ?');
    params.push(new Date(filter.until).toISOString());
  }
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/**
 * Who an audit entry names (the format auditEntrySchema documents): the
 * desktop window, the browser UI over the bridge, or the CLI with its
 * process id, so two CLI runs can be told apart.
 */
export function auditActor(client: 'desktop' | 'bridge' | 'cli', pid: number): string {
  return client === 'cli' ? `cli:${pid}` : client;
}

/** The actor of what a connection test does on behalf of `actor`. */
export function connectionTestActor(actor: string): string {
  return `${actor}/connection-test`;
}
const BATCH = 1000;

/** What an entry says, without its hash and MAC: the chain hashes exactly this, and the list shows it. */
function entryBody(row: Omit<AuditRow, 'hash' | 'mac'>) {
  return { seq: row.seq, at: row.at, actor: row.actor, action: row.action, target: row.target, outcome: row.outcome, detail: row.detail };
}

export function chainHash(previousHash: string, row: Omit<AuditRow, 'hash' | 'mac'>): string {
  const body = canonicalJson(entryBody(row));
  return createHash('sha256').update(`${previousHash}\n${body}`).digest('base64');
}

export function auditBrokenError(problem: string): AppError {
  return new AppError(
    'AUDIT_BROKEN',
    `The audit trail is broken, so nothing was changed: ${problem} Run "strongroom audit verify" for details; once you have looked into it, "strongroom audit accept-break" records the break in the trail and lets Strongroom write again.`,
  );
}

export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly delegate: DelegateSupervisor,
  ) {}

  /** Appends one entry to the chain, unless its tail is broken. Sealing happens separately, when the delegate holds the key. */
  append(record: AuditRecord): number {
    return inTransaction(this.db, () => {
      const recorded = this.recordedBreak();
      if (recorded) throw auditBrokenError(recorded.problem);
      const problem = this.tailProblem();
      if (problem) throw auditBrokenError(problem.problem);
      return this.appendUnchecked(record);
    });
  }

  private appendUnchecked(record: AuditRecord): number {
    const last = this.lastRow();
    // A CLI served by a session agent is named with its pid, whatever the core's own actor.
    const row = { ...record, actor: currentActor(record.actor), seq: (last?.seq ?? 0) + 1, at: new Date().toISOString() };
    const hash = chainHash(last?.hash ?? '', row);
    prepared(this.db, 'INSERT INTO audit_log (seq, at, actor, action, target, outcome, detail, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      row.seq,
      row.at,
      row.actor,
      row.action,
      row.target,
      row.outcome,
      row.detail,
      hash,
    );
    return row.seq;
  }

  private lastRow(): { seq: number; hash: string } | undefined {
    return prepared(this.db, 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  }

  /** The length of the trail: the sequence number of its newest entry, 0 when empty. */
  length(): number {
    return this.lastRow()?.seq ?? 0;
  }

  /**
   * Checks the end of the chain against the recorded head without the key:
   * the head entry still exists with its hash, entries after it chain from it
   * and are unsealed, and a created store has a trail at all. Cheap enough to
   * run before every append.
   */
  tailProblem(): { problem: string; firstBrokenSeq: number } | null {
    const head = this.readHead();
    const last = this.lastRow();
    if (!head) {
      const sealed = prepared(this.db, 'SELECT MIN(seq) AS seq FROM audit_log WHERE mac IS NOT NULL').get() as { seq: number | null };
      if (sealed.seq !== null) return { problem: 'The chain head record is missing (it was deleted, perhaps with the newest entries).', firstBrokenSeq: sealed.seq };
      const initialized = (prepared(this.db, 'SELECT COUNT(*) AS n FROM keyring').get() as { n: number }).n > 0;
      if (!last && initialized) return { problem: 'The audit trail is empty although the store exists: it was wiped.', firstBrokenSeq: 1 };
      return null;
    }
    if (!last || last.seq < head.seq) {
      const from = (last?.seq ?? 0) + 1;
      return { problem: `The chain was cut: entries ${from} to ${head.seq} are missing.`, firstBrokenSeq: from };
    }
    const headRow = prepared(this.db, 'SELECT hash FROM audit_log WHERE seq = ?').get(head.seq) as { hash: string } | undefined;
    if (headRow?.hash !== head.hash) return { problem: `Entry ${head.seq} does not match the chain head.`, firstBrokenSeq: head.seq };
    return null;
  }

  /** The break recorded earlier, if it has been neither repaired nor accepted. */
  recordedBreak(): AuditBreak | null {
    const row = prepared(this.db, 'SELECT value FROM meta WHERE key = ?').get(BREAK_KEY) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as AuditBreak) : null;
  }

  /** Checks the tail and records a break it finds (outside any write that would roll it back). Returns the break. */
  detectBreak(): AuditBreak | null {
    const recorded = this.recordedBreak();
    if (recorded) return recorded;
    const problem = this.tailProblem();
    if (!problem) return null;
    const found: AuditBreak = { detectedAt: new Date().toISOString(), ...problem };
    this.setMeta(BREAK_KEY, found);
    return found;
  }

  private setMeta(key: string, value: unknown): void {
    prepared(this.db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
  }

  /**
   * MACs every unsealed entry, oldest first, and moves the head forward. Needs
   * an unlocked delegate. Refuses when the tail is broken or the pending
   * entries do not chain from the head, so a cut is never sealed over.
   */
  async sealPending(): Promise<void> {
    for (;;) {
      const found = this.detectBreak();
      if (found) throw auditBrokenError(found.problem);
      const rows = prepared(this.db, 'SELECT * FROM audit_log WHERE mac IS NULL ORDER BY seq LIMIT ?').all(BATCH) as AuditRow[];
      if (rows.length === 0) return;
      this.checkPendingChain(rows);
      const { macs, headMac } = await this.delegate.request({ op: 'audit.mac', entries: rows.map((row) => ({ seq: row.seq, hash: row.hash })) });
      const last = rows[rows.length - 1]!;
      inTransaction(this.db, () => {
        const update = prepared(this.db, 'UPDATE audit_log SET mac = ? WHERE seq = ? AND hash = ?');
        rows.forEach((row, i) => update.run(macs[i], row.seq, row.hash));
        const head = this.readHead();
        if (!head || head.seq < last.seq) this.setMeta(HEAD_KEY, { seq: last.seq, hash: last.hash, mac: headMac });
      });
    }
  }

  /** Pending entries must follow the head without a gap and chain from it; otherwise they are recorded as a break. */
  private checkPendingChain(rows: AuditRow[]): void {
    const first = rows[0]!;
    const previous = prepared(this.db, 'SELECT seq, hash, mac FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT 1').get(first.seq) as
      | { seq: number; hash: string; mac: string | null }
      | undefined;
    let previousHash = previous?.hash ?? '';
    let expected = (previous?.seq ?? 0) + 1;
    for (const row of rows) {
      if (row.seq !== expected || chainHash(previousHash, row) !== row.hash) {
        const found: AuditBreak = {
          detectedAt: new Date().toISOString(),
          problem: `Entry ${expected} is missing or altered among the entries waiting to be sealed.`,
          firstBrokenSeq: expected,
        };
        this.setMeta(BREAK_KEY, found);
        throw auditBrokenError(found.problem);
      }
      previousHash = row.hash;
      expected += 1;
    }
  }

  private readHead(): AuditHead | null {
    const row = prepared(this.db, 'SELECT value FROM meta WHERE key = ?').get(HEAD_KEY) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as AuditHead) : null;
  }

  list(limit: number, offset: number, filter: AuditFilter = {}): { total: number; items: AuditEntry[] } {
    const { where, params } = filterClause(filter);
    const total = (prepared(this.db, `SELECT COUNT(*) AS n FROM audit_log ${where}`).get(...params) as { n: number }).n;
    const rows = prepared(this.db, `SELECT * FROM audit_log ${where} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...params, limit, offset) as AuditRow[];
    return {
      total,
      items: rows.map((row) => ({ ...entryBody(row), sealed: row.mac !== null })),
    };
  }

  /**
   * Walks the whole chain: hashes here, MACs in the delegate. Reports the
   * first broken link. Writes nothing before it has checked: a break in the
   * tail is then recorded, a whole trail is sealed (its pending entries), and
   * a break recorded earlier that is no longer there is cleared and returned
   * as `repairedBreak`, so the caller can record that it happened.
   */
  async verify(): Promise<AuditVerdict & { repairedBreak: AuditBreak | null }> {
    const verdict = await this.check();
    if (!verdict.intact) {
      if (verdict.firstBrokenSeq !== null && this.tailProblem()) this.detectBreak();
      return { ...verdict, repairedBreak: null };
    }
    const repairedBreak = this.recordedBreak();
    if (repairedBreak) prepared(this.db, 'DELETE FROM meta WHERE key = ?').run(BREAK_KEY);
    await this.sealPending();
    return { ...verdict, repairedBreak };
  }

  private async check(): Promise<AuditVerdict> {
    const head = this.readHead();
    const broken = (seq: number | null, problem: string, checked: number): AuditVerdict => ({ intact: false, checked, firstBrokenSeq: seq, problem });
    let previousHash = '';
    let expectedSeq = 1;
    let checked = 0;
    let lastRow: AuditRow | null = null;
    let batch: AuditRow[] = [];
    const flush = async (): Promise<number | null> => {
      if (batch.length === 0) return null;
      const entries = batch.map((row) => ({ seq: row.seq, hash: row.hash, mac: row.mac ?? '' }));
      batch = [];
      const { firstBadSeq } = await this.delegate.request({ op: 'audit.verify', entries, head: null });
      return firstBadSeq;
    };
    const headSeq = head?.seq ?? 0;
    // Read in one go: a better-sqlite3 iterator must not stay open across the awaits below.
    const rows = prepared(this.db, 'SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[];
    for (const row of rows) {
      if (row.seq !== expectedSeq) return broken(expectedSeq, `Entry ${expectedSeq} is missing: the chain jumps to ${row.seq}.`, checked);
      if (chainHash(previousHash, row) !== row.hash) return broken(row.seq, `Entry ${row.seq} was altered, or an entry before it was removed.`, checked);
      if (row.seq <= headSeq) {
        if (row.mac === null) return broken(row.seq, `Entry ${row.seq} was never sealed.`, checked);
        batch.push(row);
      } else if (row.mac !== null) {
        // Entries past the head are pending; a MAC there means the head record is missing or was moved back.
        return broken(row.seq, head ? `Entry ${row.seq} is sealed but lies past the chain head.` : 'The chain head record is missing.', checked);
      }
      if (batch.length >= BATCH) {
        const bad = await flush();
        if (bad !== null) return broken(bad, `Entry ${bad} does not carry a valid MAC: the chain was rewritten.`, checked);
      }
      previousHash = row.hash;
      expectedSeq += 1;
      checked += 1;
      lastRow = row;
    }
    const bad = await flush();
    if (bad !== null) return broken(bad, `Entry ${bad} does not carry a valid MAC: the chain was rewritten.`, checked);
    if (!head) {
      const tail = this.tailProblem();
      return tail ? broken(tail.firstBrokenSeq, tail.problem, checked) : { intact: true, checked, firstBrokenSeq: null, problem: null };
    }
    const { headValid } = await this.delegate.request({ op: 'audit.verify', entries: [], head });
    if (!headValid) return broken(head.seq, 'The chain head record does not carry a valid MAC.', checked);
    if (!lastRow || lastRow.seq < head.seq) {
      return broken((lastRow?.seq ?? 0) + 1, `The chain was cut: entries ${(lastRow?.seq ?? 0) + 1} to ${head.seq} are missing.`, checked);
    }
    const headRow = rows[head.seq - 1]!;
    if (headRow.hash !== head.hash) return broken(head.seq, `Entry ${head.seq} does not match the chain head.`, checked);
    return { intact: true, checked, firstBrokenSeq: null, problem: null };
  }

  /**
   * After an administrator has looked into a break in the tail: writes an
   * `audit.break` entry that names it, seals every pending entry and anchors
   * the head there. The entries before the break keep their MACs; the ones
   * that were cut stay missing, and the trail says so.
   */
  async acceptBreak(actor: string): Promise<AuditBreak> {
    const found = this.detectBreak();
    if (!found) throw new AppError('INVALID_REQUEST', 'The end of the audit trail is intact: there is no break to accept.');
    const rows = inTransaction(this.db, () => {
      prepared(this.db, 'DELETE FROM meta WHERE key = ?').run(BREAK_KEY);
      this.appendUnchecked({
        actor,
        action: 'audit.break',
        target: null,
        outcome: 'failure',
        detail: `${found.problem} (detected ${found.detectedAt}; accepted)`.slice(0, 500),
      });
      return prepared(this.db, 'SELECT * FROM audit_log WHERE mac IS NULL ORDER BY seq').all() as AuditRow[];
    });
    for (let start = 0; start < rows.length; start += BATCH) {
      const chunk = rows.slice(start, start + BATCH);
      const { macs, headMac } = await this.delegate.request({ op: 'audit.mac', entries: chunk.map((row) => ({ seq: row.seq, hash: row.hash })) });
      const last = chunk[chunk.length - 1]!;
      inTransaction(this.db, () => {
        const update = prepared(this.db, 'UPDATE audit_log SET mac = ? WHERE seq = ? AND hash = ?');
        chunk.forEach((row, i) => update.run(macs[i], row.seq, row.hash));
        // The head moves to the break entry even when the old head named a later (cut) entry.
        this.setMeta(HEAD_KEY, { seq: last.seq, hash: last.hash, mac: headMac });
      });
    }
    return found;
  }
}
