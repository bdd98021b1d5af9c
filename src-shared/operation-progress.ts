/**
 * Progress of long operations that run in main (backup export and restore,
 * bulk scope edits): the request carries an operation id chosen by the
 * caller, main pushes `operation.progress` events tagged with it, and
 * `operations.cancel` asks main to stop it where stopping is safe. Spread
 * into `channels` and `appEventSchema` by contract.ts.
 */
import { z } from 'zod';

/** Chosen by the renderer or the CLI, so it can match progress events to its own request. */
export const operationIdSchema = z.string().uuid();

/** The operations that report progress this way. */
export const progressOperations = ['backup.export', 'backup.restore', 'secrets.scopeMany'] as const;
export type ProgressOperation = (typeof progressOperations)[number];

/**
 * What `done` and `total` count, so a bar can say it: secrets written into a
 * backup, parts of a backup decrypted, secrets written by a restore (one
 * transaction), secrets whose scope was edited.
 */
export const progressPhases = ['exporting', 'decrypting', 'writing', 'editing'] as const;
export type ProgressPhase = (typeof progressPhases)[number];

export const operationProgressEventSchema = z.object({
  type: z.literal('operation.progress'),
  operationId: operationIdSchema,
  operation: z.enum(progressOperations),
  phase: z.enum(progressPhases),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  /** False while a step runs that cannot be stopped (a restore's one write transaction). */
  cancellable: z.boolean(),
});
export type OperationProgressEvent = z.infer<typeof operationProgressEventSchema>;

export const operationChannels = {
  /**
   * Asks the operation to stop at its next safe point (between batches or
   * backup parts). `stopping` is false when no such operation is running
   * (finished already, or never started) or it cannot be stopped any more.
   */
  'operations.cancel': {
    request: z.strictObject({ operationId: operationIdSchema }),
    result: z.object({ stopping: z.boolean() }),
  },
} as const;
