/**
 * The audit trail: an append-only, hash-chained table whose links are MACed
 * by the delegate. Main computes each entry's hash over the previous hash and
 * the entry, so an edited or deleted row breaks the chain even without the
 * key. The delegate MACs every link and the head (the newest sealed entry),
 * so rewriting the whole chain or cutting its tail off is detected too.
 * Entries made while the store is locked are sealed at the next unlock.
 */
import { createHash } from 'node:crypto';
import { inTransaction, prepared } from '../store/prepared.js';
import type { Database } from 'better-sqlite3';
import { canonicalJson } from '../../../src-shared/delegate-protocol.js';
import type { AuditAction, AuditEntry } from '../../../src-shared/contract.js';
import type { DelegateSupervisor } from '../delegate/supervisor.js';

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

export interface AuditVerdict {
  intact: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  problem: string | null;
}

const HEAD_KEY = 'audit.head';
const BATCH = 1000;

export function chainHash(previousHash: string, row: Omit<AuditRow, 'hash' | 'mac'>): string {
  const body = canonicalJson({
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    detail: row.detail,
  });
  return createHash('sha256').update(`${previousHash}\n${body}`).digest('base64');
}

export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly delegate: DelegateSupervisor,
  ) {}

  /** Appends one entry to the chain. Sealing happens separately, when the delegate holds the key. */
  append(record: AuditRecord): number {
    return inTransaction(this.db, () => {
      const last = prepared(this.db, 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
      const row = { ...record, seq: (last?.seq ?? 0) + 1, at: new Date().toISOString() };
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
    });
  }

  /** MACs every unsealed entry, oldest first, and moves the head forward. Needs an unlocked delegate. */
  async sealPending(): Promise<void> {
    for (;;) {
      const rows = prepared(this.db, 'SELECT seq, hash FROM audit_log WHERE mac IS NULL ORDER BY seq LIMIT ?').all(BATCH) as { seq: number; hash: string }[];
      if (rows.length === 0) return;
      const { macs, headMac } = await this.delegate.request({ op: 'audit.mac', entries: rows });
      const last = rows[rows.length - 1]!;
      inTransaction(this.db, () => {
        const update = prepared(this.db, 'UPDATE audit_log SET mac = ? WHERE seq = ? AND hash = ?');
        rows.forEach((row, i) => update.run(macs[i], row.seq, row.hash));
        const head = this.readHead();
        if (!head || head.seq < last.seq) {
          prepared(this.db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
            HEAD_KEY,
            JSON.stringify({ seq: last.seq, hash: last.hash, mac: headMac }),
          );
        }
      });
    }
  }

  private readHead(): AuditHead | null {
    const row = prepared(this.db, 'SELECT value FROM meta WHERE key = ?').get(HEAD_KEY) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as AuditHead) : null;
  }

  list(limit: number, offset: number): { total: number; items: AuditEntry[] } {
    const total = (prepared(this.db, 'SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
    const rows = prepared(this.db, 'SELECT * FROM audit_log ORDER BY seq DESC LIMIT ? OFFSET ?').all(limit, offset) as AuditRow[];
    return {
      total,
      items: rows.map((row) => ({
        seq: row.seq,
        at: row.at,
        actor: row.actor,
        action: row.action,
        target: row.target,
        outcome: row.outcome,
        detail: row.detail,
        sealed: row.mac !== null,
      })),
    };
  }

  /** Walks the whole chain: hashes here, MACs in the delegate. Reports the first broken link. */
  async verify(): Promise<AuditVerdict> {
    await this.sealPending();
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
    // Read in one go: a better-sqlite3 iterator must not stay open across the awaits below.
    const rows = prepared(this.db, 'SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[];
    for (const row of rows) {
      if (row.seq !== expectedSeq) return broken(expectedSeq, `Entry ${expectedSeq} is missing: the chain jumps to ${row.seq}.`, checked);
      if (chainHash(previousHash, row) !== row.hash) return broken(row.seq, `Entry ${row.seq} was altered, or an entry before it was removed.`, checked);
      if (row.mac === null) return broken(row.seq, `Entry ${row.seq} was never sealed.`, checked);
      batch.push(row);
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
      return lastRow ? broken(lastRow.seq, 'The chain head record is missing.', checked) : { intact: true, checked, firstBrokenSeq: null, problem: null };
    }
    const { headValid } = await this.delegate.request({ op: 'audit.verify', entries: [], head });
    if (!headValid) return broken(head.seq, 'The chain head record does not carry a valid MAC.', checked);
    if (!lastRow || lastRow.seq < head.seq) {
      return broken((lastRow?.seq ?? 0) + 1, `The chain was cut: entries ${(lastRow?.seq ?? 0) + 1} to ${head.seq} are missing.`, checked);
    }
    if (lastRow.seq === head.seq && lastRow.hash !== head.hash) return broken(head.seq, `Entry ${head.seq} does not match the chain head.`, checked);
    return { intact: true, checked, firstBrokenSeq: null, problem: null };
  }
}
