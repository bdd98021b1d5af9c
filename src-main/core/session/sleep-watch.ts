/**
 * Notices that the machine slept, for the session agent, which has no
 * Electron powerMonitor: a monotonic clock stands still while the machine is
 * suspended and the wall clock does not, so when the wall clock has moved
 * much further than the monotonic one between two checks, the machine was
 * asleep in between (or its clock was set forward, where locking is the safe
 * mistake). A check runs every few seconds; its cost is two clock reads.
 */
import { performance } from 'node:perf_hooks';
import type { Clock, ScheduledCall } from '../clock.js';

export interface SleepWatchClocks {
  /** Wall-clock milliseconds, as Date.now(). */
  wallMs(): number;
  /** Milliseconds on a clock that stops while the machine is suspended (libuv's CLOCK_MONOTONIC on Linux and macOS). */
  monotonicMs(): number;
}

export const systemSleepClocks: SleepWatchClocks = { wallMs: () => Date.now(), monotonicMs: () => performance.now() };

export interface SleepWatchOptions {
  /** How often the two clocks are compared. */
  intervalMs: number;
  /** How much further the wall clock must have moved than the monotonic one to count as a sleep. */
  thresholdMs: number;
  clocks: SleepWatchClocks;
  /** Schedules the next check; a check never keeps the process alive. */
  scheduler: Pick<Clock, 'schedule'>;
}

export const DEFAULT_SLEEP_WATCH = { intervalMs: 5_000, thresholdMs: 30_000 } as const;

/** Calls `onSleep` with how long the machine was away, once per sleep; returns the function that stops watching. */
export function watchForSleep(onSleep: (awayMs: number) => void, options: SleepWatchOptions): () => void {
  const { clocks, scheduler } = options;
  let lastWall = clocks.wallMs();
  let lastMonotonic = clocks.monotonicMs();
  let pending: ScheduledCall | null = null;
  const check = () => {
    const wall = clocks.wallMs();
    const monotonic = clocks.monotonicMs();
    const awayMs = wall - lastWall - (monotonic - lastMonotonic);
    lastWall = wall;
    lastMonotonic = monotonic;
    pending = scheduler.schedule(check, options.intervalMs);
    if (awayMs > options.thresholdMs) onSleep(awayMs);
  };
  pending = scheduler.schedule(check, options.intervalMs);
  return () => pending?.cancel();
}
