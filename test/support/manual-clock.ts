import type { Clock, ScheduledCall } from '../../src-main/core/clock.js';

/** A clock that moves only when the test says so; due calls run in time order inside `advance`. */
export class ManualClock implements Clock {
  private current: number;
  private readonly calls = new Set<{ due: number; callback: () => void }>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(callback: () => void, ms: number): ScheduledCall {
    const call = { due: this.current + ms, callback };
    this.calls.add(call);
    return { cancel: () => this.calls.delete(call) };
  }

  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const next = [...this.calls].filter((call) => call.due <= until).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.calls.delete(next);
      this.current = next.due;
      next.callback();
    }
    this.current = until;
  }
}
