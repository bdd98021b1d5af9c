import type { Clock, ScheduledCall } from './clock.js';

/**
 * Locks the store when nothing has asked main for anything for the configured
 * time. The renderer also tracks keyboard and pointer idleness and reports
 * activity; this timer is the backstop when the renderer is gone or hung.
 */
export class IdleTimer {
  private pending: ScheduledCall | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: () => number,
    private readonly onIdle: () => void,
  ) {}

  reset(): void {
    this.stop();
    this.pending = this.clock.schedule(() => {
      this.pending = null;
      this.onIdle();
    }, this.timeoutMs());
  }

  stop(): void {
    this.pending?.cancel();
    this.pending = null;
  }
}
