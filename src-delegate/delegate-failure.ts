/** A typed failure of a delegate operation: main receives its code, masked message and field issues. */
import type { DelegateErrorCode, ProviderFailure } from '../src-shared/delegate-protocol.js';

export class DelegateFailure extends Error {
  constructor(
    readonly code: DelegateErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
    /** PROVIDER: what the secret manager said, typed. */
    readonly provider?: ProviderFailure,
  ) {
    super(message);
  }
}
