import type { IpcErrorCode } from '../../src-shared/contract.js';

/** When the next unlock attempt is allowed, or null when it is allowed now. */
export function retryDeadline(now: number, retryAfterMs: number | undefined): number | null {
  return retryAfterMs && retryAfterMs > 0 ? now + retryAfterMs : null;
}

/** Whole seconds left, rounded up so the button never re-enables while "0 s" would still be wrong. */
export function secondsUntil(deadline: number | null, now: number): number {
  if (deadline === null) return 0;
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** The unlock screen's error line, with the countdown while attempts are blocked. */
export function unlockErrorText(code: IpcErrorCode | null, secondsLeft: number): string | null {
  const wait = secondsLeft > 0 ? ` Try again in ${formatWait(secondsLeft)}.` : '';
  if (code === 'WRONG_PASSPHRASE') return `Wrong passphrase.${wait}`;
  if (code === 'RATE_LIMITED') return `Too many attempts.${wait || ' Try again now.'}`;
  if (secondsLeft > 0) return `Too many attempts. Try again in ${formatWait(secondsLeft)}.`;
  return null;
}
