/**
 * Runs the open items of one migration run, each through planned → written →
 * verified → switched (→ source_removed), with at most `concurrency` provider
 * requests in flight per manager (held by the delegate) and twice as many
 * items in hand, so the provider's slots never wait for main. Every
 * step is idempotent and journaled before the next begins, so a run stopped
 * anywhere (pause, kill -9 of this process or of the delegate) continues from
 * the journal: a copy written but not switched is verified or rewritten under
 * the same target name, never under a second one.
 *
 * Each provider has a token bucket for reads and one for writes; a throttling
 * answer slows its bucket and the step is tried again, it does not fail the item.
 */
import type { Database } from 'better-sqlite3';
import type { IntermediateKeyRecord, ManagerContext, SecretAddress, SecretRowFields } from '../../../src-shared/delegate-protocol.js';
import type { MigrationFailReason } from '../../../src-shared/contract.js';
import { AppError, toAppError } from '../app-error.js';
import type { DelegateSupervisor } from '../delegate/supervisor.js';
import type { AuditLog } from '../services/audit-log.js';
import type { ManagerInfo, ManagersService } from '../services/managers-service.js';
import type { SecretRow, SecretsService } from '../services/secrets-service.js';
import type { RowSeal } from '../services/row-integrity.js';
import { inTransaction, prepared } from '../store/prepared.js';
import type { ItemRow, MigrationJournal, RunRow, WrittenRecord } from './journal.js';
import { MANAGER_TIMEOUT_MS, type KindRules, type MigrationPlanner } from './planner.js';
import { TokenBucket } from './token-bucket.js';

/** A step that fails for another reason than throttling is tried this many times before its item fails. */
const MAX_ATTEMPTS = 3;
/** Failures that mean the delegate cannot work now: the run stops and resumes later, nothing fails. */
const INTERRUPTING = new Set(['LOCKED', 'NOT_INITIALIZED', 'DELEGATE_UNAVAILABLE', 'DELEGATE_TIMEOUT']);
/** The audit trail is sealed after this many moves, and at the end. */
const SEAL_EVERY = 500;
/**
 * Group commit: steps wait at most this long, or until this many are queued, for one transaction and one
 * fsync together. No worker waits for it before a provider call it does not depend on (see `move`).
 * A switch no worker waits for (a moved item's, committed in the background) waits up to the longer interval:
 * each commit is an fsync that blocks this process's event loop, so fewer of them leave it free for the run.
 */
const COMMIT_INTERVAL_MS = 50;
const BACKGROUND_COMMIT_INTERVAL_MS = 400;
const COMMIT_BATCH = 512;
/** A run being worked on touches its row this often; one untouched for INTERRUPTED_AFTER_MS was interrupted. */
export const HEARTBEAT_MS = 5_000;
export const INTERRUPTED_AFTER_MS = 20_000;
/** Pending creates are journaled ahead of the writes, this many per transaction. */
const RESERVE_BATCH = 1000;
/**
 * The row MACs of switches are sealed together: a seal waits at most this long, or until this many are queued,
 * for one delegate request (and one check of the rows' current MACs) instead of two requests per item. It runs
 * while the copy is read back (a provider call), so the wait costs the item nothing.
 */
const SEAL_INTERVAL_MS = 15;
const SEAL_BATCH = 64;
/**
 * The run's concurrency C is its provider requests in flight at once per manager, held by the delegate
 * (managers/in-flight-limiter.ts). Main works on this many times C secrets at once, so when a call ends another
 * one is already waiting for its slot: no slot idles while main journals a secret or a request crosses the channel.
 */
const LOOKAHEAD = 2;

export interface RunnerDeps {
  db: Database;
  delegate: DelegateSupervisor;
  secrets: SecretsService;
  managers: ManagersService;
  audit: AuditLog;
  journal: MigrationJournal;
  planner: MigrationPlanner;
  actor: string;
  /** Requests per second stored per manager id, in place of its kind's published quota. */
  storedRates: Record<string, number>;
}

interface Buckets {
  read: TokenBucket;
  write: TokenBucket;
}

export class MigrationRunner {
  private stopping: 'pause' | 'cancel' | 'interrupt' | null = null;
  private interruption: string | null = null;
  private readonly buckets = new Map<string, Buckets>();
  private readonly moves: number[] = [];
  private sinceSeal = 0;
  private sealing: Promise<void> = Promise.resolve();
  private pending: { work: () => void; settle: (error?: unknown) => void }[] = [];
  private sealQueue: { fields: SecretRowFields; resolve: (seals: RowSeal[]) => void; reject: (error: unknown) => void }[] = [];
  private sealTimer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  /** When the scheduled flush runs (epoch ms). */
  private flushAt = 0;
  /** Switches committed in the background while their workers went on with the next item. */
  private readonly detached = new Set<Promise<void>>();
  /** Items whose pending create this runner journaled and has not attempted yet: their names hold nothing of theirs. */
  private readonly unattempted = new Set<string>();
  private readonly source: ManagerInfo;
  private readonly target: ManagerInfo;
  private readonly sourceLimits: KindRules;
  private readonly targetLimits: KindRules;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly run: RunRow,
    private readonly onProgress: () => void,
  ) {
    this.source = deps.managers.info(run.source_manager_id);
    this.target = deps.managers.info(run.target_manager_id);
    this.sourceLimits = deps.planner.limits(this.source);
    this.targetLimits = deps.planner.limits(this.target);
  }

  /** Why the run stopped without finishing (the delegate went away, the store locked), or null. */
  get interruptedBy(): string | null {
    return this.interruption;
  }

  /** Items moved per second over the last ten seconds. */
  ratePerSecond(): number {
    const now = Date.now();
    while (this.moves.length > 0 && this.moves[0]! < now - 10_000) this.moves.shift();
    if (this.moves.length < 2) return this.moves.length;
    return this.moves.length / Math.max(1, (now - this.moves[0]!) / 1000);
  }

  pause(): void {
    this.stopping ??= 'pause';
  }

  cancel(): void {
    this.stopping = 'cancel';
  }

  /** The process is closing: the run stops after the steps in flight, and stays running in the journal, to be resumed. */
  interrupt(why: string): void {
    this.interruption ??= why;
    this.stopping ??= 'interrupt';
  }

  /** Works until every item is finished, or until paused, cancelled or interrupted. Resolves with whether every item is finished. */
  async execute(): Promise<boolean> {
    // Tells other processes (the app starting while a command runs this) that the run is being worked on.
    this.deps.journal.touch(this.run.id);
    const heartbeat = setInterval(() => this.deps.journal.touch(this.run.id), HEARTBEAT_MS);
    heartbeat.unref();
    try {
      // A switch committed in the background may fail (a retry is due): go round again until nothing is left to do.
      for (let round = 0; !this.stopping; round++) {
        const queue = this.deps.journal.openItems(this.run.id, this.run.delete_source === 1);
        if (queue.length === 0 || round > MAX_ATTEMPTS) break;
        this.reserve(queue);
        let next = 0;
        const worker = async () => {
          while (!this.stopping && next < queue.length) {
            const item = queue[next++]!;
            await this.advance(item.secret_id);
            this.onProgress();
          }
        };
        await Promise.all(Array.from({ length: Math.max(1, Math.min(this.run.concurrency * LOOKAHEAD, queue.length)) }, worker));
        await Promise.all([...this.detached]);
      }
    } finally {
      clearInterval(heartbeat);
      await Promise.all([...this.detached]);
      this.releaseUnattempted();
      await this.seal(true);
    }
    return !this.stopping && this.deps.journal.openItems(this.run.id, this.run.delete_source === 1).length === 0;
  }

  /**
   * Journals the pending create of every item about to be written into a secret store, in a few transactions
   * ahead of the writes, so a write never waits for its own: whatever a kill leaves at a name is owned already.
   */
  private reserve(queue: ItemRow[]): void {
    if (this.target.role !== 'secret-store') return;
    const writes = this.deps.secrets.remoteWrites;
    const fresh = queue.filter((item) => item.state === 'planned' && item.written === null && item.target_name !== null && !this.unattempted.has(item.secret_id));
    for (let start = 0; start < fresh.length; start += RESERVE_BATCH) {
      inTransaction(this.deps.db, () => {
        for (const item of fresh.slice(start, start + RESERVE_BATCH)) {
          if (writes.isPending(this.target.id, item.secret_id, item.target_name!)) continue;
          writes.beginMigration(this.target.id, item.secret_id, item.target_name!);
          this.unattempted.add(item.secret_id);
        }
      });
    }
  }

  /** Creates journaled ahead and never attempted (a pause, a stop, a failure before the write) own nothing. */
  private releaseUnattempted(): void {
    if (this.unattempted.size === 0) return;
    const targetNames = new Map(this.deps.journal.openItems(this.run.id, false).map((item) => [item.secret_id, item.target_name]));
    inTransaction(this.deps.db, () => {
      for (const secretId of this.unattempted) {
        const name = targetNames.get(secretId) ?? this.deps.journal.item(this.run.id, secretId).target_name;
        if (name) this.deps.secrets.remoteWrites.clearPending(this.target.id, secretId, name);
      }
    });
    this.unattempted.clear();
  }

  /**
   * Runs `work` in a transaction shared with the other workers' steps of this
   * moment (group commit: one fsync for many items), each in its own
   * savepoint, so one step's failure undoes that step alone. Resolves once
   * the step is durable. A worker waiting for it goes on only then; `background` steps (no worker waits) may
   * wait longer for company.
   */
  private commit(work: () => void, background = false): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ work, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      if (this.pending.length >= COMMIT_BATCH) {
        this.flush();
        return;
      }
      const due = Date.now() + (background ? BACKGROUND_COMMIT_INTERVAL_MS : COMMIT_INTERVAL_MS);
      if (this.flushTimer && this.flushAt <= due) return;
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushAt = due;
      this.flushTimer = setTimeout(() => this.flush(), due - Date.now());
    });
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const outcomes = new Array<unknown>(batch.length).fill(undefined);
    try {
      inTransaction(this.deps.db, () =>
        batch.forEach((entry, i) => {
          try {
            inTransaction(this.deps.db, entry.work);
          } catch (error) {
            outcomes[i] = error ?? new Error('step failed');
          }
        }),
      );
    } catch (error) {
      batch.forEach((entry) => entry.settle(error ?? new Error('commit failed')));
      return;
    }
    batch.forEach((entry, i) => entry.settle(outcomes[i]));
  }

  private bucketsOf(manager: ManagerInfo, limits: KindRules): Buckets {
    let buckets = this.buckets.get(manager.id);
    if (!buckets) {
      // The run's own rate, else the manager's stored setting, else its kind's published quota.
      const override = this.run.rate_per_second ?? this.deps.storedRates[manager.id] ?? null;
      buckets = {
        read: new TokenBucket(override ?? limits.quota.readsPerSecond),
        write: new TokenBucket(override ?? limits.quota.writesPerSecond),
      };
      this.buckets.set(manager.id, buckets);
    }
    return buckets;
  }

  private get sourceBuckets(): Buckets {
    return this.bucketsOf(this.source, this.sourceLimits);
  }

  private get targetBuckets(): Buckets {
    return this.bucketsOf(this.target, this.targetLimits);
  }

  /**
   * Takes one item as far as it goes. A planned item is copied, read back and switched by `move` with one commit;
   * an item a stopped run left half way (written, verified) continues from its journaled step.
   */
  private async advance(secretId: string): Promise<void> {
    for (;;) {
      if (this.stopping) return;
      const item = this.deps.journal.item(this.run.id, secretId);
      let step: (() => Promise<'detached' | void>) | null;
      switch (item.state) {
        case 'planned':
          step = item.keeps_reference === 1 ? () => this.repoint(item) : () => this.move(item);
          break;
        case 'written':
          step = () => this.verify(item);
          break;
        case 'verified':
          step = () => this.switchOver(item, JSON.parse(item.written!) as WrittenRecord, item.source_version);
          break;
        case 'switched':
          step = this.run.delete_source === 1 ? () => this.removeSource(item) : null;
          break;
        default:
          step = null;
      }
      if (!step) return;
      try {
        // The switch of a moved item commits in the background: the worker goes on with its next item.
        if ((await step()) === 'detached') return;
      } catch (error) {
        this.handleFailure(item, error);
      }
    }
  }

  private handleFailure(item: ItemRow, error: unknown): void {
    const appError = toAppError(error);
    if (appError.code === 'PROVIDER_THROTTLED') {
      // Slow down the providers this step used; the step is tried again and the item does not fail.
      const observed = Math.max(1, this.ratePerSecond() * 3);
      for (const buckets of [this.sourceBuckets, this.targetBuckets]) {
        buckets.read.throttled(appError.extra.retryAfterMs, observed);
        buckets.write.throttled(appError.extra.retryAfterMs, observed);
      }
      return;
    }
    if (INTERRUPTING.has(appError.code)) {
      this.interruption = appError.message;
      this.stopping = 'interrupt';
      return;
    }
    if (appError.code === 'REMOTE_EXISTS' && item.state === 'planned' && item.target_name !== null) {
      // The create (or the claim of an interrupted one) found a value Strongroom did not write: it is never written over.
      inTransaction(this.deps.db, () => {
        this.deps.secrets.remoteWrites.clearPending(this.target.id, item.secret_id, item.target_name!);
        this.fail(item, 'name-taken', appError.message.slice(0, 500));
      });
      return;
    }
    const attempts = item.attempts + 1;
    const reason: MigrationFailReason = item.state === 'switched' ? 'source-remove-failed' : item.state === 'written' ? 'verify-failed' : 'copy-failed';
    if (attempts >= MAX_ATTEMPTS || appError.code === 'INVALID_REQUEST' || appError.code === 'READ_ONLY') {
      const detail = item.state === 'switched' ? `The secret moved; its copy in "${this.source.name}" stays: ${appError.message}` : appError.message;
      this.deps.journal.update(this.run.id, item.secret_id, { state: 'failed', reason, detail: detail.slice(0, 500), attempts });
    } else {
      this.deps.journal.update(this.run.id, item.secret_id, { attempts, detail: appError.message.slice(0, 500) });
    }
  }

  private row(secretId: string): SecretRow | null {
    return (prepared(this.deps.db, 'SELECT rowid, * FROM secrets WHERE id = ?').get(secretId) as SecretRow | undefined) ?? null;
  }

  private fail(item: ItemRow, reason: MigrationFailReason, detail: string): void {
    this.deps.journal.update(this.run.id, item.secret_id, { state: 'failed', reason, detail });
  }

  /** The row is still where the copy was planned from; otherwise false, after recording why. */
  private stillInSource(item: ItemRow, row: SecretRow | null): row is SecretRow {
    if (!row) {
      this.fail(item, 'secret-deleted', 'The secret was deleted during the migration.');
      return false;
    }
    if (row.manager_id !== this.source.id) {
      this.fail(item, 'copy-failed', 'The secret was moved to another manager during the migration.');
      return false;
    }
    return true;
  }

  private targetAddress(row: SecretRow, version: number): SecretAddress {
    return { secretId: row.id, version, type: row.type, managerId: this.target.id };
  }

  private contexts(extra: ManagerContext[]): ManagerContext[] {
    return [...new Map(extra.map((context) => [context.id, context])).values()];
  }

  private isRemote(manager: ManagerInfo): boolean {
    return manager.role !== 'local';
  }

  /**
   * planned → switched: the copy is written, read back and compared, and the secret switched in one transaction
   * that journals the copy with it. The pending create (journaled ahead, `reserve`) owns whatever a kill leaves in
   * the target meanwhile; on resume the item is planned again and its write claims that value (migration-handlers.ts).
   * Unless the source copy must go next, the worker does not wait for the switch's commit.
   */
  private async move(item: ItemRow): Promise<'detached' | void> {
    const row = this.row(item.secret_id);
    if (!this.stillInSource(item, row)) return;
    // Sealed while the copy is written and read back; a failed write leaves the seal unused (never stored).
    const sealing = this.sealSwitch(item);
    sealing.catch(() => undefined);
    const { written, equal } = await this.write(item, row);
    if (!equal) {
      // Journaled as written, so the verify step writes it again on top (the copy stays owned).
      await this.commit(() => this.recordWritten(item, row, written));
      this.deps.journal.update(this.run.id, item.secret_id, { state: 'planned', attempts: item.attempts + 1, detail: 'the copy differed from the source; written again' });
      return;
    }
    const seals = await sealing;
    const inBackground = this.run.delete_source !== 1;
    const switched = this.switchOver(item, written, row.current_version, seals, () => this.recordWritten(item, row, written), inBackground);
    if (!inBackground) {
      await switched;
      return;
    }
    const settled = switched.catch((error: unknown) => this.handleFailure(item, error)).finally(() => this.detached.delete(settled));
    this.detached.add(settled);
    return 'detached';
  }

  private recordWritten(item: ItemRow, row: SecretRow, written: WrittenRecord): void {
    if (written.intermediateKeys.length > 0) this.deps.managers.saveIntermediateKeys(written.intermediateKeys);
    this.deps.journal.update(this.run.id, item.secret_id, { state: 'written', written: JSON.stringify(written), source_version: row.current_version });
  }

  /**
   * The delegate copies every kept version; the moving ones into the target. Nothing is journaled here but a first pending create.
   * Each copy is then read back and compared with its source in the delegate: in the same request, except into a key manager,
   * whose writes go one at a time (the read back would hold that turn), where a request of its own does it.
   */
  private async write(item: ItemRow, row: SecretRow): Promise<{ written: WrittenRecord; equal: boolean }> {
    const versions = this.deps.planner.versionNumbers(row.id);
    const moving = new Set(this.run.all_versions === 1 ? versions : [row.current_version]);
    const items = versions.map((version) => ({
      from: this.deps.secrets.storedVersion(row, version),
      to: this.targetAddress(row, version),
      placement: moving.has(version) ? ('target' as const) : ('local' as const),
    }));
    const sources = this.deps.secrets.dependencies(items.map((entry) => entry.from));
    const targetContext = this.deps.managers.context(this.target.id);
    const remoteName = item.target_name !== null && this.target.role === 'secret-store' ? item.target_name : null;
    // Copies of this run already journaled under the name are its own: new copies go on top of them.
    const earlier = item.written ? (JSON.parse(item.written) as WrittenRecord) : null;
    const owned = earlier
      ? [...(earlier.claimed ?? []), ...earlier.copies.flatMap((copy) => (copy.placement === 'target' && copy.encrypted.remote ? [copy.encrypted.remote] : []))]
      : [];
    // A pending create this runner did not journal itself just now may have been made by an attempt whose outcome never reached the journal.
    let reclaim = false;
    if (remoteName !== null && owned.length === 0) {
      const writes = this.deps.secrets.remoteWrites;
      const fresh = this.unattempted.delete(row.id);
      const pending = writes.isPending(this.target.id, row.id, remoteName);
      reclaim = pending && !fresh;
      // Journaled before the write, so that whatever a kill leaves at the name is owned by this entry.
      if (!pending) await this.commit(() => writes.beginMigration(this.target.id, row.id, remoteName));
    }
    const remoteReads = items.filter((entry) => entry.from.encrypted.remote).length;
    const verifyHere = this.target.role !== 'key-manager';
    await this.sourceBuckets.read.take(remoteReads);
    if (this.isRemote(this.target)) await this.targetBuckets.write.take(moving.size);
    if (verifyHere) await this.targetBuckets.read.take(items.filter((entry) => entry.placement === 'target').length);
    const send = (intermediateKey?: IntermediateKeyRecord | null) =>
      this.deps.delegate.request(
        {
          op: 'migration.write',
          items,
          ...(remoteName !== null ? { remoteName } : {}),
          overwrite: owned.length > 0,
          reclaim,
          ...(targetContext ? { target: targetContext } : {}),
          managers: this.contexts([...sources.managers, ...(targetContext ? [targetContext] : [])]),
          intermediateKeys: sources.intermediateKeys,
          ...(intermediateKey !== undefined ? { intermediateKey } : {}),
          verify: verifyHere,
          // The run's name probe, right before the create (migration.start does not probe: service.start).
          probe: remoteName !== null,
          concurrency: this.run.concurrency,
        },
        MANAGER_TIMEOUT_MS,
      );
    let equal: boolean[] | undefined;
    const record = (result: {
      versions: WrittenRecord['copies'][number]['encrypted'][];
      intermediateKeys: IntermediateKeyRecord[];
      claimed: NonNullable<WrittenRecord['claimed']>;
      equal?: boolean[] | undefined;
    }): WrittenRecord => ({
      copies: items.map((entry, i) => ({ version: entry.to.version, placement: entry.placement, encrypted: result.versions[i]! })),
      intermediateKeys: result.intermediateKeys,
      ...(remoteName !== null ? { claimed: [...owned, ...result.claimed] } : {}),
    });
    let written: WrittenRecord;
    if (this.target.role === 'key-manager') {
      // Wraps under a KMS manager's current intermediate key count its uses: one at a time per manager, as every
      // write there, and the intermediate keys the delegate made are saved before another write may use them.
      written = await this.deps.managers.exclusive(this.target.id, async () => {
        const result = record(await send(this.deps.managers.currentIntermediateKey(this.target.id)));
        if (result.intermediateKeys.length > 0) inTransaction(this.deps.db, () => this.deps.managers.saveIntermediateKeys(result.intermediateKeys));
        return result;
      });
    } else {
      const result = await send();
      equal = result.equal;
      written = record(result);
    }
    this.sourceBuckets.read.succeeded();
    this.targetBuckets.write.succeeded();
    if (verifyHere) this.targetBuckets.read.succeeded();
    if (!equal) return { written, equal: await this.compare(row, written) };
    return { written, equal: equal.length === written.copies.length && equal.every(Boolean) };
  }

  /** Reads each copy back and compares it with its source inside the delegate. */
  private async compare(row: SecretRow, written: WrittenRecord): Promise<boolean> {
    const items = written.copies.map((copy) => ({
      from: this.deps.secrets.storedVersion(row, copy.version),
      written: { address: this.targetAddress(row, copy.version), encrypted: copy.encrypted },
    }));
    await this.targetBuckets.read.take(written.copies.filter((copy) => copy.placement === 'target').length);
    const { equal } = await this.deps.delegate.request(
      {
        op: 'migration.verify',
        items,
        ...this.deps.secrets.dependencies([...items.map((entry) => entry.from), ...items.map((entry) => entry.written)]),
        concurrency: this.run.concurrency,
      },
      MANAGER_TIMEOUT_MS,
    );
    this.targetBuckets.read.succeeded();
    return equal.every(Boolean);
  }

  /** written → verified (an item a stopped run left written): read each copy back; a mismatch is written again. */
  private async verify(item: ItemRow): Promise<void> {
    const row = this.row(item.secret_id);
    if (!this.stillInSource(item, row)) return;
    const written = JSON.parse(item.written!) as WrittenRecord;
    const kept = new Set(this.deps.planner.versionNumbers(row.id));
    if (row.current_version !== item.source_version || written.copies.some((copy) => !kept.has(copy.version))) {
      // Changed or pruned meanwhile: copy again, so the update moves with it.
      this.deps.journal.update(this.run.id, item.secret_id, { state: 'planned' });
      return;
    }
    if (await this.compare(row, written)) {
      await this.commit(() => this.deps.journal.update(this.run.id, item.secret_id, { state: 'verified' }));
    } else if (item.attempts + 1 >= MAX_ATTEMPTS) {
      this.fail(item, 'verify-failed', 'The copy read back from the target differs from the source.');
    } else {
      this.deps.journal.update(this.run.id, item.secret_id, { state: 'planned', attempts: item.attempts + 1, detail: 'the copy differed from the source; written again' });
    }
  }

  /** The row MAC covers the manager, remote name and reference: sealed before the switch, stored with it. */
  private async sealSwitch(item: ItemRow): Promise<RowSeal[]> {
    const rows = this.deps.secrets.rows;
    if (!rows.exists(item.secret_id)) return [];
    const fields = rows.planned(item.secret_id, { managerId: this.target.id, remoteName: this.target.role === 'secret-store' ? item.target_name : null, reference: null });
    return new Promise((resolve, reject) => {
      this.sealQueue.push({ fields, resolve, reject });
      if (this.sealQueue.length >= SEAL_BATCH) this.flushSeals();
      else this.sealTimer ??= setTimeout(() => this.flushSeals(), SEAL_INTERVAL_MS);
    });
  }

  private flushSeals(): void {
    if (this.sealTimer) clearTimeout(this.sealTimer);
    this.sealTimer = null;
    const batch = this.sealQueue;
    this.sealQueue = [];
    if (batch.length === 0) return;
    const rows = this.deps.secrets.rows;
    rows.seal(batch.map((entry) => entry.fields)).then(
      (seals) => batch.forEach((entry, i) => entry.resolve([seals[i]!])),
      // One tampered row refuses the whole batch: each is sealed alone, so only that row's item fails.
      () => batch.forEach((entry) => rows.seal([entry.fields]).then(entry.resolve, entry.reject)),
    );
  }

  /**
   * → switched: the secret's versions and manager change in one transaction, with the journal and the audit
   * entry (and `journalCopy`, the copy's own journaling, when it was not journaled before).
   */
  private async switchOver(
    item: ItemRow,
    written: WrittenRecord,
    sourceVersion: number | null,
    sealed?: Awaited<ReturnType<MigrationRunner['sealSwitch']>>,
    journalCopy?: () => void,
    background = false,
  ): Promise<void> {
    const seals = sealed ?? (await this.sealSwitch(item));
    await this.commit(() => {
      const row = this.row(item.secret_id);
      if (!this.stillInSource(item, row)) return;
      journalCopy?.();
      const kept = this.deps.planner.versionNumbers(row.id);
      const copies = new Map(written.copies.map((copy) => [copy.version, copy]));
      if (row.current_version !== sourceVersion || kept.some((version) => !copies.has(version))) {
        // Changed or pruned meanwhile: copy again, so the update moves with it (the copy made stays owned).
        this.deps.journal.update(this.run.id, item.secret_id, { state: 'planned' });
        return;
      }

      const sourceRefs =
        row.reference === null
          ? [
              ...new Set(
                (
                  prepared(this.deps.db, 'SELECT remote_reference FROM secret_versions WHERE secret_id = ? AND remote_reference IS NOT NULL').all(row.id) as {
                    remote_reference: string;
                  }[]
                ).map((version) => version.remote_reference),
              ),
            ]
          : [];
      const update = prepared(
        this.deps.db,
        `UPDATE secret_versions SET ciphertext = ?, wrapped_key = ?, keyring_version = ?, intermediate_key_id = ?, remote_reference = ?, remote_version = ?
         WHERE secret_id = ? AND version = ?`,
      );
      for (const version of kept) {
        const { encrypted } = copies.get(version)!;
        update.run(
          encrypted.ciphertext,
          encrypted.wrappedKey,
          encrypted.keyringVersion,
          encrypted.intermediateKeyId ?? null,
          encrypted.remote?.reference ?? null,
          encrypted.remote?.versionId ?? null,
          row.id,
          version,
        );
      }
      if (this.target.role === 'secret-store') {
        // From now on these copies are Strongroom's in the target store: a later delete removes them (remote-writes.ts).
        const targetCopies = written.copies.filter((copy) => copy.placement === 'target' && copy.encrypted.remote);
        this.deps.secrets.remoteWrites.migrated(this.target.id, row.id, item.target_name!, [
          ...(written.claimed ?? []),
          ...targetCopies.map((copy) => ({ reference: copy.encrypted.remote!.reference, versionId: copy.encrypted.remote!.versionId })),
        ]);
      }
      prepared(this.deps.db, 'UPDATE secrets SET manager_id = ?, remote_name = ?, reference = NULL, updated_at = ? WHERE id = ?').run(
        this.target.id,
        this.target.role === 'secret-store' ? item.target_name : null,
        new Date().toISOString(),
        row.id,
      );
      this.deps.secrets.rows.store(seals);
      const moved = written.copies.filter((copy) => copy.placement === 'target').length;
      const detail = [
        `from "${this.source.name}" to "${this.target.name}"`,
        item.renamed === 1 ? `as "${item.target_name}"` : null,
        `${moved} version(s) moved${kept.length > moved ? `, ${kept.length - moved} older kept here` : ''}`,
        row.reference !== null ? `was a reference to ${row.reference}, now a copy` : null,
        `run ${this.run.id}`,
      ]
        .filter(Boolean)
        .join('; ');
      this.deps.audit.append({ actor: this.deps.actor, action: 'secret.migrate', target: row.name, outcome: 'success', detail });
      this.deps.journal.update(this.run.id, item.secret_id, { state: 'switched', source_refs: JSON.stringify(sourceRefs), detail: null });
    }, background);
    if (this.deps.journal.item(this.run.id, item.secret_id).state === 'switched') {
      this.moves.push(Date.now());
      this.sinceSeal++;
      void this.seal(false);
    }
  }

  /**
   * planned → switched for a reference the target reaches too: one transaction moves the secret to the target
   * manager, reference and versions unchanged, with the audit entry and the journal. Nothing is read, written or
   * deleted remotely, so a crash leaves the item planned (nothing done) or switched (all done).
   */
  private async repoint(item: ItemRow): Promise<void> {
    const before = this.row(item.secret_id);
    if (!this.stillInSource(item, before)) return;
    const rows = this.deps.secrets.rows;
    const seals = await rows.seal([rows.planned(item.secret_id, { managerId: this.target.id, remoteName: null, reference: before.reference })]);
    await this.commit(() => {
      const row = this.row(item.secret_id);
      if (!this.stillInSource(item, row)) return;
      prepared(this.deps.db, 'UPDATE secrets SET manager_id = ?, remote_name = NULL, updated_at = ? WHERE id = ?').run(this.target.id, new Date().toISOString(), row.id);
      rows.store(seals);
      const detail = `from "${this.source.name}" to "${this.target.name}"; still a reference to ${row.reference} (the target reaches the same remote; nothing written there); run ${this.run.id}`;
      this.deps.audit.append({ actor: this.deps.actor, action: 'secret.migrate', target: row.name, outcome: 'success', detail });
      this.deps.journal.update(this.run.id, item.secret_id, { state: 'switched', source_refs: '[]', detail: `stays a reference to ${row.reference}` });
    });
    if (this.deps.journal.item(this.run.id, item.secret_id).state === 'switched') {
      this.moves.push(Date.now());
      this.sinceSeal++;
      void this.seal(false);
    }
  }

  /** switched → source_removed (delete-source only): the source's copies go, by that store's own rules. */
  private async removeSource(item: ItemRow): Promise<void> {
    const refs = JSON.parse(item.source_refs ?? '[]') as string[];
    if (refs.length > 0) {
      const context = this.deps.managers.context(this.source.id);
      if (!context) throw new AppError('INTERNAL', 'A remote source copy without a source manager.');
      // Only what Strongroom wrote in the source goes: an adopted secret, or versions others wrote, stay (remote-writes.ts).
      const own = this.deps.secrets.remoteWrites.owned(item.secret_id, this.source.id);
      for (const reference of refs) {
        await this.sourceBuckets.write.take(1);
        await this.deps.delegate.request(
          { op: 'secrets.deleteRemote', manager: context, reference, ownVersions: own.versions, created: own.created, concurrency: this.run.concurrency },
          MANAGER_TIMEOUT_MS,
        );
        this.sourceBuckets.write.succeeded();
      }
      this.deps.secrets.remoteWrites.forget(item.secret_id, this.source.id);
    }
    await this.commit(() =>
      this.deps.journal.update(this.run.id, item.secret_id, {
        state: 'source_removed',
        detail: refs.length > 0 ? `removed from "${this.source.name}"` : 'no copy outside this store',
      }),
    );
  }

  /** Seals the audit entries of the moves, every SEAL_EVERY moves and at the end; one sealing at a time. */
  private seal(force: boolean): Promise<void> {
    if (!force && this.sinceSeal < SEAL_EVERY) return this.sealing;
    this.sinceSeal = 0;
    this.sealing = this.sealing.then(() => this.deps.audit.sealPending()).catch(() => undefined);
    return this.sealing;
  }
}
