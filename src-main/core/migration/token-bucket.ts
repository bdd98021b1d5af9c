/**
 * A token bucket per provider: requests wait for tokens that refill at a rate.
 * A throttling answer halves the rate (and honours the provider's Retry-After);
 * every request that goes through afterwards earns a little of it back, up to
 * the configured ceiling. So throttling slows a migration down, it does not
 * fail its items.
 */
export class TokenBucket {
  private tokens: number;
  private rate: number;
  private last: number;
  private blockedUntil = 0;
  /** Serialises waiters so tokens go out in arrival order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    /** Requests per second at most; Infinity: no limit until the provider throttles. */
    private readonly ceiling: number,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.rate = ceiling;
    this.tokens = this.burst();
    this.last = this.now();
  }

  /** The current rate, in requests per second. */
  get currentRate(): number {
    return this.rate;
  }

  /** About one second of requests may go at once. */
  private burst(): number {
    return Number.isFinite(this.rate) ? Math.max(1, this.rate) : Infinity;
  }

  private refill(): void {
    const now = this.now();
    if (Number.isFinite(this.rate)) this.tokens = Math.min(this.burst(), this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  /** Waits until `count` requests may go. */
  take(count = 1): Promise<void> {
    if (count <= 0) return Promise.resolve();
    const turn = this.queue.then(async () => {
      for (;;) {
        const blocked = this.blockedUntil - this.now();
        if (blocked > 0) {
          await this.sleep(blocked);
          continue;
        }
        if (!Number.isFinite(this.rate)) return;
        this.refill();
        // A request larger than the burst goes once the bucket is full.
        const need = Math.min(count, this.burst());
        if (this.tokens >= need) {
          this.tokens -= need;
          return;
        }
        await this.sleep(Math.ceil(((need - this.tokens) / this.rate) * 1000));
      }
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * The provider said "too many requests": halve the rate, and pause for its
   * Retry-After. `observedRate` seeds an unlimited bucket with what was going
   * through when the provider pushed back.
   */
  throttled(retryAfterMs: number | undefined, observedRate: number): void {
    const base = Number.isFinite(this.rate) ? this.rate : Math.max(1, observedRate);
    this.rate = Math.max(1, base / 2);
    this.tokens = Math.min(this.tokens, this.burst());
    this.last = this.now();
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + (retryAfterMs ?? 1000 / this.rate));
  }

  /** A request went through: recover a little of the rate (additive increase). */
  succeeded(): void {
    if (this.rate < this.ceiling) this.rate = Math.min(this.ceiling, this.rate + Math.max(0.5, this.rate * 0.02));
  }
}
