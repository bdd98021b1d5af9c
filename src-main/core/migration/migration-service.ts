/**
 * Migrations between managers (docs/migration.md): preview, start, pause,
 * resume, cancel, status and the report. The plan and the journal live in
 * SQLite; the runner works in this process and keeps going whatever the
 * window does. A run that was working when its process stopped shows as
 * interrupted, and continues from its journal on resume.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { AppEvent, MigrationPreview, MigrationRun, ParsedRequest } from '../../../src-shared/contract.js';
import { AppError, toAppError } from '../app-error.js';
import type { DelegateSupervisor } from '../delegate/supervisor.js';
import type { AuditLog } from '../services/audit-log.js';
import type { CatalogService } from '../services/catalog-service.js';
import type { ManagersService } from '../services/managers-service.js';
import type { SecretsService } from '../services/secrets-service.js';
import type { VaultService } from '../services/vault-service.js';
import { inTransaction } from '../store/prepared.js';
import { MetaStore } from '../services/meta-store.js';
import { managerKindSpec } from '../../../src-shared/manager-kinds.js';
import type { MigrationRate } from '../../../src-shared/migration-contract.js';
import { MigrationJournal, type RunRow, type WrittenRecord } from './journal.js';
import { MANAGER_TIMEOUT_MS, MigrationPlanner } from './planner.js';
import { INTERRUPTED_AFTER_MS, MigrationRunner } from './runner.js';

/** Stored migration request rates, requests per second by manager id (meta). */
const RATES_KEY = 'migration.rates';

export function storedRates(meta: MetaStore): Record<string, number> {
  return meta.get<Record<string, number>>(RATES_KEY) ?? {};
}

/** Progress events go out at most this often per run. */
const PROGRESS_INTERVAL_MS = 250;

export class MigrationService {
  readonly journal: MigrationJournal;
  private readonly meta: MetaStore;
  private readonly planner: MigrationPlanner;
  private readonly active = new Map<string, { runner: MigrationRunner; done: Promise<void> }>();
  private readonly lastEmit = new Map<string, number>();
  /** Why a run this process worked on stopped without finishing. */
  private readonly interruptions = new Map<string, string>();

  constructor(
    private readonly db: Database,
    private readonly delegate: DelegateSupervisor,
    private readonly vault: VaultService,
    private readonly secrets: SecretsService,
    private readonly managers: ManagersService,
    catalog: CatalogService,
    private readonly audit: AuditLog,
    private readonly actor: string,
    private readonly emit: (event: AppEvent) => void,
  ) {
    this.journal = new MigrationJournal(db);
    this.meta = new MetaStore(db);
    this.planner = new MigrationPlanner(db, delegate, secrets, managers, catalog, this.journal);
  }

  /** Every manager's request rate for migrations: its kind's published quota and the stored setting. */
  async rates(): Promise<MigrationRate[]> {
    const stored = storedRates(this.meta);
    return (await this.managers.list()).map((manager) => ({
      managerId: manager.id,
      name: manager.name,
      kind: manager.kind,
      published: managerKindSpec(manager.kind)?.requestQuota ?? null,
      ratePerSecond: stored[manager.id] ?? null,
    }));
  }

  async setRate(managerId: string, ratePerSecond: number | null): Promise<MigrationRate[]> {
    this.vault.requireUnlocked();
    const manager = this.managers.info(managerId);
    const stored = storedRates(this.meta);
    if (ratePerSecond === null) delete stored[manager.id];
    else stored[manager.id] = ratePerSecond;
    inTransaction(this.db, () => {
      this.meta.set(RATES_KEY, stored);
      this.audit.append({
        actor: this.actor,
        action: 'settings.update',
        target: manager.name,
        outcome: 'success',
        detail: ratePerSecond === null ? 'migration rate: the published quota' : `migration rate: ${ratePerSecond} requests per second`,
      });
    });
    await this.audit.sealPending();
    return this.rates();
  }

  async preview(request: ParsedRequest<'migration.preview'>): Promise<MigrationPreview> {
    this.vault.requireUnlocked();
    return (await this.planner.plan(request, 16)).preview;
  }

  async start(request: ParsedRequest<'migration.start'>): Promise<MigrationRun> {
    this.vault.requireUnlocked();
    // The target's names are probed by the run itself, each right before its create (planner.plan).
    const plan = await this.planner.plan(request, request.concurrency, false);
    const id = randomUUID();
    const now = new Date().toISOString();
    const keptReferences = plan.preview.items.filter((item) => item.outcome !== 'fail' && item.reference?.kept).length;
    inTransaction(this.db, () => {
      this.journal.insertRun({
        id,
        source_manager_id: plan.source.id,
        target_manager_id: plan.target.id,
        all_versions: request.allVersions ? 1 : 0,
        delete_source: request.deleteSource ? 1 : 0,
        concurrency: request.concurrency,
        rate_per_second: request.ratePerSecond ?? null,
        state: 'running',
        actor: this.actor,
        created_at: now,
      });
      plan.preview.items.forEach((item, seq) =>
        this.journal.insertItem({
          run_id: id,
          seq,
          secret_id: item.secretId,
          secret_name: item.name,
          target_name: item.targetName,
          renamed: item.outcome === 'rename' ? 1 : 0,
          state: item.outcome === 'fail' ? 'failed' : 'planned',
          reason: item.reason,
          detail: item.detail,
          keeps_reference: item.reference?.kept ? 1 : 0,
        }),
      );
      const { counts } = plan.preview;
      this.audit.append({
        actor: this.actor,
        action: 'migration.start',
        target: `${plan.source.name} -> ${plan.target.name}`,
        outcome: 'success',
        detail: `run ${id}: ${counts.move} to move, ${counts.rename} renamed, ${counts.fail} refused${keptReferences > 0 ? `; ${keptReferences} stay references` : ''}${request.allVersions ? '; all versions' : ''}${request.deleteSource ? '; delete source' : ''}`,
      });
    });
    await this.audit.sealPending();
    this.launch(id);
    return this.status(id);
  }

  private launch(id: string): void {
    if (this.active.has(id)) return;
    this.interruptions.delete(id);
    const run = this.requireRun(id);
    const runner = new MigrationRunner(
      {
        db: this.db,
        delegate: this.delegate,
        secrets: this.secrets,
        managers: this.managers,
        audit: this.audit,
        journal: this.journal,
        planner: this.planner,
        actor: this.actor,
        storedRates: storedRates(this.meta),
      },
      run,
      () => this.progress(id, false),
    );
    let unfinished: string | null = null;
    const done = runner.execute().then(
      (finished) => {
        if (finished && this.journal.run(id)?.state === 'running') this.journal.setRunState(id, 'finished');
        else if (!finished && this.journal.run(id)?.state === 'running') unfinished = 'Items were left to do after their retries; resume the run to try them again.';
      },
      (error: unknown) => {
        unfinished = `The run stopped: ${toAppError(error).message}`;
      },
    );
    const entry = {
      runner,
      done: done.finally(() => {
        const why = runner.interruptedBy ?? unfinished;
        if (why) this.interruptions.set(id, why);
        this.active.delete(id);
        this.progress(id, true);
      }),
    };
    this.active.set(id, entry);
  }

  /** Before the store closes: every run this process works on stops after its steps in flight, resumable. */
  async shutdown(): Promise<void> {
    const active = [...this.active.values()];
    for (const { runner } of active) runner.interrupt('Strongroom was closed while the run was working.');
    await Promise.all(active.map((entry) => entry.done));
  }

  /** Resolves when this process stops working on the run (finished, paused, cancelled or interrupted). */
  async settled(id: string): Promise<void> {
    await this.active.get(id)?.done;
  }

  /** Resolves once the steps in flight have ended, so the figures it returns are where the run stopped (the CLI's Ctrl+C says them). */
  async pause(id: string): Promise<MigrationRun> {
    this.vault.requireUnlocked();
    const run = this.requireRun(id);
    if (run.state !== 'running') throw new AppError('INVALID_REQUEST', `The migration is ${run.state}; only a running one can be paused.`);
    this.active.get(id)?.runner.pause();
    this.journal.setRunState(id, 'paused');
    this.progress(id, true);
    await this.settled(id);
    return this.status(id);
  }

  /** `at unlock`: the app picked up a run an earlier start or command left interrupted, not a person's resume. */
  async resume(id: string, by: 'request' | 'at unlock' = 'request'): Promise<MigrationRun> {
    this.vault.requireUnlocked();
    const run = this.requireRun(id);
    if (run.state !== 'running' && run.state !== 'paused') throw new AppError('INVALID_REQUEST', `The migration is ${run.state}; it cannot be resumed.`);
    // A pause still finishing its current steps must end before a new runner starts.
    await this.settled(id);
    const counts = this.journal.counts(id);
    const left = counts.planned + counts.written + counts.verified + (run.delete_source === 1 ? counts.switched : 0);
    const why = by === 'at unlock' ? 'resumed automatically at unlock after an interruption' : `resumed from ${run.state === 'paused' ? 'a pause' : 'an interruption'}`;
    inTransaction(this.db, () => {
      this.journal.setRunState(id, 'running');
      this.audit.append({ actor: this.actor, action: 'migration.resume', target: id, outcome: 'success', detail: `${why}; ${left} item(s) left` });
    });
    await this.audit.sealPending();
    this.launch(id);
    return this.status(id);
  }

  /**
   * Stops the run; items not yet switched are cancelled. Copies already written
   * into a secret store are removed (best effort: the journal keeps what it
   * wrote, so none is left unowned).
   */
  async cancel(id: string): Promise<MigrationRun> {
    this.vault.requireUnlocked();
    const run = this.requireRun(id);
    if (run.state === 'finished' || run.state === 'cancelled') throw new AppError('INVALID_REQUEST', `The migration is already ${run.state}.`);
    this.active.get(id)?.runner.cancel();
    await this.settled(id);
    const open = this.journal.openItems(id, false);
    const target = this.managers.info(run.target_manager_id);
    const context = this.managers.context(target.id);
    for (const item of open) {
      let detail = 'cancelled before it moved';
      if (item.written && context && target.role === 'secret-store' && !target.readOnly) {
        const written = JSON.parse(item.written) as WrittenRecord;
        const copies = [
          ...(written.claimed ?? []),
          ...written.copies.flatMap((copy) => (copy.placement === 'target' && copy.encrypted.remote ? [copy.encrypted.remote] : [])),
        ];
        const references = [...new Set(copies.map((copy) => copy.reference))];
        // This run created these copies: they are all the versions it may remove.
        const ownVersions = copies.flatMap((copy) => (copy.versionId ? [copy.versionId] : []));
        try {
          for (const reference of references) {
            await this.delegate.request({ op: 'secrets.deleteRemote', manager: context, reference, ownVersions, created: true }, MANAGER_TIMEOUT_MS);
          }
          // Removed: the pending create that named them owns nothing any more.
          if (item.target_name !== null) this.secrets.remoteWrites.clearPending(target.id, item.secret_id, item.target_name);
          if (references.length > 0) detail = `cancelled; its copy in "${target.name}" was removed`;
        } catch {
          detail = `cancelled; its copy in "${target.name}" could not be removed (${references.join(', ')})`;
        }
      }
      this.journal.update(id, item.secret_id, { state: 'cancelled', detail });
    }
    inTransaction(this.db, () => {
      this.journal.setRunState(id, 'cancelled');
      this.audit.append({ actor: this.actor, action: 'migration.cancel', target: id, outcome: 'success', detail: `${open.length} item(s) cancelled` });
    });
    await this.audit.sealPending();
    this.progress(id, true);
    return this.status(id);
  }

  private requireRun(id: string): RunRow {
    const run = this.journal.run(id);
    if (!run) throw new AppError('NOT_FOUND', `No migration ${id}.`);
    return run;
  }

  status(id: string): MigrationRun {
    return this.describe(this.requireRun(id));
  }

  list(): MigrationRun[] {
    return this.journal.runs().map((run) => this.describe(run));
  }

  report(id: string, limit: number, offset: number) {
    this.requireRun(id);
    return this.journal.report(id, limit, offset);
  }

  private describe(run: RunRow): MigrationRun {
    const counts = this.journal.counts(run.id);
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    const done = counts.source_removed + (run.delete_source === 1 ? 0 : counts.switched);
    const active = this.active.get(run.id);
    const rate = active?.runner.ratePerSecond() ?? 0;
    const remaining = counts.planned + counts.written + counts.verified + (run.delete_source === 1 ? counts.switched : 0);
    return {
      id: run.id,
      sourceManagerId: run.source_manager_id,
      targetManagerId: run.target_manager_id,
      allVersions: run.all_versions === 1,
      deleteSource: run.delete_source === 1,
      concurrency: run.concurrency,
      ratePerSecond: run.rate_per_second,
      state: run.state,
      interrupted: this.isInterrupted(run),
      createdAt: run.created_at,
      finishedAt: run.finished_at,
      total,
      done,
      failed: counts.failed,
      cancelled: counts.cancelled,
      ratePerSecondNow: Math.round(rate * 10) / 10,
      etaSeconds: rate > 0 ? Math.round(remaining / rate) : null,
      lastError: active?.runner.interruptedBy ?? this.interruptions.get(run.id) ?? this.journal.lastError(run.id),
    };
  }

  /**
   * Running, and worked on by no process: not this one, and no other has touched it lately (a command or the
   * app that ran it was stopped, or killed).
   */
  private isInterrupted(run: RunRow): boolean {
    if (run.state !== 'running' || this.active.has(run.id)) return false;
    return this.interruptions.has(run.id) || Date.now() - Date.parse(run.updated_at) > INTERRUPTED_AFTER_MS;
  }

  /**
   * At the app's start (its unlock), runs an earlier app or command left interrupted go on by themselves;
   * paused runs wait for the user's resume. Each shows through `migration.progress` and `migration.list`.
   */
  async resumeInterrupted(): Promise<string[]> {
    const interrupted = this.journal.runs().filter((run) => this.isInterrupted(run));
    for (const run of interrupted) await this.resume(run.id, 'at unlock');
    return interrupted.map((run) => run.id);
  }

  private progress(id: string, force: boolean): void {
    const now = Date.now();
    if (!force && now - (this.lastEmit.get(id) ?? 0) < PROGRESS_INTERVAL_MS) return;
    this.lastEmit.set(id, now);
    const run = this.journal.run(id);
    if (run) this.emit({ type: 'migration.progress', run: this.describe(run) });
  }
}
