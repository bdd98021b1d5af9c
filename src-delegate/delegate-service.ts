/**
 * The delegate's operations, independent of transport so they can be tested
 * in memory. Requests arrive already validated against src-shared/delegate-protocol.ts.
 * Each domain's handlers live in handlers/; this combines them into one map
 * the compiler checks for completeness and types every failure.
 */
import { createSealRecipient, type DelegateEvent, type DelegateRequest, type SealRecipient } from '../src-shared/delegate-protocol.js';
import type { PreparedUnlocks } from './prepared-unlocks.js';
import type { Sanitizer } from './sanitizer.js';
import type { DelegateLog } from './delegate-log.js';
import { DelegateFailure, typedFailure } from './delegate-failure.js';
import { DelegateContext, type DelegateHandlers } from './handlers/context.js';
import { keyringHandlers } from './handlers/keyring.js';
import { secretsHandlers } from './handlers/secrets.js';
import { backupHandlers } from './handlers/backup.js';
import { managerHandlers } from './handlers/managers.js';
import { connectionTestHandlers } from './handlers/connection-tests.js';
import { auditHandlers } from './handlers/audit.js';
import { rowIntegrityHandlers } from './handlers/row-integrity.js';
import { openValues, storeValues } from './handlers/stored-values.js';
import { createMigrationHandlers } from './migration-handlers.js';
import { createRotationHandlers } from './keyring-rotation-handlers.js';

export class DelegateService {
  private readonly handlers: DelegateHandlers;

  private constructor(private readonly context: DelegateContext) {
    this.handlers = {
      ...keyringHandlers(context),
      ...secretsHandlers(context),
      ...backupHandlers(context),
      ...managerHandlers(context),
      ...connectionTestHandlers(context),
      ...auditHandlers(context),
      ...rowIntegrityHandlers(context),
      ...createMigrationHandlers({
        requireKeyring: () => context.requireKeyring(),
        openValues: (keyring, items, managers, records, gate) => openValues(context, keyring, items, managers, records, gate ? { gate } : {}),
        storeValues: (keyring, manager, items, current, gate) => storeValues(context, keyring, manager, items, current, gate),
        pool: () => context.managers,
        fail: (code, message) => new DelegateFailure(code, message),
      }),
      ...createRotationHandlers({
        requireKeyring: () => context.requireKeyring(),
        openSealed: (sealed, binding) => context.openSealed(sealed, binding),
        fail: (code, message) => new DelegateFailure(code, message),
      }),
    } satisfies DelegateHandlers;
  }

  /** `emit` sends progress (a connection test's stages) to main while a request runs. */
  /** The recipient and the prepared unlocks are the delegate start's own when it made them before loading this. */
  static async create(
    sanitizer: Sanitizer,
    log: DelegateLog,
    emit: (event: DelegateEvent) => void = () => undefined,
    recipient?: SealRecipient,
    preparedUnlocks?: PreparedUnlocks,
  ): Promise<DelegateService> {
    return new DelegateService(new DelegateContext(recipient ?? (await createSealRecipient()), sanitizer, log, emit, preparedUnlocks));
  }

  async handle(request: DelegateRequest): Promise<unknown> {
    const handler = this.handlers[request.op] as (r: DelegateRequest) => Promise<unknown>;
    try {
      return await handler(request);
    } catch (error) {
      throw this.typed(error);
    }
  }

  private typed(error: unknown): unknown {
    return typedFailure(error, this.context.sanitizer);
  }
}
