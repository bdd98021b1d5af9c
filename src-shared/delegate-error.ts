/**
 * A failed delegate operation, as the delegate throws it and as main receives
 * it: its code, its masked message, per-field issues, a secret manager's typed
 * failure and, for a batch write to a secret store that failed part way, the
 * names written remotely and not removed again. Each side subclasses it with
 * its own codes (DelegateFailure, DelegateCallError).
 */
import type { ProviderFailure } from './delegate-protocol.js';

export class DelegateOperationError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly issues?: { path: string; message: string }[],
    /** PROVIDER: what the secret manager said, typed. */
    readonly provider?: ProviderFailure,
    /** A batch write to a secret store that failed part way: the names written remotely and not removed again. */
    readonly orphans?: string[],
  ) {
    super(message);
  }
}
