import { describe, expect, it } from 'vitest';
import {
  ACTIVITY_PING_INTERVAL_MS,
  MOUSEMOVE_THROTTLE_MS,
  idleDeadline,
  isIdle,
  recordActivity,
  shouldSampleMove,
  startActivity,
} from '../../src-renderer/lib/idle.js';
import { reconnectDelay } from '../../src-renderer/lib/reconnect.js';

describe('activity pings', () => {
  it('does not ping main for activity right after unlock', () => {
    const state = startActivity(1_000);
    expect(recordActivity(state, 1_000 + ACTIVITY_PING_INTERVAL_MS - 1).ping).toBe(false);
  });

  it('pings at most once per interval while the user is active', () => {
    let state = startActivity(0);
    const pings: number[] = [];
    for (let t = 0; t <= 95_000; t += 1_000) {
      const next = recordActivity(state, t);
      state = next.state;
      if (next.ping) pings.push(t);
    }
    expect(pings).toEqual([30_000, 60_000, 90_000]);
  });

  it('pings on the first activity after a quiet spell', () => {
    const state = startActivity(0);
    const next = recordActivity(state, 120_000);
    expect(next.ping).toBe(true);
    expect(next.state).toEqual({ lastActivityAt: 120_000, lastPingAt: 120_000 });
  });

  it('samples mouse movement at most once per throttle window', () => {
    expect(shouldSampleMove(0, MOUSEMOVE_THROTTLE_MS - 1)).toBe(false);
    expect(shouldSampleMove(0, MOUSEMOVE_THROTTLE_MS)).toBe(true);
  });
});

describe('idle detection', () => {
  it('is idle exactly when the auto-lock minutes have passed since the last activity', () => {
    const state = recordActivity(startActivity(0), 10_000).state;
    expect(idleDeadline(state, 15)).toBe(10_000 + 15 * 60_000);
    expect(isIdle(state, 10_000 + 15 * 60_000 - 1, 15)).toBe(false);
    expect(isIdle(state, 10_000 + 15 * 60_000, 15)).toBe(true);
  });

  it('activity pushes the deadline back', () => {
    let state = startActivity(0);
    state = recordActivity(state, 14 * 60_000).state;
    expect(isIdle(state, 15 * 60_000, 15)).toBe(false);
  });

  it('a timer that fires late after sleep still sees the vault as idle', () => {
    expect(isIdle(startActivity(0), 8 * 60 * 60_000, 15)).toBe(true);
  });
});

describe('reconnect backoff', () => {
  it('starts quick and caps at 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(reconnectDelay)).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });
});
