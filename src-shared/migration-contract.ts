/**
 * The migration channels (docs/migration.md): preview, start, pause, resume,
 * cancel, status and report of moving secrets from one manager to another.
 * Spread into `channels` by contract.ts; the renderer and the CLI use them alike.
 */
import { z } from 'zod';
import { sealedMessageSchema } from './delegate-protocol.js';
import { secretTypes } from './secret-types.js';

const idSchema = z.string().uuid();
const managerIdSchema = z.string().min(1).max(64);

/** Why a secret cannot move, decided before anything changes (preview) or found while moving (run). */
export const migrationFailReasons = [
  'too-large',
  'target-read-only',
  'source-read-only',
  'scope-outside-target',
  'name-taken',
  'name-clash',
  'name-invalid',
  'versions-not-kept',
  'in-another-run',
  'secret-deleted',
  'copy-failed',
  'verify-failed',
  'source-remove-failed',
] as const;
export type MigrationFailReason = (typeof migrationFailReasons)[number];

export const migrationItemStates = ['planned', 'written', 'verified', 'switched', 'source_removed', 'failed', 'cancelled'] as const;
export type MigrationItemState = (typeof migrationItemStates)[number];

export const migrationRunStates = ['running', 'paused', 'cancelled', 'finished'] as const;

/** Which secrets, between which managers, how. */
export const migrationPlanRequestSchema = z.strictObject({
  sourceManagerId: managerIdSchema,
  targetManagerId: managerIdSchema,
  /** The secrets to move, by id or by name; every secret of the source when both are absent. */
  secretIds: z.array(idSchema).max(100_000).optional(),
  names: z.array(z.string().min(1).max(128)).max(100_000).optional(),
  /**
   * Also every secret of the source the secret list's filter matches (the same name search, types and usage
   * scope as `secrets.list`); with `secretIds` or `names`, the selection is both.
   */
  filter: z
    .strictObject({
      query: z.string().max(128).default(''),
      types: z.array(z.enum(secretTypes)).max(secretTypes.length).optional(),
      applicationId: idSchema.optional(),
      environmentId: idSchema.optional(),
    })
    .optional(),
  allVersions: z.boolean().default(false),
  deleteSource: z.boolean().default(false),
  /**
   * A reference whose remote the target reaches too (a manager of the same kind with the same identity) stays a
   * reference: the run re-points its manager and writes nothing remote. Others are copied in, as without it.
   */
  keepReferences: z.boolean().default(false),
  /** Edited target names, by secret id (secret-store targets). */
  renames: z.record(idSchema, z.string().min(1).max(512)).default({}),
});

export const migrationPreviewItemSchema = z.object({
  secretId: idSchema,
  name: z.string(),
  outcome: z.enum(['move', 'rename', 'fail']),
  /** Secret-store targets: the name the value is written under. */
  targetName: z.string().nullable(),
  reason: z.enum(migrationFailReasons).nullable(),
  detail: z.string().nullable(),
  versions: z.number().int(),
  /** The largest value among the versions that move, in bytes. */
  sizeBytes: z.number().int(),
  isReference: z.boolean(),
  /**
   * References only: whether it stays a reference (`keepReferences` asked, and the target reaches the same remote),
   * and why it can or cannot; null for a secret that is not a reference.
   */
  reference: z.object({ kept: z.boolean(), why: z.string() }).nullable(),
});
export type MigrationPreviewItem = z.infer<typeof migrationPreviewItemSchema>;

export const migrationPreviewSchema = z.object({
  items: z.array(migrationPreviewItemSchema),
  counts: z.object({ move: z.number().int(), rename: z.number().int(), fail: z.number().int() }),
});
export type MigrationPreview = z.infer<typeof migrationPreviewSchema>;

export const migrationRunSchema = z.object({
  id: idSchema,
  sourceManagerId: z.string(),
  targetManagerId: z.string(),
  allVersions: z.boolean(),
  deleteSource: z.boolean(),
  concurrency: z.number().int(),
  ratePerSecond: z.number().nullable(),
  state: z.enum(migrationRunStates),
  /** Running but not being worked on by this process (the app or the command that ran it was stopped): resume it. */
  interrupted: z.boolean(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  /** Secrets moved per second over the last seconds, and the time left at that rate. */
  ratePerSecondNow: z.number(),
  etaSeconds: z.number().nullable(),
  lastError: z.string().nullable(),
});
export type MigrationRun = z.infer<typeof migrationRunSchema>;

export const migrationReportItemSchema = z.object({
  secretId: z.string(),
  name: z.string(),
  targetName: z.string().nullable(),
  renamed: z.boolean(),
  state: z.enum(migrationItemStates),
  outcome: z.enum(['moved', 'renamed', 'failed', 'cancelled', 'pending']),
  reason: z.enum(migrationFailReasons).nullable(),
  detail: z.string().nullable(),
  updatedAt: z.string(),
});
export type MigrationReportItem = z.infer<typeof migrationReportItemSchema>;

const runIdRequest = z.strictObject({ runId: idSchema });

/** A manager's request rate for migrations: its kind's published quota, and the stored setting that replaces it. */
export const migrationRateSchema = z.object({
  managerId: z.string(),
  name: z.string(),
  kind: z.string(),
  /** Published default quota, requests per second; null when the kind publishes none (no limit until it throttles). */
  published: z.object({ readsPerSecond: z.number(), writesPerSecond: z.number() }).nullable(),
  /** The stored setting, requests per second for reads and for writes alike; null: the published quota. */
  ratePerSecond: z.number().nullable(),
});
export type MigrationRate = z.infer<typeof migrationRateSchema>;

export const migrationChannels = {
  'migration.preview': { request: migrationPlanRequestSchema, result: migrationPreviewSchema },
  'migration.start': {
    request: migrationPlanRequestSchema.extend({
      /** C: provider requests in flight at once per manager, not secrets (docs/migration.md, "Rate and concurrency"). */
      concurrency: z.number().int().min(1).max(256).default(16),
      /** Provider requests per second, per provider; absent: each kind's published quotas. */
      ratePerSecond: z.number().positive().max(1_000_000).optional(),
    }),
    result: migrationRunSchema,
  },
  'migration.pause': { request: runIdRequest, result: migrationRunSchema },
  'migration.resume': { request: runIdRequest, result: migrationRunSchema },
  'migration.cancel': { request: runIdRequest, result: migrationRunSchema },
  'migration.status': { request: runIdRequest, result: migrationRunSchema },
  'migration.list': { request: z.strictObject({}), result: z.object({ items: z.array(migrationRunSchema) }) },
  'migration.report': {
    request: runIdRequest.extend({ limit: z.number().int().min(1).max(100_000).default(1000), offset: z.number().int().min(0).default(0) }),
    result: z.object({ total: z.number().int(), items: z.array(migrationReportItemSchema) }),
  },
  /** Every manager's migration request rate (a run's `ratePerSecond` still overrides it for that run). */
  'migration.rates': { request: z.strictObject({}), result: z.object({ items: z.array(migrationRateSchema) }) },
  /** Stores a manager's migration request rate; null returns it to its kind's published quota. */
  'migration.setRate': {
    request: z.strictObject({ managerId: managerIdSchema, ratePerSecond: z.number().positive().max(1_000_000).nullable() }),
    result: z.object({ items: z.array(migrationRateSchema) }),
  },
  /** Master key rotation: a new keyring version; every data key, manager configuration and the audit key re-wrapped under it. */
  'keyring.rotate': {
    request: z.strictObject({ sealedPassphrase: sealedMessageSchema }),
    result: z.object({ version: z.number().int(), dataKeys: z.number().int(), configs: z.number().int(), dropped: z.array(z.number().int()), resumed: z.boolean() }),
  },
} as const;

/** Pushed while a run moves: at most a few times a second, and at every state change. */
export const migrationProgressEventSchema = z.object({ type: z.literal('migration.progress'), run: migrationRunSchema });
