/**
 * Auto-lock bookkeeping. The window reports activity; main also locks on its
 * own idle timer, so pings keep the two in step without flooding main.
 */

/** Main hears about activity at most this often. */
export const ACTIVITY_PING_INTERVAL_MS = 30_000;
/** Mouse movement fires constantly; one sample per second is enough to know the user is there. */
export const MOUSEMOVE_THROTTLE_MS = 1_000;

export interface ActivityState {
  lastActivityAt: number;
  lastPingAt: number;
}

/** Unlocking is itself activity, and main has just seen it. */
export function startActivity(now: number): ActivityState {
  return { lastActivityAt: now, lastPingAt: now };
}

export function recordActivity(state: ActivityState, now: number): { state: ActivityState; ping: boolean } {
  const ping = now - state.lastPingAt >= ACTIVITY_PING_INTERVAL_MS;
  return { state: { lastActivityAt: now, lastPingAt: ping ? now : state.lastPingAt }, ping };
}

export function shouldSampleMove(lastSampleAt: number, now: number): boolean {
  return now - lastSampleAt >= MOUSEMOVE_THROTTLE_MS;
}

export function idleDeadline(state: ActivityState, autoLockMinutes: number): number {
  return state.lastActivityAt + autoLockMinutes * 60_000;
}

export function isIdle(state: ActivityState, now: number, autoLockMinutes: number): boolean {
  return now >= idleDeadline(state, autoLockMinutes);
}
