import type { IpcError, IpcErrorCode } from '../../src-shared/contract.js';
import { DelegateCallError, type SupervisorErrorCode } from './delegate/supervisor.js';
import type { ProviderErrorCode } from '../../src-shared/delegate-protocol.js';

/** A failure the renderer should see as a typed error. Its message is shown to the user. */
export class AppError extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
    readonly extra: Pick<IpcError, 'retryAfterMs' | 'issues' | 'conflicts' | 'permission'> = {},
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
  PROVIDER: 'PROVIDER_ERROR',
  KIND_UNAVAILABLE: 'KIND_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
  DELEGATE_UNAVAILABLE: 'DELEGATE_UNAVAILABLE',
  DELEGATE_TIMEOUT: 'DELEGATE_TIMEOUT',
};

/** A secret manager's failure, as the renderer sees it. */
export const providerToIpc: Record<ProviderErrorCode, IpcErrorCode> = {
  AUTH_FAILED: 'PROVIDER_AUTH_FAILED',
  PERMISSION_DENIED: 'PROVIDER_PERMISSION_DENIED',
  NOT_FOUND: 'PROVIDER_NOT_FOUND',
  THROTTLED: 'PROVIDER_THROTTLED',
  UNREACHABLE: 'PROVIDER_UNREACHABLE',
  TLS_UNTRUSTED: 'PROVIDER_TLS_UNTRUSTED',
  INVALID: 'INVALID_REQUEST',
  CONFLICT: 'PROVIDER_CONFLICT',
  EXISTS: 'REMOTE_EXISTS',
  READ_ONLY: 'READ_ONLY',
  PROVIDER_ERROR: 'PROVIDER_ERROR',
};

/** Turns anything thrown inside the core into an AppError without leaking internals. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof DelegateCallError) {
    if (error.code === 'PROVIDER' && error.provider) {
      const { code, permission, retryAfterMs } = error.provider;
      return new AppError(providerToIpc[code], error.message, { ...(permission ? { permission } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    }
    return new AppError(delegateToIpc[error.code], error.message, error.issues ? { issues: error.issues } : {});
  }
  return new AppError('INTERNAL', 'Something went wrong inside Strongroom. Details are in the log.');
}
