/**
 * What a new master (or backup) passphrase must be. Plain data, no zod, so the
 * CLI can check it without loading the contract's schemas.
 */

/** Minimum passphrase length; the delegate enforces it because only it sees the passphrase. */
export const MIN_PASSPHRASE_LENGTH = 10;

/**
 * The lowest zxcvbn score (0–4) a new master passphrase may have unless the
 * user explicitly accepts a weak one; the first-run screen and `strongroom init`
 * apply it. The delegate never sees a score: it checks only the length.
 */
export const MIN_PASSPHRASE_SCORE = 3;
