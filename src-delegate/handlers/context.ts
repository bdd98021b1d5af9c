/**
 * What every delegate handler works with: the unlocked keyring, the backup
 * sessions in progress, the providers held open, and the sealing and masking
 * every value goes through on its way in.
 */
import type { DelegateEvent, DelegateOp, DelegateRequest, DelegateResult, SealBinding, SealRecipient, SealedMessage } from '../../src-shared/delegate-protocol.js';
import type { Keyring } from '../keyring.js';
import type { BackupSession } from '../backup.js';
import type { DelegateLog } from '../delegate-log.js';
import type { Sanitizer } from '../sanitizer.js';
import { ManagerPool } from '../managers/manager-pool.js';
import { DelegateFailure } from '../delegate-failure.js';
import { PreparedUnlocks } from '../prepared-unlocks.js';

export type DelegateHandler<Op extends DelegateOp> = (request: Extract<DelegateRequest, { op: Op }>) => Promise<DelegateResult<Op>>;
/** One handler per operation of the protocol: a missing one is a compile error. */
export type DelegateHandlers = { [Op in DelegateOp]: DelegateHandler<Op> };

export class DelegateContext {
  keyring: Keyring | null = null;
  exportSession: BackupSession | null = null;
  restoreSession: BackupSession | null = null;
  /** Providers held open, and the intermediate-key cache: both emptied on lock. */
  readonly managers: ManagerPool;

  /** `emit` sends progress (a connection test's stages) to main while a request runs. */
  constructor(
    readonly recipient: SealRecipient,
    readonly sanitizer: Sanitizer,
    readonly log: DelegateLog,
    readonly emit: (event: DelegateEvent) => void,
    /** Key derivations the delegate's start began ahead of an unlock. */
    readonly preparedUnlocks: PreparedUnlocks = new PreparedUnlocks(),
  ) {
    this.managers = new ManagerPool(
      (value) => this.trackValue(value),
      (managerId, status) =>
        this.log.write(status.state === 'paused' || status.state === 'failing' ? 'warn' : 'info', 'vault token renewal', {
          managerId,
          state: status.state,
          consecutiveFailures: status.consecutiveFailures,
          error: status.lastError?.code ?? null,
        }),
    );
  }

  requireKeyring(): Keyring {
    if (!this.keyring) throw new DelegateFailure('LOCKED', 'The store is locked.');
    return this.keyring;
  }

  /** Opens a sealed batch and registers every value with the sanitizer before anything else can print it. */
  async openSealed(sealed: SealedMessage, binding: SealBinding): Promise<string[]> {
    let values: string[];
    try {
      values = await this.recipient.open(sealed, binding);
    } catch {
      throw new DelegateFailure('SEAL_INVALID', 'The sealed value could not be opened: it was sealed to another key or for another operation.');
    }
    for (const value of values) this.trackValue(value);
    return values;
  }

  trackValue(value: string): void {
    if (!this.sanitizer.track(value)) {
      this.log.write('warn', 'a handled value, or one of its lines, is too short to mask safely in logs', { length: value.length });
    }
  }

  lock(): void {
    // Tokens are revoked in the background; `manager.closeAll` waits for it before a lock ends the process.
    void this.managers.closeAll();
    this.keyring?.wipe();
    this.keyring = null;
    this.preparedUnlocks.wipe();
    this.exportSession?.wipe();
    this.exportSession = null;
    this.restoreSession?.wipe();
    this.restoreSession = null;
    this.sanitizer.clear();
  }

  /** A structured payload is masked field by field as well as whole, so a password logged alone is caught. */
  trackPayload(payload: string): void {
    this.trackValue(payload);
    if (!payload.startsWith('{')) return;
    try {
      for (const field of Object.values(JSON.parse(payload) as Record<string, unknown>)) {
        if (typeof field === 'string') this.trackValue(field);
      }
    } catch {
      // A text value that merely starts with "{" is tracked whole above.
    }
  }
}
