/**
 * The preview of a migration: every selected secret is classified as "move",
 * "rename" (with the name it gets in the target) or "fail" with a reason,
 * before anything changes. The limits and rules come from each kind's
 * description (src-shared/manager-kinds.ts), read through `rules` alone;
 * sizes are measured inside the delegate, which alone sees the values; taken
 * names are probed in the target store.
 */
import type { Database } from 'better-sqlite3';
import type { MigrationFailReason, MigrationPreview, MigrationPreviewItem, ParsedRequest } from '../../../src-shared/contract.js';
import { managerKindSpec, type NameRule } from '../../../src-shared/manager-kinds.js';
import { MAX_BATCH } from '../../../src-shared/delegate-protocol.js';
import { AppError, toAppError } from '../app-error.js';
import type { DelegateSupervisor } from '../delegate/supervisor.js';
import { referenceReach } from '../../../src-shared/reference-reach.js';
import { scopeWithin } from '../scope/usage-scope.js';
import type { CatalogService } from '../services/catalog-service.js';
import type { ManagerInfo, ManagersService } from '../services/managers-service.js';
import type { SecretRow, SecretsService } from '../services/secrets-service.js';
import { prepared } from '../store/prepared.js';
import type { MigrationJournal } from './journal.js';

export type PlanRequest = ParsedRequest<'migration.preview'>;

/** Reading values to measure them may retry throttling: give it time. */
export const MANAGER_TIMEOUT_MS = 180_000;

/** The delegate reads this many remote values at once per request (its REMOTE_CONCURRENCY and PROBE_CONCURRENCY). */
const REMOTE_BATCH = 8;

/** Runs `work` over `list` in batches, `parallel` batches at a time. */
async function inBatches<T>(list: T[], size: number, parallel: number, work: (batch: T[]) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const start = next;
      next += size;
      await work(list.slice(start, start + size));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
}

/** What a migration reads from a kind's description, for one manager's configuration. */
export interface KindRules {
  maxValueBytes: number;
  /** Null: any Strongroom name fits (the built-in store and key managers keep values here). */
  nameRule: NameRule | null;
  keepsVersions: boolean;
  /** Requests per second; Infinity where the kind publishes no quota. */
  quota: { readsPerSecond: number; writesPerSecond: number };
}

export interface Plan {
  source: ManagerInfo;
  target: ManagerInfo;
  limits: KindRules;
  rows: Map<string, SecretRow>;
  preview: MigrationPreview;
}

export class MigrationPlanner {
  constructor(
    private readonly db: Database,
    private readonly delegate: DelegateSupervisor,
    private readonly secrets: SecretsService,
    private readonly managers: ManagersService,
    private readonly catalog: CatalogService,
    private readonly journal: MigrationJournal,
  ) {}

  publicConfig(managerId: string): Record<string, unknown> {
    const row = prepared(this.db, 'SELECT public_config FROM managers WHERE id = ?').get(managerId) as { public_config: string } | undefined;
    return JSON.parse(row?.public_config ?? '{}') as Record<string, unknown>;
  }

  limits(manager: ManagerInfo): KindRules {
    const spec = managerKindSpec(manager.kind);
    if (!spec) throw new AppError('INVALID_REQUEST', `"${manager.name}" is of a kind this version of Strongroom does not know (${manager.kind}).`);
    const config = this.publicConfig(manager.id);
    return {
      maxValueBytes: spec.maxValueBytes,
      nameRule: spec.nameRule(config),
      keepsVersions: spec.keepsVersions(config),
      quota: spec.requestQuota ?? { readsPerSecond: Infinity, writesPerSecond: Infinity },
    };
  }

  /** The kept versions of a secret, oldest first. */
  versionNumbers(secretId: string): number[] {
    return (prepared(this.db, 'SELECT version FROM secret_versions WHERE secret_id = ? ORDER BY version').all(secretId) as { version: number }[]).map((row) => row.version);
  }

  private selectRows(request: PlanRequest, sourceId: string): SecretRow[] {
    const all = prepared(this.db, 'SELECT rowid, * FROM secrets WHERE manager_id = ? ORDER BY name COLLATE NOCASE').all(sourceId) as SecretRow[];
    if (!request.secretIds && !request.names && !request.filter) return all;
    const ids = new Set(request.secretIds ?? []);
    if (request.filter) {
      // The secret list's own matching (name search, types, scope), over the source manager's secrets.
      const matched = this.secrets.list({ ...request.filter, managerId: sourceId, sort: 'name', direction: 'asc', limit: all.length + 1, offset: 0 });
      for (const item of matched.items) ids.add(item.id);
    }
    const names = new Set((request.names ?? []).map((name) => name.toLowerCase()));
    const picked = all.filter((row) => ids.has(row.id) || names.has(row.name.toLowerCase()));
    const found = new Set(picked.flatMap((row) => [row.id, row.name.toLowerCase()]));
    const missing = [...(request.secretIds ?? []), ...(request.names ?? [])].filter((key) => !found.has(key.toLowerCase()) && !found.has(key));
    if (missing.length > 0) {
      throw new AppError('NOT_FOUND', `Not in the source manager: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}.`);
    }
    return picked;
  }

  /**
   * `probeNames`: whether the target's names are probed now (a preview). A run's start leaves it to each item's
   * write, which probes its name right before the create, in the run's pipeline (runner.ts); the store's own
   * create refuses a taken name in either case.
   */
  async plan(request: PlanRequest, concurrency: number, probeNames = true): Promise<Plan> {
    if (request.sourceManagerId === request.targetManagerId) throw new AppError('INVALID_REQUEST', 'The source and the target are the same manager.');
    const source = this.managers.info(request.sourceManagerId);
    const target = this.managers.info(request.targetManagerId);
    const limits = this.limits(target);
    const rows = this.selectRows(request, source.id);
    const busy = this.journal.busySecretIds();
    const targetScope = this.catalog.managerScope(target.id).scope;
    const environments = targetScope.scoped ? this.catalog.environmentIndex() : new Map();
    const referenceVerdicts = await this.referenceVerdicts(rows, source, target, request.keepReferences, busy, concurrency);

    const items: MigrationPreviewItem[] = rows.map((row) => {
      const reference = referenceVerdicts.get(row.id) ?? null;
      if (reference?.kept) return this.keptReference(row, reference, request.allVersions, busy, targetScope, environments, target);
      const versions = request.allVersions ? this.versionNumbers(row.id).length : 1;
      const fail = (reason: MigrationFailReason, detail: string) => ({ reason, detail });
      let verdict: { reason: MigrationFailReason; detail: string } | null = null;
      let targetName: string | null = null;
      if (target.role === 'secret-store' && limits.nameRule) {
        const rule = limits.nameRule;
        const edited = request.renames[row.id];
        targetName = edited ?? (rule.pattern.test(row.name) && row.name.length <= rule.maxLength ? row.name : rule.fit(row.name));
        if (!rule.pattern.test(targetName) || targetName.length > rule.maxLength) {
          verdict = fail('name-invalid', `"${targetName}" does not fit ${target.name}'s names (${rule.pattern.source}, at most ${rule.maxLength} characters).`);
        }
      }
      if (busy.has(row.id)) verdict = fail('in-another-run', 'Another unfinished migration is moving this secret.');
      else if (target.readOnly) verdict = fail('target-read-only', `"${target.name}" is read-only: Strongroom writes no values into it.`);
      else if (request.deleteSource && source.readOnly && row.remote_name !== null && row.reference === null)
        verdict = fail('source-read-only', `"${source.name}" is read-only: its copy cannot be removed.`);
      else if (targetScope.scoped && !scopeWithin(this.secrets.scopeOf(row), targetScope, environments))
        verdict = fail('scope-outside-target', `The secret's scope does not fit inside the scope of "${target.name}".`);
      else if (request.allVersions && !limits.keepsVersions && versions > 1)
        verdict = fail('versions-not-kept', `"${target.name}" keeps only the current value, and this secret has ${versions} versions.`);
      return {
        secretId: row.id,
        name: row.name,
        outcome: verdict ? 'fail' : targetName !== null && targetName !== row.name ? 'rename' : 'move',
        targetName,
        reason: verdict?.reason ?? null,
        detail: verdict?.detail ?? null,
        versions,
        sizeBytes: 0,
        isReference: row.reference !== null,
        reference,
      };
    });

    const byId = new Map(rows.map((row) => [row.id, row]));
    await this.measure(items, byId, request.allVersions, limits, target, concurrency, this.limits(source));
    if (target.role === 'secret-store' && limits.nameRule) {
      this.refuseClashes(items, target, limits.nameRule.caseInsensitive);
      if (probeNames) await this.refuseTaken(items, target, concurrency);
    }
    const counts = { move: 0, rename: 0, fail: 0 };
    for (const item of items) counts[item.outcome]++;
    return { source, target, limits, rows: byId, preview: { items, counts } };
  }

  /**
   * For every reference: whether it stays one, and why. It can when the target reaches the same remote (same kind,
   * same identity: reference-reach.ts); when the admin asked to keep references, the target is also asked to read
   * it (nothing is written), so a target whose credentials cannot see it copies the value in instead.
   */
  private async referenceVerdicts(
    rows: SecretRow[],
    source: ManagerInfo,
    target: ManagerInfo,
    keepReferences: boolean,
    busy: Set<string>,
    concurrency: number,
  ): Promise<Map<string, { kept: boolean; why: string }>> {
    const verdicts = new Map<string, { kept: boolean; why: string }>();
    const references = rows.filter((row) => row.reference !== null);
    if (references.length === 0) return verdicts;
    const reach = referenceReach(
      { name: source.name, kind: source.kind, config: this.publicConfig(source.id) },
      { name: target.name, kind: target.kind, config: this.publicConfig(target.id) },
    );
    const copied = 'its remote value is copied in and it stops being a reference.';
    for (const row of references) {
      if (!reach.reaches) verdicts.set(row.id, { kept: false, why: `The target cannot reach the same remote: ${reach.why} So ${copied}` });
      else if (!keepReferences) verdicts.set(row.id, { kept: false, why: `${reach.why}, so it could stay a reference (keep references); as asked, ${copied}` });
    }
    if (!reach.reaches || !keepReferences) return verdicts;
    const context = this.managers.context(target.id)!;
    const candidates = references.filter((row) => !busy.has(row.id));
    await inBatches(candidates, 1, Math.min(REMOTE_BATCH, Math.max(1, concurrency)), async ([row]) => {
      try {
        await this.delegate.request({ op: 'secrets.checkReference', manager: context, reference: row!.reference! }, MANAGER_TIMEOUT_MS);
        verdicts.set(row!.id, { kept: true, why: `Stays a reference (target reaches the same remote): ${reach.why}, and reads ${row!.reference}.` });
      } catch (error) {
        verdicts.set(row!.id, { kept: false, why: `"${target.name}" could not read ${row!.reference} (${toAppError(error).message}) So ${copied}` });
      }
    });
    return verdicts;
  }

  /** A reference that stays one: no name in the target, no value measured or written; only its scope and other runs can stop it. */
  private keptReference(
    row: SecretRow,
    reference: { kept: boolean; why: string },
    allVersions: boolean,
    busy: Set<string>,
    targetScope: ReturnType<CatalogService['managerScope']>['scope'],
    environments: ReturnType<CatalogService['environmentIndex']>,
    target: ManagerInfo,
  ): MigrationPreviewItem {
    const verdict: { reason: MigrationFailReason; detail: string } | null = busy.has(row.id)
      ? { reason: 'in-another-run', detail: 'Another unfinished migration is moving this secret.' }
      : targetScope.scoped && !scopeWithin(this.secrets.scopeOf(row), targetScope, environments)
        ? { reason: 'scope-outside-target', detail: `The secret's scope does not fit inside the scope of "${target.name}".` }
        : null;
    return {
      secretId: row.id,
      name: row.name,
      outcome: verdict ? 'fail' : 'move',
      targetName: null,
      reason: verdict?.reason ?? null,
      detail: verdict?.detail ?? null,
      versions: allVersions ? this.versionNumbers(row.id).length : 1,
      sizeBytes: 0,
      isReference: true,
      reference: verdict ? { kept: false, why: reference.why } : reference,
    };
  }

  /** Sizes are read inside the delegate, in batches: only the numbers come back. */
  private async measure(
    items: MigrationPreviewItem[],
    rows: Map<string, SecretRow>,
    allVersions: boolean,
    limits: KindRules,
    target: ManagerInfo,
    concurrency: number,
    sourceLimits: KindRules,
  ): Promise<void> {
    // A source that keeps no value larger than the target does needs no measuring: every value it holds fits.
    if (sourceLimits.maxValueBytes <= limits.maxValueBytes) return;
    // A reference that stays one is not copied: nothing of it is written into the target.
    const wanted = items.filter((item) => item.outcome !== 'fail' && !item.reference?.kept);
    const stored = wanted.flatMap((item) => {
      const row = rows.get(item.secretId)!;
      const versions = allVersions ? this.versionNumbers(row.id) : [row.current_version];
      return versions.map((version) => ({ item, stored: this.secrets.storedVersion(row, version) }));
    });
    // Remote values are read REMOTE_BATCH at a time per request, with requests side by side up to the concurrency.
    const remote = stored.some((entry) => entry.stored.encrypted.remote);
    await inBatches(stored, remote ? REMOTE_BATCH : MAX_BATCH, remote ? Math.ceil(concurrency / REMOTE_BATCH) : 1, async (batch) => {
      const versions = batch.map((entry) => entry.stored);
      const { sizes } = await this.delegate.request({ op: 'migration.measure', items: versions, ...this.secrets.dependencies(versions) }, MANAGER_TIMEOUT_MS);
      batch.forEach((entry, i) => (entry.item.sizeBytes = Math.max(entry.item.sizeBytes, sizes[i]!)));
    });
    for (const item of wanted) {
      if (item.sizeBytes > limits.maxValueBytes) {
        Object.assign(item, {
          outcome: 'fail',
          reason: 'too-large',
          detail: `${item.sizeBytes} bytes; "${target.name}" keeps values up to ${limits.maxValueBytes} bytes.`,
        });
      }
    }
  }

  /** Two secrets may not land on one name, nor on the name of a secret the target already holds. */
  private refuseClashes(items: MigrationPreviewItem[], target: ManagerInfo, caseInsensitive: boolean): void {
    const key = (name: string) => (caseInsensitive ? name.toLowerCase() : name);
    const held = new Set(
      (prepared(this.db, 'SELECT remote_name FROM secrets WHERE manager_id = ? AND remote_name IS NOT NULL').all(target.id) as { remote_name: string }[]).map((row) =>
        key(row.remote_name),
      ),
    );
    const claims = new Map<string, MigrationPreviewItem[]>();
    for (const item of items) {
      if (item.targetName === null || item.reason === 'name-invalid') continue;
      claims.set(key(item.targetName), [...(claims.get(key(item.targetName)) ?? []), item]);
    }
    for (const [name, claimants] of claims) {
      if (claimants.length < 2 && !held.has(name)) continue;
      for (const item of claimants) {
        if (item.outcome === 'fail' && item.reason !== null) continue;
        const others = claimants.filter((other) => other !== item).map((other) => other.name);
        Object.assign(item, {
          outcome: 'fail',
          reason: 'name-clash',
          detail: held.has(name)
            ? `"${item.targetName}" is the name of a secret "${target.name}" already holds for Strongroom.`
            : `"${item.targetName}" is also the target name of ${others.join(', ')}. Edit one of the names.`,
        });
      }
    }
  }

  /** A name that already holds a value in the target store is never written over: Strongroom did not write it. */
  private async refuseTaken(items: MigrationPreviewItem[], target: ManagerInfo, concurrency: number): Promise<void> {
    // A name where an earlier migration of the same secret journaled a create it may have made is probed by the
    // write itself, which claims the value only when it is one of the secret's own (migration-handlers.ts).
    const candidates = items.filter(
      (item) => item.outcome !== 'fail' && item.targetName !== null && !this.secrets.remoteWrites.isPending(target.id, item.secretId, item.targetName),
    );
    const context = this.managers.context(target.id)!;
    // The delegate holds `concurrency` probes in flight; twice as many names in hand keep its slots full.
    await inBatches(candidates, REMOTE_BATCH, Math.ceil((concurrency * 2) / REMOTE_BATCH), async (batch) => {
      const { taken } = await this.delegate.request(
        { op: 'migration.probe', manager: context, names: batch.map((item) => item.targetName!), concurrency },
        MANAGER_TIMEOUT_MS,
      );
      const set = new Set(taken);
      for (const item of batch) {
        if (set.has(item.targetName!)) {
          Object.assign(item, {
            outcome: 'fail',
            reason: 'name-taken',
            detail: `"${item.targetName}" already exists in "${target.name}", and Strongroom did not write it. Give the secret another target name.`,
          });
        }
      }
    });
  }
}
