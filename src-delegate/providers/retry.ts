/**
 * Retries throttled and transient provider calls with capped exponential
 * backoff and full jitter, a bounded number of times. Anything else fails at
 * once: retrying a wrong credential only delays the admin's answer.
 */
import { ProviderError } from './provider.js';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000 };

export function isRetryable(error: unknown): boolean {
  return error instanceof ProviderError && (error.code === 'THROTTLED' || error.extra.retryable === true);
}

export async function withRetry<T>(operation: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY, random: () => number = Math.random): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= policy.attempts || !isRetryable(error)) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const hinted = error instanceof ProviderError ? (error.extra.retryAfterMs ?? 0) : 0;
      await new Promise((resolve) => setTimeout(resolve, Math.max(hinted, Math.floor(random() * ceiling))));
    }
  }
}
