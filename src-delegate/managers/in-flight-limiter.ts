/**
 * A migration's concurrency C is the number of provider requests in flight at
 * once per manager (docs/migration.md): what a provider's quota counts, and
 * what the benchmark's bound N·k·L/C assumes. Main keeps more secrets in hand
 * than C, so a call that ends hands its slot at once to the next call waiting
 * for that manager, whichever secret it belongs to, and no slot waits for
 * main's bookkeeping or the channel between two secrets.
 */

/** At most `limit` calls run at once; the others wait their turn in arrival order. */
export class InFlightLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private limit: number) {}

  /** Calls running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** A new limit applies to the next call that starts; calls already running finish. */
  setLimit(limit: number): void {
    this.limit = Math.max(1, limit);
    while (this.running < this.limit && this.waiting.length > 0) {
      this.running++;
      this.waiting.shift()!();
    }
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    // The slot is handed over by the call that releases it (`release` counts it), so no newcomer can take it first.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await call();
    } finally {
      this.release();
    }
  }

  private release(): void {
    const next = this.running <= this.limit ? this.waiting.shift() : undefined;
    if (next) next();
    else this.running--;
  }
}

/** One limiter per manager id, its limit the concurrency of the last request that named it. */
export class ManagerSlots {
  private readonly limiters = new Map<string, InFlightLimiter>();

  of(managerId: string, limit: number): InFlightLimiter {
    let limiter = this.limiters.get(managerId);
    if (!limiter) this.limiters.set(managerId, (limiter = new InFlightLimiter(limit)));
    else limiter.setLimit(limit);
    return limiter;
  }

  /** Runs `call` in a slot of `managerId`'s limiter, or at once when the request set no concurrency. */
  run<T>(managerId: string, limit: number | undefined, call: () => Promise<T>): Promise<T> {
    return limit === undefined ? call() : this.of(managerId, limit).run(call);
  }
}
