import type { Channel, IpcError, IpcErrorCode } from '../../src-shared/contract.js';

/** A call that main answered with an error: carries the contract's IpcError unchanged. */
export class IpcCallError extends Error {
  readonly code: IpcErrorCode;
  readonly retryAfterMs: number | undefined;
  readonly issues: IpcError['issues'];

  constructor(
    readonly channel: Channel,
    readonly error: IpcError,
  ) {
    super(error.message);
    this.name = 'IpcCallError';
    this.code = error.code;
    this.retryAfterMs = error.retryAfterMs;
    this.issues = error.issues;
  }
}

/** The bridge's socket closed before the reply arrived; main may or may not have acted. */
export class ConnectionLostError extends Error {
  constructor() {
    super('The connection to Strongroom was lost.');
    this.name = 'ConnectionLostError';
  }
}

export function isIpcError(err: unknown, ...codes: IpcErrorCode[]): err is IpcCallError {
  return err instanceof IpcCallError && (codes.length === 0 || codes.includes(err.code));
}

// NAME_TAKEN is not here: main says which name is taken and by what (a secret, a manager, a saved search, an application).
const messages: Partial<Record<IpcErrorCode, string>> = {
  LOCKED: 'The store is locked.',
  WRONG_PASSPHRASE: 'Wrong passphrase.',
  RATE_LIMITED: 'Too many unlock attempts.',
  NOT_FOUND: 'This secret no longer exists.',
  SEAL_INVALID: 'Strongroom’s key service restarted while this was being sent. Please try again.',
  DELEGATE_UNAVAILABLE: 'Strongroom’s key service is not running. Try again in a moment.',
  DELEGATE_TIMEOUT: 'Strongroom’s key service did not answer in time. Try again.',
  TOO_LARGE: 'That is too large to store.',
  BUSY: 'Too many requests at once. Try again in a moment.',
};

/** One sentence for a banner or an inline error. */
export function describeError(err: unknown): string {
  if (err instanceof IpcCallError) {
    if (err.code === 'TAMPERED') return `Stored data failed its integrity check: ${err.message}`;
    return messages[err.code] ?? err.message;
  }
  if (err instanceof ConnectionLostError) return 'The connection to Strongroom was lost. Try again once it is back.';
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong.';
}
