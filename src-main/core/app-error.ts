import type { IpcError, IpcErrorCode } from '../ipc/contract.js';
import { DelegateCallError, type SupervisorErrorCode } from './delegate/supervisor.js';

/** A failure the renderer should see as a typed error. Its message is shown to the user. */
export class AppError extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
    readonly extra: Pick<IpcError, 'retryAfterMs' | 'issues' | 'conflicts'> = {},
  ) {
    super(message);
  }

  toIpcError(): IpcError {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

const delegateToIpc: Record<SupervisorErrorCode, IpcErrorCode> = {
  BAD_REQUEST: 'INVALID_REQUEST',
  LOCKED: 'LOCKED',
  WRONG_PASSPHRASE: 'WRONG_PASSPHRASE',
  WEAK_PASSPHRASE: 'WEAK_PASSPHRASE',
  INVALID_SECRET: 'INVALID_REQUEST',
  SEAL_INVALID: 'SEAL_INVALID',
  DECRYPT_FAILED: 'TAMPERED',
  INTERNAL: 'INTERNAL',
  DELEGATE_UNAVAILABLE: 'DELEGATE_UNAVAILABLE',
  DELEGATE_TIMEOUT: 'DELEGATE_TIMEOUT',
};

/** Turns anything thrown inside the core into an AppError without leaking internals. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof DelegateCallError) {
    return new AppError(delegateToIpc[error.code], error.message, error.issues ? { issues: error.issues } : {});
  }
  return new AppError('INTERNAL', 'Something went wrong inside Strongroom. Details are in the log.');
}
