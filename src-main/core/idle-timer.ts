/**
 * Locks the store when nothing has asked main for anything for the configured
 * time. The renderer also tracks keyboard and pointer idleness and reports
 * activity; this timer is the backstop when the renderer is gone or hung.
 */
export class IdleTimer {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly timeoutMs: () => number,
    private readonly onIdle: () => void,
  ) {}

  reset(): void {
    this.stop();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onIdle();
    }, this.timeoutMs());
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
