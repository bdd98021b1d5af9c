const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

/** Backoff before reconnect attempt `attempt` (0-based): quick after a blip, then at most every 5 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt));
}
