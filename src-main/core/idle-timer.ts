import type { Clock, ScheduledCall } from './clock.js';

/**
 * Locks the store when nothing has asked main for anything for the configured
 * time. The renderer also tracks keyboard and pointer idleness and reports
 * activity; this timer is the backstop when the renderer is gone or hung.
 *
 * A request being served is not idleness: while any is in flight (`busy`)
 * the timer does not run, and the idle time counts from the end of the last
 * one, so a long export or restore is never cut midway by the timeout.
 */
export class IdleTimer {
  private pending: ScheduledCall | null = null;
  private inFlight = 0;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: () => number,
    private readonly onIdle: () => void,
  ) {}

  /** Activity now: the idle time starts again (once no request is in flight). */
  reset(): void {
    this.pending?.cancel();
    this.pending = null;
    this.stopped = false;
    if (this.inFlight > 0) return;
    this.pending = this.clock.schedule(() => {
      this.pending = null;
      this.onIdle();
    }, this.timeoutMs());
  }

  /** A request starts; the returned call says it ended, and the idle time counts from then. */
  busy(): () => void {
    this.inFlight++;
    this.pending?.cancel();
    this.pending = null;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight--;
      if (!this.stopped) this.reset();
    };
  }

  /** No expiry until the next `reset` (the store locked or closed); a request ending meanwhile does not start it again. */
  stop(): void {
    this.stopped = true;
    this.pending?.cancel();
    this.pending = null;
  }
}
