/** A typed failure of a delegate operation: main receives its code, masked message and field issues. */
import type { DelegateErrorCode, ProviderFailure } from '../src-shared/delegate-protocol.js';
import { DelegateOperationError } from '../src-shared/delegate-error.js';
import { ConfigDamagedError } from './managers/manager-pool.js';
import { KindUnavailableError } from './managers/registry.js';
import { ProviderError } from './providers/provider.js';
import type { Sanitizer } from './sanitizer.js';

export class DelegateFailure extends DelegateOperationError<DelegateErrorCode> {}

/** Provider failures become PROVIDER errors, their messages masked here, before anything else sees them. */
export function typedFailure(error: unknown, sanitizer: Sanitizer): unknown {
  if (error instanceof ProviderError) {
    const provider: ProviderFailure = { code: error.code };
    if (error.extra.permission) provider.permission = sanitizer.mask(error.extra.permission).slice(0, 512);
    if (error.extra.retryAfterMs !== undefined) provider.retryAfterMs = Math.max(0, Math.round(error.extra.retryAfterMs));
    return new DelegateFailure('PROVIDER', sanitizer.mask(error.message), undefined, provider);
  }
  if (error instanceof ConfigDamagedError) return new DelegateFailure('DECRYPT_FAILED', error.message);
  if (error instanceof KindUnavailableError) return new DelegateFailure('KIND_UNAVAILABLE', error.message);
  return error;
}
