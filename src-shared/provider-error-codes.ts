/**
 * The kinds of provider failure, on their own so the protocol (and through
 * it the renderer, which has no Node types) can name them without importing
 * the provider interface.
 */
export const providerErrorCodes = [
  'AUTH_FAILED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'THROTTLED',
  'UNREACHABLE',
  'TLS_UNTRUSTED',
  'INVALID',
  'CONFLICT',
  /** A create found the name already taken in the store by a secret Strongroom did not write. */
  'EXISTS',
  'READ_ONLY',
  'PROVIDER_ERROR',
] as const;
export type ProviderErrorCode = (typeof providerErrorCodes)[number];
