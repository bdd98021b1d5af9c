/** The session's sleep detection, with the clocks injected: time moves only when the test says so. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLEEP_WATCH, watchForSleep } from '../../src-main/core/session/sleep-watch.js';
import { ManualClock } from '../support/manual-clock.js';

/** A monotonic clock that is the manual one, and a wall clock that can jump ahead of it, as after a suspend. */
function machine() {
  const clock = new ManualClock();
  let wallAhead = 0;
  return {
    clock,
    clocks: { wallMs: () => clock.now() + wallAhead, monotonicMs: () => clock.now() },
    sleep(ms: number) {
      wallAhead += ms;
    },
  };
}

describe('watchForSleep', () => {
  const { intervalMs, thresholdMs } = DEFAULT_SLEEP_WATCH;

  it('stays quiet while both clocks move together, and through a small correction of the wall clock', () => {
    const { clock, clocks, sleep } = machine();
    const sleeps: number[] = [];
    watchForSleep((awayMs) => sleeps.push(awayMs), { intervalMs, thresholdMs, clocks, scheduler: clock });
    clock.advance(10 * 60_000);
    sleep(2_000);
    clock.advance(60_000);
    expect(sleeps).toEqual([]);
  });

  it('reports a sleep once, at the first check after it, with how long the machine was away', () => {
    const { clock, clocks, sleep } = machine();
    const sleeps: number[] = [];
    watchForSleep((awayMs) => sleeps.push(awayMs), { intervalMs, thresholdMs, clocks, scheduler: clock });
    clock.advance(intervalMs * 3);
    sleep(45 * 60_000);
    clock.advance(intervalMs - 1);
    expect(sleeps).toEqual([]);
    clock.advance(1);
    expect(sleeps).toEqual([45 * 60_000]);
    clock.advance(10 * intervalMs);
    expect(sleeps).toHaveLength(1);
  });

  it('a jump just over the threshold counts, one at the threshold does not', () => {
    const { clock, clocks, sleep } = machine();
    const sleeps: number[] = [];
    watchForSleep((awayMs) => sleeps.push(awayMs), { intervalMs, thresholdMs, clocks, scheduler: clock });
    sleep(thresholdMs);
    clock.advance(intervalMs);
    expect(sleeps).toEqual([]);
    sleep(thresholdMs + 1);
    clock.advance(intervalMs);
    expect(sleeps).toEqual([thresholdMs + 1]);
  });

  it('checks nothing once stopped', () => {
    const { clock, clocks, sleep } = machine();
    const sleeps: number[] = [];
    const stop = watchForSleep((awayMs) => sleeps.push(awayMs), { intervalMs, thresholdMs, clocks, scheduler: clock });
    clock.advance(intervalMs);
    stop();
    sleep(60 * 60_000);
    clock.advance(10 * intervalMs);
    expect(sleeps).toEqual([]);
  });
});
