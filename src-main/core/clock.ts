/**
 * Time as the core sees it. The unlock delay and the idle lock read it, so
 * tests move time forward instead of sleeping; the product uses `systemClock`.
 */
export interface Clock {
  now(): number;
  /** Calls `callback` once after `ms`; the timer never keeps the process alive. */
  schedule(callback: () => void, ms: number): ScheduledCall;
}

export interface ScheduledCall {
  cancel(): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
